/**
 * Fixes that turn connection reuse on must never create the keepalive race (issue: "fixes that never create a 502").
 * The backend is Node with a short idle timeout that nothing declares — the common case in a real repository — and
 * the traffic is the race of lab scenario 1, made certain: POSTs sent onto pooled connections as Node closes them.
 *
 * Measured here, in one run: the fix as it was before (HTTP/1.1 and Connection "" only) leaves nginx's 60s
 * keepalive_timeout against Node's 2s close, and POSTs get 502; nginx-lint's fix also writes keepalive_timeout 1s in
 * the upstream (the backend's timeout being unknown), and the same POSTs get 200.
 */
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  sendRequests,
  countStatuses,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';
import { BACKEND_KEEP_ALIVE_MS, raceLines, raceTrials, TRIALS } from './race.js';

/** `keepalive 16` but HTTP/1.0 by default: nothing is reused yet, so nothing races. */
const keepaliveOnly = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; } }`;

/** What the fix wrote before it set a keepalive_timeout: reuse on, nginx's 60s default against Node's 2s. */
const reuseWithoutTimeout = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`;

/** The nginx documentation's websocket map in front of a pooled upstream. */
const websocketMap = (backendPort: number) => (port: number) =>
  `    map $http_upgrade $connection_upgrade { default upgrade; '' close; }
    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection $connection_upgrade; } }`;

describe.skipIf(findNginx() === null)(
  'fixes that turn keep-alive on, against real nginx and a Node backend',
  { timeout: REALITY_TEST_TIMEOUT_MS },
  () => {
    const track = stopAfterEach();

    it('reuse without a keepalive_timeout below the backend: POSTs across the idle deadline get 502', async () => {
      const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
      const nginx = track(await startNginx(reuseWithoutTimeout(backend.port)));
      expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(502));
      expect(raceLines(nginx.errorLog())).toHaveLength(TRIALS);
    });

    it("proxy-keepalive-disabled's fix, with the backend's timeout unknown, also sets keepalive_timeout 1s: the same POSTs get 200", async () => {
      const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
      const nginx = track(await startNginx(keepaliveOnly(backend.port)));
      // No service facts: nginx-lint does not know the backend's idle timeout, as in most repositories.
      writeLinterConfig(nginx.confPath, 'proxy-keepalive-disabled', {});
      fixWithLinter(nginx.confPath, 'proxy-keepalive-disabled');
      await nginx.restart();
      expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
      expect(raceLines(nginx.errorLog())).toEqual([]);
    });

    it("the websocket map's '' close opens a backend connection per ordinary request; the fixed map reuses the pool, with no race", async () => {
      const requests = 200;
      const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
      const nginx = track(await startNginx(websocketMap(backend.port)));
      writeLinterConfig(nginx.confPath, 'proxy-keepalive-disabled', {});

      const bad = await sendRequests(nginx.port, { count: requests, concurrency: 4 });
      expect(countStatuses(bad)).toEqual({ '200': requests });
      expect(backend.connectionCount()).toBe(requests);

      fixWithLinter(nginx.confPath, 'proxy-keepalive-disabled');
      await nginx.restart();
      const before = backend.connectionCount();
      const fixed = await sendRequests(nginx.port, { count: requests, concurrency: 4 });
      expect(countStatuses(fixed)).toEqual({ '200': requests });
      expect(backend.connectionCount() - before).toBeLessThanOrEqual(16);
      expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    });
  },
);
