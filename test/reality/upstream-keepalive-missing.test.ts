import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  reportedRuleIds,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'upstream-keepalive-missing';
/**
 * The rule adds the pool; the locations that use it get HTTP/1.1 and `Connection ""` from proxy-keepalive-disabled
 * in the next fix pass (the rule's docs say so), so the test enables the pair, as the recommended preset does.
 */
const COMPANION_RULE = 'proxy-keepalive-disabled';
const REQUESTS = 500;
const CONCURRENCY = 8;
/** The pool the fix writes (`keepalive 32`, nginx 1.29.7's default): nginx never needs more connections. */
const POOL_SIZE = 32;
/** Above nginx's default upstream keepalive_timeout, so the fix's keepalive_timeout is not the subject here. */
const BACKEND_KEEP_ALIVE_MS = 65_000;

/** Before nginx 1.29.7 (Debian's 1.22 here) an upstream block keeps no connections unless it says `keepalive`. */
const badConfig = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('no keepalive: all 200, but one backend connection per request; after nginx-lint --fix, at most the pool size', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, [RULE, COMPANION_RULE], {
      app: { hosts: ['127.0.0.1'], port: backend.port, keepAliveTimeout: '65s' },
    });

    const bad = await sendRequests(nginx.port, { count: REQUESTS, concurrency: CONCURRENCY });
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '200': REQUESTS });
    expect(backend.connectionCount()).toBe(REQUESTS);

    fixWithLinter(nginx.confPath, RULE);
    expect(reportedRuleIds(nginx.confPath)).not.toContain(COMPANION_RULE);
    await nginx.restart();
    const connectionsBefore = backend.connectionCount();
    const fixed = await sendRequests(nginx.port, { count: REQUESTS, concurrency: CONCURRENCY });
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': REQUESTS });
    expect(backend.connectionCount() - connectionsBefore).toBeLessThanOrEqual(POOL_SIZE);
  });
});
