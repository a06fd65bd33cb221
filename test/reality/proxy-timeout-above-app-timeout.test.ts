/**
 * proxy-timeout-above-app-timeout against real nginx. gunicorn's arbiter kills a sync worker that has worked on one
 * request longer than `--timeout`; the kernel then closes the worker's connection, which has read the request, with
 * a FIN and no response. The stand-in backend does the same after 1 s: reads the request, says nothing, closes.
 * nginx's raised `proxy_read_timeout 30s` does not help: every request gets 502 after 1 s, not the response.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { countStatuses, findNginx, linesMatching, REALITY_TEST_TIMEOUT_MS, sendGetsAndPosts, startNginx, stopAfterEach } from './harness.js';

const PREMATURELY_CLOSED = 'upstream prematurely closed connection while reading response header from upstream';
const KILLED_AFTER_MS = 1_000;

/** Reads each request and, like a worker killed by gunicorn's arbiter, closes the connection after 1 s without answering. */
async function startKilledWorker(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), KILLED_AFTER_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(findNginx() === null)('proxy-timeout-above-app-timeout against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('a backend that kills the request after 1 s behind proxy_read_timeout 30s: every GET and POST 502, prematurely closed, after about 1 s', async () => {
    const worker = track(await startKilledWorker());
    const nginx = track(
      await startNginx(
        (port) =>
          `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${worker.port}; proxy_read_timeout 30s; proxy_next_upstream off; } }`,
      ),
    );
    const started = Date.now();
    const outcomes = await sendGetsAndPosts(nginx.port, 3);
    expect(countStatuses(outcomes), nginx.errorLog()).toEqual({ '502': 6 });
    expect(linesMatching(nginx.errorLog(), PREMATURELY_CLOSED)).toHaveLength(6);
    // Each waited for the kill, not for nginx's 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
