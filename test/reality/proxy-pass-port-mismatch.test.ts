import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  freePort,
  linesMatching,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-pass-port-mismatch';
const REFUSED = 'connect() failed (111: Connection refused) while connecting to upstream';

/** Lab scenario 3: proxy_pass names a port where nothing listens, while the service runs on another one. */
const badConfig = (wrongPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${wrongPort}; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 502 (connection refused); after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend());
    const nginx = track(await startNginx(badConfig(await freePort())));
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: backend.port } });

    const bad = await sendGetsAndPosts(nginx.port, 10);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 20 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toHaveLength(20);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 10);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 20 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toEqual([]);
  });
});
