/**
 * A scripted language client: spawns `nginx-lint --lsp` and speaks JSON-RPC to it over stdio with the protocol's
 * `Content-Length` framing, as an editor does. Requests the server sends (client/registerCapability) get a null
 * result; notifications are kept so a test can wait for the one it expects.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

interface Message {
  readonly jsonrpc: '2.0';
  readonly id?: number | string;
  readonly method?: string;
  readonly params?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: number; readonly message: string };
}

interface Notification {
  readonly method: string;
  readonly params: unknown;
}

const WAIT_MS = 15_000;

export class LspClient {
  readonly notifications: Notification[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  private buffer = Buffer.alloc(0);
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private readonly listeners = new Set<() => void>();

  constructor(readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.on('data', (chunk: Buffer) => this.receive(chunk));
    child.stderr.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString('utf8')));
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  /** `command args…` in `cwd`, e.g. `node bin/nginx-lint.cjs --lsp`. */
  static spawn(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): LspClient {
    return new LspClient(spawn(command, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  private send(message: Message): void {
    const body = Buffer.from(JSON.stringify(message), 'utf8');
    this.child.stdin.write(`Content-Length: ${body.length}\r\n\r\n`);
    this.child.stdin.write(body);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    for (;;) {
      const headerEnd = this.buffer.indexOf('\r\n\r\n');
      if (headerEnd === -1) return;
      const header = this.buffer.subarray(0, headerEnd).toString('ascii');
      const length = Number(/Content-Length: (\d+)/i.exec(header)?.[1]);
      if (!Number.isInteger(length)) throw new Error(`not an LSP header on the server's stdout: ${header}`);
      if (this.buffer.length < headerEnd + 4 + length) return;
      const body = this.buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headerEnd + 4 + length);
      this.dispatch(JSON.parse(body) as Message);
    }
  }

  private dispatch(message: Message): void {
    if (message.method !== undefined && message.id !== undefined) {
      this.send({ jsonrpc: '2.0', id: message.id, result: null });
    } else if (message.method !== undefined) {
      this.notifications.push({ method: message.method, params: message.params });
      for (const listener of this.listeners) listener();
    } else if (typeof message.id === 'number') {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error) waiting?.reject(new Error(`${message.error.code}: ${message.error.message}`));
      else waiting?.resolve(message.result);
    }
  }

  request<Result>(method: string, params: unknown): Promise<Result> {
    const id = this.nextId++;
    this.send({ jsonrpc: '2.0', id, method, params });
    return new Promise<Result>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} in ${WAIT_MS} ms; stderr: ${this.stderr.join('')}`)), WAIT_MS);
      this.pending.set(id, {
        resolve: (value) => {
          clearTimeout(timer);
          resolve(value as Result);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  notify(method: string, params: unknown): void {
    this.send({ jsonrpc: '2.0', method, params });
  }

  /** The first notification from `from` on (an index into `notifications`) that `matches`; waits for it. */
  waitFor<Params>(method: string, matches: (params: Params) => boolean, from = 0): Promise<Params> {
    return new Promise<Params>((resolve, reject) => {
      const check = () => {
        const found = this.notifications.slice(from).find((note) => note.method === method && matches(note.params as Params));
        if (!found) return false;
        this.listeners.delete(listener);
        clearTimeout(timer);
        resolve(found.params as Params);
        return true;
      };
      const listener = () => void check();
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no ${method} notification matched in ${WAIT_MS} ms; stderr: ${this.stderr.join('')}`));
      }, WAIT_MS);
      this.listeners.add(listener);
      check();
    });
  }

  /** shutdown, then exit: resolves with the process's exit code. */
  async stop(): Promise<number | null> {
    await this.request('shutdown', null);
    this.notify('exit', null);
    return this.exited;
  }
}
