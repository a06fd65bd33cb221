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

const RULE = 'proxy-timeout-below-p99';
const TIMED_OUT = 'upstream timed out (110: Connection timed out) while reading response header from upstream';
/** Every response of the backend takes this long, so its P99 is this too. */
const LATENCY_MS = 2_000;

/** Lab scenario 6 (single server): nginx gives up reading after 1 s, the service needs 2 s. */
const badConfig = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; proxy_read_timeout 1s; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 504 (not 502, read timeout); after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend({ latencyMs: LATENCY_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: backend.port, p99: '2s' } });

    const bad = await sendGetsAndPosts(nginx.port, 5, { concurrency: 5 });
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '504': 10 });
    expect(linesMatching(nginx.errorLog(), TIMED_OUT)).toHaveLength(10);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 5, { concurrency: 5 });
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 10 });
    expect(linesMatching(nginx.errorLog(), TIMED_OUT)).toEqual([]);
  });
});
