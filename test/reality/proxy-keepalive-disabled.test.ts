import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-keepalive-disabled';
const REQUESTS = 500;
const CONCURRENCY = 8;
/** The upstream's `keepalive 16`: with working keep-alive nginx never needs more connections than this. */
const POOL_SIZE = 16;
/**
 * Above nginx's default upstream keepalive_timeout (60s), so upstream-keepalive-timeout-race stays quiet and
 * this test measures connection reuse alone.
 */
const BACKEND_KEEP_ALIVE_MS = 65_000;

/**
 * Lab scenario 2: the upstream keeps a pool, but each variant still sends HTTP/1.0 or `Connection: close`,
 * so the backend closes every connection after one response.
 */
const variants = {
  'keepalive only': '',
  'proxy_http_version 1.1 only': ' proxy_http_version 1.1;',
  'Connection "" only': ' proxy_set_header Connection "";',
};
const badConfig = (backendPort: number, locationExtra: string) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive ${POOL_SIZE}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app;${locationExtra} } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it.each(Object.entries(variants))(
    '%s: all 200, but one backend connection per request; after nginx-lint --fix, at most the pool size',
    async (_variant, locationExtra) => {
      const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
      const nginx = track(await startNginx(badConfig(backend.port, locationExtra)));
      writeLinterConfig(nginx.confPath, RULE, {
        app: { hosts: ['127.0.0.1'], port: backend.port, keepAliveTimeout: '65s' },
      });

      const bad = await sendRequests(nginx.port, { count: REQUESTS, concurrency: CONCURRENCY });
      expect(countStatuses(bad), nginx.errorLog()).toEqual({ '200': REQUESTS });
      expect(backend.connectionCount()).toBe(REQUESTS);

      fixWithLinter(nginx.confPath, RULE);
      await nginx.restart();
      const connectionsBefore = backend.connectionCount();
      const fixed = await sendRequests(nginx.port, { count: REQUESTS, concurrency: CONCURRENCY });
      expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': REQUESTS });
      expect(backend.connectionCount() - connectionsBefore).toBeLessThanOrEqual(POOL_SIZE);
    },
  );
});
