/**
 * The application server behind nginx in the reality suite: a Node `http` or `https` server on a free loopback port
 * whose timing, header size, keep-alive and TLS behaviour each test sets to the value its scenario needs.
 *
 * It runs in a worker thread, with its own event loop, because `/cpu` must stall the backend and nothing else:
 * the keep-alive race test sends its decisive request while the backend is stalled.
 * This file is also the worker's code (see workerSource), so it may import only node: built-ins at top level.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { MessageChannel, type MessagePort, Worker, parentPort, workerData } from 'node:worker_threads';

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
  /**
   * Serve HTTPS, with a self-signed certificate for this name, and complete only handshakes that ask for this
   * name (SNI), like a host that picks its certificate by name. Any other handshake finds no certificate, which
   * OpenSSL refuses with a handshake_failure alert (40), as the lab's backend did.
   */
  readonly tlsServerName?: string;
  /**
   * The address to listen on: 127.0.0.1 by default; `::1` for a backend that listens on IPv6 loopback only; another
   * 127.x.y.z (all of 127.0.0.0/8 is loopback on Linux) for a backend that moves to a new address.
   */
  readonly host?: string;
  /** A port chosen beforehand (harness freePort), for a backend that comes up after nginx; default: any free port. */
  readonly port?: number;
  /**
   * Keep an upgraded (websocket) connection open after the 101 until the other side closes it, instead of closing
   * it at once; with a number, also send a websocket ping frame on it every that many ms.
   */
  readonly upgradedSockets?: 'idle' | { readonly pingEveryMs: number };
}

export interface TlsHandshake {
  /** The server name (SNI) the client asked for, or null when it sent none. */
  readonly serverName: string | null;
  readonly completed: boolean;
}

export interface Backend {
  readonly port: number;
  /** TCP connections the server has accepted since it started. */
  connectionCount(): number;
  /**
   * The TLS handshakes since the backend started, in order (none for a plain HTTP backend), once there are at least
   * `expected` or after 2 s: a refused handshake is recorded after OpenSSL has sent its alert, so possibly after
   * nginx has already answered 502.
   */
  tlsHandshakes(expected: number): Promise<TlsHandshake[]>;
  /** The self-signed certificate of a TLS backend (PEM), for nginx to trust; null for plain HTTP. */
  readonly certificate: string | null;
  stop(): Promise<void>;
}

interface WorkerInput {
  readonly options: BackendOptions;
  /** One Int32 the worker increments per accepted connection, so the test can read it synchronously. */
  readonly connections: SharedArrayBuffer;
  /** Where the worker posts each TlsHandshake. */
  readonly handshakes: MessagePort;
  /** With `tlsServerName`: the key and the certificate, PEM. */
  readonly keyAndCertificate: string | undefined;
}

/** Blocks the event loop, so that expired keep-alive timers are handled before pending socket reads. */
function busyWait(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Spinning on purpose: a timer would let the event loop run, which is exactly what must not happen.
  }
}

/**
 * The worker's entry point. Every request is answered `200 ok` after its body has been read;
 * `GET /cpu?ms=N` instead stalls the whole backend for N ms before answering.
 */
function serve(): void {
  const { options, connections, handshakes, keyAndCertificate } = workerData as WorkerInput;
  const connectionCounter = new Int32Array(connections);
  const handler: http.RequestListener = (request, response) => {
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
  };
  const server =
    keyAndCertificate === undefined ? http.createServer(handler) : httpsServer(options.tlsServerName, keyAndCertificate, handshakes, handler);
  server.on('connection', () => Atomics.add(connectionCounter, 0, 1));
  // A websocket endpoint: Node raises 'upgrade' only for a request with Connection: upgrade and an Upgrade header.
  server.on('upgrade', (_request, socket) => {
    const switching = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n';
    const upgraded = options.upgradedSockets;
    if (upgraded === undefined) {
      socket.end(switching);
      return;
    }
    socket.write(switching);
    // What the client sends (pings, messages) is read and dropped; the socket stays open until the other side closes it.
    socket.resume();
    socket.on('error', () => socket.destroy());
    if (upgraded !== 'idle') {
      // FIN + opcode 9 (ping), no payload: the smallest frame a websocket peer sends to keep a connection alive.
      const pinger = setInterval(() => socket.write(Buffer.from([0x89, 0x00])), upgraded.pingEveryMs);
      socket.on('close', () => clearInterval(pinger));
    }
  });
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => parentPort!.postMessage((server.address() as AddressInfo).port));
}

