/**
 * websocket-upgrade-incomplete against real nginx: a websocket handshake (GET with Upgrade: websocket and
 * Connection: Upgrade) through a location that forwards Upgrade, to a Node backend that answers upgrades with 101.
 */
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { findNginx, REALITY_TEST_TIMEOUT_MS, reportedRuleIds, startNginx, stopAfterEach, writeLinterConfig } from './harness.js';

const RULE = 'websocket-upgrade-incomplete';

/** The status the handshake gets: 101 when the protocol switched. */
function handshake(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request({ host: '127.0.0.1', port, path: '/ws/', headers: { Connection: 'Upgrade', Upgrade: 'websocket' } });
    request.on('upgrade', (response, socket) => {
      socket.destroy();
      resolve(response.statusCode ?? 0);
    });
    request.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.setTimeout(5_000, () => request.destroy(new Error('handshake timed out')));
    request.end();
  });
}

const location = (backendPort: number, extra: string) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location /ws/ { proxy_pass http://127.0.0.1:${backendPort}; proxy_set_header Upgrade $http_upgrade;${extra} } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('Upgrade forwarded alone: the handshake gets the backend\'s plain answer, never 101; with HTTP/1.1 and Connection "upgrade": 101', async () => {
    const backend = track(await startBackend());
    const bad = track(await startNginx(location(backend.port, '')));
    writeLinterConfig(bad.confPath, RULE, {});
    expect(reportedRuleIds(bad.confPath)).toEqual([RULE]);
    const statuses = await Promise.all([1, 2, 3].map(() => handshake(bad.port)));
    expect(
      statuses.every((status) => status !== 101),
      String(statuses),
    ).toBe(true);
    expect(bad.errorLog()).not.toMatch(/\[error\]/);

    const fixed = track(await startNginx(location(backend.port, ' proxy_http_version 1.1; proxy_set_header Connection "upgrade";')));
    writeLinterConfig(fixed.confPath, RULE, {});
    expect(reportedRuleIds(fixed.confPath)).toEqual([]);
    expect(await Promise.all([1, 2, 3].map(() => handshake(fixed.port)))).toEqual([101, 101, 101]);
  });

  it("Connection $http_connection passes the handshake's Connection: Upgrade on: 101, and no finding", async () => {
    const backend = track(await startBackend());
    const passed = track(await startNginx(location(backend.port, ' proxy_http_version 1.1; proxy_set_header Connection $http_connection;')));
    writeLinterConfig(passed.confPath, RULE, {});
    expect(reportedRuleIds(passed.confPath)).toEqual([]);
    expect(await Promise.all([1, 2, 3].map(() => handshake(passed.port)))).toEqual([101, 101, 101]);
  });
});
