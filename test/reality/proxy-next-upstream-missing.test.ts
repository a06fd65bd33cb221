import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  linesMatching,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-next-upstream-missing';
const REFUSED = 'connect() failed (111: Connection refused) while connecting to upstream';
const EACH = 40;

/**
 * Lab scenario 11: two instances of one service, the second one down. The instances share a port on two
 * loopback addresses, so the dead one is an instance that is down, not a wrong port (which is another rule).
 * nginx's default (`proxy_next_upstream error timeout`) retries each refused request on the live instance.
 */
const variants = {
  // After the first refusal nginx marks the dead server down for fail_timeout (10s), so only one request fails.
  'proxy_next_upstream off': { deadServerExtra: '', failed: 1 },
  // With max_fails=0 the dead server is never marked down: round robin sends it every second request.
  'proxy_next_upstream off, max_fails=0': { deadServerExtra: ' max_fails=0', failed: EACH },
};
const badConfig = (backendPort: number, deadServerExtra: string) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; server 127.0.0.2:${backendPort}${deadServerExtra}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_next_upstream off; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it.each(Object.entries(variants))(
    '%s: requests nginx sends to the dead instance get 502; after nginx-lint --fix, all 200',
    async (_variant, { deadServerExtra, failed }) => {
      const backend = track(await startBackend());
      const nginx = track(await startNginx(badConfig(backend.port, deadServerExtra)));
      writeLinterConfig(nginx.confPath, RULE, {
        app: { hosts: ['127.0.0.1', '127.0.0.2'], port: backend.port },
      });

      const bad = await sendGetsAndPosts(nginx.port, EACH);
      expect(countStatuses(bad), nginx.errorLog()).toEqual({ '200': 2 * EACH - failed, '502': failed });
      expect(linesMatching(nginx.errorLog(), REFUSED)).toHaveLength(failed);

      fixWithLinter(nginx.confPath, RULE);
      await nginx.restart();
      const fixed = await sendGetsAndPosts(nginx.port, EACH);
      expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 2 * EACH });
    },
  );
});