/**
 * The server has no default certificate: a handshake gets one only from SNICallback, which Node calls only when the
 * client sends a name, and which gives it only for `serverName`.
 */
function httpsServer(
  serverName: string | undefined,
  keyAndCertificate: string,
  handshakes: MessagePort,
  handler: http.RequestListener,
): https.Server {
  const named = tls.createSecureContext({ key: keyAndCertificate, cert: keyAndCertificate });
  const server = https.createServer(
    {
      SNICallback: (name, use) => use(null, name === serverName ? named : undefined),
      // Node keeps no session cache, so without tickets nothing can be resumed. A resumed handshake would need no
      // certificate, and so would pass without a name, and Node would report no name for it.
      secureOptions: constants.SSL_OP_NO_TICKET,
    },
    handler,
  );
  const record = (socket: tls.TLSSocket, completed: boolean): void => {
    // Node's servername is false or null when the client sent none.
    const handshake: TlsHandshake = { serverName: socket.servername || null, completed };
    handshakes.postMessage(handshake);
  };
  server.on('secureConnection', (socket) => record(socket, true));
  server.on('tlsClientError', (_error, socket) => record(socket, false));
  return server;
}

/**
 * A throwaway key and self-signed certificate for `name`, in one PEM text. Node cannot make certificates, so
 * openssl does; the key exists only in memory and is never written to disk.
 */
function selfSignedCertificate(name: string): string {
  const made = spawnSync(
    'openssl',
    [
      ...['req', '-x509', '-days', '1', '-subj', `/CN=${name}`],
      // A P-256 key takes milliseconds to make; unencrypted (-nodes), it goes to stdout ahead of the certificate.
      ...['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', '-'],
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) {
    throw new Error(`openssl could not make a certificate for the TLS backend: ${made.error?.message ?? made.stderr}`);
  }
  return made.stdout;
}

let workerSource: URL | undefined;

/**
 * This file as a JavaScript module the worker can load. Node 20 cannot run TypeScript, and vitest transforms
 * only what the test process imports, so the file is transpiled here with the project's own TypeScript.
 */
async function backendWorkerSource(): Promise<URL> {
  if (workerSource === undefined) {
    const { default: ts } = await import('typescript');
    const { outputText } = ts.transpileModule(readFileSync(fileURLToPath(import.meta.url), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    workerSource = new URL(`data:text/javascript,${encodeURIComponent(`${outputText}\n${serve.name}();\n`)}`);
  }
  return workerSource;
}

/** Starts a backend on a free port of 127.0.0.1 (the OS picks it, so no other test can race for it). */
export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const connections = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
  const handshakeChannel = new MessageChannel();
  const input: WorkerInput = {
    options,
    connections,
    handshakes: handshakeChannel.port2,
    keyAndCertificate: options.tlsServerName === undefined ? undefined : selfSignedCertificate(options.tlsServerName),
  };
  const worker = new Worker(await backendWorkerSource(), { workerData: input, transferList: [handshakeChannel.port2] });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the backend worker exited with code ${code} before listening`)));
  });
  const connectionCounter = new Int32Array(connections);
  const handshakes: TlsHandshake[] = [];
  handshakeChannel.port1.on('message', (handshake: TlsHandshake) => handshakes.push(handshake));
  const pem = input.keyAndCertificate;
  return {
    port,
    certificate: pem === undefined ? null : pem.slice(pem.indexOf('-----BEGIN CERTIFICATE-----')),
    connectionCount: () => Atomics.load(connectionCounter, 0),
    tlsHandshakes: async (expected) => {
      const deadline = Date.now() + 2_000;
      while (handshakes.length < expected && Date.now() < deadline) await sleep(20);
      return [...handshakes];
    },
    // Terminating the thread closes its sockets too, even pooled ones nginx would otherwise keep open.
    stop: async () => {
      await worker.terminate();
      handshakeChannel.port1.close();
    },
  };
}
