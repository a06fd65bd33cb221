/**
 * The application server behind nginx in the reality suite: a plain Node `http` server on a free loopback port
 * whose timing, header size and keep-alive behaviour each test sets to the value its scenario needs.
 *
 * It runs in a worker thread, with its own event loop, because `/cpu` must stall the backend and nothing else:
 * the keep-alive race test sends its decisive request while the backend is stalled.
 * This file is also the worker's code (see workerSource), so it may import only node: built-ins at top level.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, parentPort, workerData } from 'node:worker_threads';

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

interface WorkerInput {
  readonly options: BackendOptions;
  /** One Int32 the worker increments per accepted connection, so the test can read it synchronously. */
  readonly connections: SharedArrayBuffer;
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
  const { options, connections } = workerData as WorkerInput;
  const connectionCounter = new Int32Array(connections);
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
  server.on('connection', () => Atomics.add(connectionCounter, 0, 1));
  if (options.keepAliveTimeoutMs !== undefined) server.keepAliveTimeout = options.keepAliveTimeoutMs;
  server.listen(0, '127.0.0.1', () => parentPort!.postMessage((server.address() as AddressInfo).port));
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
  const input: WorkerInput = { options, connections };
  const worker = new Worker(await backendWorkerSource(), { workerData: input });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the backend worker exited with code ${code} before listening`)));
  });
  const connectionCounter = new Int32Array(connections);
  return {
    port,
    connectionCount: () => Atomics.load(connectionCounter, 0),
    // Terminating the thread closes its sockets too, even pooled ones nginx would otherwise keep open.
    stop: async () => {
      await worker.terminate();
    },
  };
}
