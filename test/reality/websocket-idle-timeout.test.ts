/**
 * websocket-idle-timeout against real nginx: a websocket opened through nginx to a Node backend that answers the
 * handshake with 101 and keeps the socket open, left quiet (or kept busy with pings) for longer than
 * `proxy_read_timeout`.
 */
import { writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { findNginx, linesMatching, REALITY_TEST_TIMEOUT_MS, reportedRuleIds, startNginx, stopAfterEach, writeLinterConfig } from './harness.js';

const RULE = 'websocket-idle-timeout';
const TIMED_OUT = 'upstream timed out (110: Connection timed out) while proxying upgraded connection';
/** How long each socket is watched: twice the bad config's 2 s timeout. */
const WATCH_MS = 4_000;

interface Watched {
  /** The handshake's status line. */
  readonly statusLine: string;
  /** When nginx closed the connection, in ms after the 101; null when it was still open after WATCH_MS. */
  readonly closedAfterMs: number | null;
}

/**
 * Opens a websocket through nginx and watches it for WATCH_MS. The client sends nothing after the handshake, or,
 * with `clientPingMs`, a masked ping frame that often (clients must mask their frames).
 */
function watchWebsocket(port: number, clientPingMs?: number): Promise<Watched> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let openedAt: number | null = null;
    let pinger: NodeJS.Timeout | undefined;
    const finish = (closedAfterMs: number | null): void => {
      clearInterval(pinger);
      clearTimeout(watch);
      socket.destroy();
      resolve({ statusLine: received.split('\r\n')[0] ?? '', closedAfterMs });
    };
    const watch = setTimeout(() => finish(null), WATCH_MS + 5_000);
    socket.on('connect', () => socket.write('GET /ws/ HTTP/1.1\r\nHost: chat\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (openedAt !== null || !received.includes('\r\n\r\n')) return;
      openedAt = Date.now();
      if (clientPingMs !== undefined) pinger = setInterval(() => socket.write(Buffer.from([0x89, 0x80, 0, 0, 0, 0])), clientPingMs);
      setTimeout(() => finish(null), WATCH_MS);
    });
    socket.on('close', () => finish(openedAt === null ? -1 : Date.now() - openedAt));
    socket.on('error', reject);
  });
}

const chat = (backendPort: number, readTimeout: string) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location /ws/ { proxy_pass http://127.0.0.1:${backendPort}; proxy_http_version 1.1; ` +
  `proxy_set_header Upgrade $http_upgrade; proxy_set_header Connection "upgrade"; proxy_read_timeout ${readTimeout}; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('proxy_read_timeout 2s closes a quiet websocket after 2 s, logged only at info; 1h keeps it open', async () => {
    const backend = track(await startBackend({ upgradedSockets: 'idle' }));
    const bad = track(await startNginx(chat(backend.port, '2s'), { errorLogLevel: 'info' }));
    writeLinterConfig(bad.confPath, RULE, {});
    expect(reportedRuleIds(bad.confPath)).toEqual([RULE]);
    const fixed = track(await startNginx(chat(backend.port, '1h'), { errorLogLevel: 'info' }));
    writeLinterConfig(fixed.confPath, RULE, {});
    expect(reportedRuleIds(fixed.confPath)).toEqual([]);

    const [cut, kept] = await Promise.all([watchWebsocket(bad.port), watchWebsocket(fixed.port)]);
    expect(cut.statusLine).toBe('HTTP/1.1 101 Switching Protocols');
    expect(cut.closedAfterMs, 'closed about proxy_read_timeout after the 101').toBeGreaterThanOrEqual(1_500);
    expect(cut.closedAfterMs).toBeLessThan(3_500);
    const logged = linesMatching(bad.errorLog(), TIMED_OUT);
    expect(logged).toHaveLength(1);
    // At info: the default error_log level (error) and the common warn both leave it out.
    expect(logged[0]).toMatch(/\[info\]/);

    expect(kept).toEqual({ statusLine: 'HTTP/1.1 101 Switching Protocols', closedAfterMs: null });
    expect(linesMatching(fixed.errorLog(), TIMED_OUT)).toEqual([]);
  });

  it('pings every second from either side keep a 2 s timeout from firing; a known pingInterval silences the rule', async () => {
    const pingingBackend = track(await startBackend({ upgradedSockets: { pingEveryMs: 1_000 } }));
    const idleBackend = track(await startBackend({ upgradedSockets: 'idle' }));
    const serverPings = track(await startNginx(chat(pingingBackend.port, '2s'), { errorLogLevel: 'info' }));
    const clientPings = track(await startNginx(chat(idleBackend.port, '2s'), { errorLogLevel: 'info' }));
    writeLinterConfig(serverPings.confPath, RULE, {});
    // The linter's own config, with the ping interval the application is known to keep.
    const linterConfig = path.join(path.dirname(serverPings.confPath), '.nginx-lint.json');
    writeFileSync(linterConfig, `${JSON.stringify({ extends: [], rules: { [RULE]: ['error', { pingInterval: '1s' }] } }, null, 2)}\n`);
    expect(reportedRuleIds(serverPings.confPath)).toEqual([]);

    const [fromServer, fromClient] = await Promise.all([watchWebsocket(serverPings.port), watchWebsocket(clientPings.port, 1_000)]);
    expect(fromServer).toEqual({ statusLine: 'HTTP/1.1 101 Switching Protocols', closedAfterMs: null });
    expect(fromClient).toEqual({ statusLine: 'HTTP/1.1 101 Switching Protocols', closedAfterMs: null });
    expect(linesMatching(serverPings.errorLog(), TIMED_OUT)).toEqual([]);
    expect(linesMatching(clientPings.errorLog(), TIMED_OUT)).toEqual([]);
  });

  it('proxy_send_timeout does not close a quiet websocket: 1s with a 10s read timeout keeps it open', async () => {
    const backend = track(await startBackend({ upgradedSockets: 'idle' }));
    const nginx = track(
      await startNginx((port) => chat(backend.port, '10s')(port).replace('proxy_read_timeout', 'proxy_send_timeout 1s; proxy_read_timeout')),
    );
    expect(await watchWebsocket(nginx.port)).toEqual({ statusLine: 'HTTP/1.1 101 Switching Protocols', closedAfterMs: null });
  });
});
