/**
 * compose-depends-on-unhealthy, modelled at the process level: Compose's `depends_on` without a health condition
 * starts nginx as soon as the app's container has started, so nginx is up while the app is still binding its port.
 * Here nginx starts first and the backend listens a moment later (the app's start-up); then, as with
 * `condition: service_healthy`, nginx starts only once the backend answers. What it models: the order of the two
 * processes and the gap; not Compose itself, container networking or a real health check.
 */
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  freePort,
  linesMatching,
  REALITY_TEST_TIMEOUT_MS,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
} from './harness.js';

const config = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; } }`;

describe.skipIf(findNginx() === null)('compose-depends-on-unhealthy against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('nginx up before the app listens: 502 "connection refused" until it does; waiting for the app first: none', async () => {
    const backendPort = await freePort();
    const nginx = track(await startNginx(config(backendPort)));
    // The app's start-up: it binds its port only now.
    const during = await sendRequests(nginx.port, { count: 10, concurrency: 1 });
    expect(countStatuses(during), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), 'connect() failed (111: Connection refused) while connecting to upstream')).toHaveLength(10);
    track(await startBackend({ port: backendPort }));
    await sleep(100);
    expect(countStatuses(await sendRequests(nginx.port, { count: 10, concurrency: 1 }))).toEqual({ '200': 10 });

    // service_healthy: the app answers before nginx takes any request.
    const healthyFirstPort = await freePort();
    track(await startBackend({ port: healthyFirstPort }));
    const waited = track(await startNginx(config(healthyFirstPort)));
    expect(countStatuses(await sendRequests(waited.port, { count: 20, concurrency: 2 }))).toEqual({ '200': 20 });
  });
});
