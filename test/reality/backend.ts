/**
 * The application server behind nginx in the reality suite: a plain Node `http` server on a free loopback port
 * whose timing, header size and keep-alive behaviour each test sets to the value its scenario needs.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface BackendOptions {
  /** Delay before every response except `/cpu`, in ms; the event loop stays free meanwhile. */
  readonly latencyMs?: number;
  /** Length of a `Set-Cookie` value added to every response, to make the response header block large. */
  readonly setCookieBytes?: number;
  /**
   * `server.keepAliveTimeout` in ms. Node 20.20 closes an idle connection about 1000 ms later than this
   * (its hard-coded keep-alive buffer), while still advertising `Keep-Alive: timeout=<this / 1000>`.
   */
  readonly keepAliveTimeoutMs?: number;
}

export interface Backend {
  readonly port: number;
  /** TCP connections the server has accepted since it started. */
  connectionCount(): number;
  stop(): Promise<void>;
}

/** Blocks the event loop, so that expired keep-alive timers are handled before pending socket reads. */
function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Spinning on purpose: a timer would let the event loop run, which is exactly what must not happen.
  }
}

/**
 * Starts a backend on 127.0.0.1. Every request is answered `200 ok` after its body has been read;
 * `GET /cpu?ms=N` instead stalls the whole process for N ms before answering (see the keep-alive race test).
 */
export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  let connections = 0;
  const server = http.createServer((request, response) => {
    // Draining the body first means the backend never answers a POST it has not fully received.
    request.resume();
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://backend');
      const body = 'ok\n';
      const headers: http.OutgoingHttpHeaders = {
        'Content-Type': 'text/plain',
        'Content-Length': Buffer.byteLength(body),
      };
      if (options.setCookieBytes !== undefined) headers['Set-Cookie'] = `pad=${'x'.repeat(options.setCookieBytes)}`;
      const respond = (): void => {
        response.writeHead(200, headers).end(body);
      };
      if (url.pathname === '/cpu') {
        busyWait(Number(url.searchParams.get('ms') ?? '0'));
        respond();
      } else if (options.latencyMs) {
        setTimeout(respond, options.latencyMs);
      } else {
        respond();
      }
    });
  });
  server.on('connection', () => {
    connections++;
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    port,
    connectionCount: () => connections,
    stop: () =>
      new Promise<void>((resolve) => {
        // Pooled upstream connections would keep close() waiting until nginx lets them go.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
