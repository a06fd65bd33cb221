import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { findNginx, REALITY_TEST_TIMEOUT_MS, fixWithLinter, startNginx, stopAfterEach, writeLinterConfig } from './harness.js';
import { BACKEND_KEEP_ALIVE_MS, raceLines, raceTrials, TRIALS, upstreamAttempts } from './race.js';

const RULE = 'upstream-keepalive-timeout-race';
/** Lab scenario 1: keep-alive set up correctly, but nginx keeps idle connections 60s (the default), Node 2s. */
const badConfig = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config fails a POST that lands on a connection the backend is closing: 502; after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, {
      app: { hosts: ['127.0.0.1'], port: backend.port, keepAliveTimeout: '1s' },
    });

    expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(502));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502'));
    expect(raceLines(nginx.errorLog())).toHaveLength(TRIALS);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('200'));
    expect(raceLines(nginx.errorLog())).toEqual([]);
  });

  it('the bad config hides the same failure for a GET: nginx logs it and retries on a new connection', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));

    expect(await raceTrials(nginx, 'GET'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502, 200'));
    expect(raceLines(nginx.errorLog())).toHaveLength(TRIALS);
  });
});
