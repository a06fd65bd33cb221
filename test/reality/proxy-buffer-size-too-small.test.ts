import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  linesMatching,
  responseHeaderBytes,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-buffer-size-too-small';
const TOO_BIG = 'upstream sent too big header while reading response header from upstream';
/**
 * A cookie that brings the backend's whole header block to about 5.6 KiB: over nginx's default 4k
 * proxy_buffer_size, within the 6k the service declares as its maximum.
 */
const SET_COOKIE_BYTES = 5_632;

/** Lab scenario 5: the default proxy_buffer_size (4k, one memory page) in front of ~6 KB response headers. */
const badConfig = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 502 (too big header); after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend({ setCookieBytes: SET_COOKIE_BYTES }));
    const headerBytes = await responseHeaderBytes(backend.port);
    expect(headerBytes).toBeGreaterThan(4 * 1024);
    expect(headerBytes).toBeLessThanOrEqual(6 * 1024);
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, {
      app: { hosts: ['127.0.0.1'], port: backend.port, maxResponseHeaderSize: '6k' },
    });

    const bad = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), TOO_BIG)).toHaveLength(10);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 10 });
    expect(linesMatching(nginx.errorLog(), TOO_BIG)).toEqual([]);
  });
});
