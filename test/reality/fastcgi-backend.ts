/**
 * A minimal FastCGI responder for the reality suite, standing in for PHP-FPM (not installed here): it reads a request's
 * records (BEGIN_REQUEST, PARAMS, STDIN) and, once STDIN ends, answers `Status: 200 OK` with a short body, after
 * `latencyMs` if given, then END_REQUEST. It closes the connection after each request unless nginx asked to keep it
 * (`fastcgi_keep_conn on` sets FCGI_KEEP_CONN). Record layout from the FastCGI 1.0 specification.
 */
import net from 'node:net';

const VERSION = 1;
const BEGIN_REQUEST = 1;
const END_REQUEST = 3;
const STDIN = 5;
const STDOUT = 6;
const KEEP_CONN = 1;

export interface FastcgiBackend {
  readonly port: number;
  /** Requests answered since the responder started. */
  requestCount(): number;
  stop(): Promise<void>;
}

function frame(type: number, requestId: number, content: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt8(VERSION, 0);
  header.writeUInt8(type, 1);
  header.writeUInt16BE(requestId, 2);
  header.writeUInt16BE(content.length, 4);
  return Buffer.concat([header, content]);
}

export async function startFastcgiBackend(options: { readonly latencyMs?: number } = {}): Promise<FastcgiBackend> {
  let answered = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    let pending = Buffer.alloc(0);
    let keepConnection = false;
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 8) {
        const type = pending.readUInt8(1);
        const requestId = pending.readUInt16BE(2);
        const contentLength = pending.readUInt16BE(4);
        const paddingLength = pending.readUInt8(6);
        const total = 8 + contentLength + paddingLength;
        if (pending.length < total) break;
        const content = pending.subarray(8, 8 + contentLength);
        pending = pending.subarray(total);
        if (type === BEGIN_REQUEST) keepConnection = (content.readUInt8(2) & KEEP_CONN) !== 0;
        // An empty STDIN record ends the request body: answer.
        if (type === STDIN && contentLength === 0) {
          const respond = (): void => {
            answered++;
            socket.write(frame(STDOUT, requestId, Buffer.from('Status: 200 OK\r\nContent-Type: text/plain\r\n\r\nok\n')));
            socket.write(frame(STDOUT, requestId, Buffer.alloc(0)));
            // appStatus 0, protocolStatus FCGI_REQUEST_COMPLETE (0), three reserved bytes.
            socket.write(frame(END_REQUEST, requestId, Buffer.alloc(8)));
            if (!keepConnection) socket.end();
          };
          if (options.latencyMs) setTimeout(respond, options.latencyMs);
          else respond();
        }
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    requestCount: () => answered,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
