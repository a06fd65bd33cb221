import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  createNginx,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  nginxTest,
  responseHeaderBytes,
  sendGetsAndPosts,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-buffers-invalid';
const EMERG = /\[emerg\] \d+#\d+: "proxy_busy_buffers_size" must be less than the size of all "proxy_buffers" minus one buffer/;
/** About 10 KiB of response headers: what a proxy_buffer_size of 16k is typically raised for. */
const SET_COOKIE_BYTES = 10 * 1024;

/**
 * Lab scenario 5, "16k alone": proxy_buffer_size raised without touching proxy_buffers (default 8 4k), so the
 * derived proxy_busy_buffers_size (2 x 16k) exceeds the 7 x 4k that may be busy.
 */
const badConfig = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; proxy_buffer_size 16k; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('nginx -t and nginx itself reject the bad config; after nginx-lint --fix, nginx -t passes and serves ~10 KiB headers', async () => {
    const backend = track(await startBackend({ setCookieBytes: SET_COOKIE_BYTES }));
    expect(await responseHeaderBytes(backend.port)).toBeLessThanOrEqual(12 * 1024);
    const nginx = track(await createNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, {
      app: { hosts: ['127.0.0.1'], port: backend.port, maxResponseHeaderSize: '12k' },
    });

    const bad = nginxTest(nginx.confPath);
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(EMERG);
    await expect(nginx.start()).rejects.toThrow(EMERG);

    fixWithLinter(nginx.confPath, RULE);
    const fixed = nginxTest(nginx.confPath);
    expect(fixed.ok, fixed.output).toBe(true);
    await nginx.start();
    expect(countStatuses(await sendGetsAndPosts(nginx.port, 5)), nginx.errorLog()).toEqual({ '200': 10 });
  });
});
