import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { startFastcgiBackend } from './fastcgi-backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  refusedPort,
  linesMatching,
  sendGetsAndPosts,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-pass-port-mismatch';
const REFUSED = 'connect() failed (111: Connection refused) while connecting to upstream';

/** Lab scenario 3: proxy_pass names a port where nothing listens, while the service runs on another one. */
const badConfig = (wrongPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${wrongPort}; } }`;

/**
 * A gRPC server in its simplest form: HTTP/2 without TLS (what `grpc://` speaks), answering every call with an empty
 * message and `grpc-status: 0`.
 */
async function startGrpcServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    // One length-prefixed message: uncompressed, zero bytes long.
    stream.end(Buffer.alloc(5));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 502 (connection refused); after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend());
    const nginx = track(await startNginx(badConfig(await refusedPort())));
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: backend.port } });

    const bad = await sendGetsAndPosts(nginx.port, 10);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 20 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toHaveLength(20);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 10);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 20 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toEqual([]);
  });

  it('fastcgi_pass to a port where nothing listens (a FastCGI responder standing in for PHP-FPM): 502 refused; after --fix, 200', async () => {
    const responder = track(await startFastcgiBackend());
    const wrongPort = await refusedPort();
    const nginx = track(
      await startNginx(
        (port) =>
          `    server { listen 127.0.0.1:${port}; location / { fastcgi_param SCRIPT_FILENAME /app/index.php; fastcgi_pass 127.0.0.1:${wrongPort}; } }`,
      ),
    );
    writeLinterConfig(nginx.confPath, RULE, { php: { hosts: ['127.0.0.1'], port: responder.port } });

    const bad = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toHaveLength(10);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 10 });
    expect(responder.requestCount()).toBe(10);
    expect(linesMatching(nginx.errorLog(), REFUSED)).toEqual([]);
  });

  it('grpc_pass to a port where nothing listens: 502 refused; after --fix, the gRPC server answers', async () => {
    const grpc = track(await startGrpcServer());
    const wrongPort = await refusedPort();
    const nginx = track(
      await startNginx((port) => `    server { listen 127.0.0.1:${port}; location / { grpc_pass grpc://127.0.0.1:${wrongPort}; } }`),
    );
    writeLinterConfig(nginx.confPath, RULE, { orders: { hosts: ['127.0.0.1'], port: grpc.port } });

    // A gRPC call is a POST; nginx forwards an HTTP/1.1 one over HTTP/2 all the same.
    const call = { count: 5, method: 'POST', body: '\0\0\0\0\0' };
    expect(countStatuses(await sendRequests(nginx.port, call)), nginx.errorLog()).toEqual({ '502': 5 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toHaveLength(5);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    expect(countStatuses(await sendRequests(nginx.port, call)), nginx.errorLog()).toEqual({ '200': 5 });
    expect(linesMatching(nginx.errorLog(), REFUSED)).toEqual([]);
  });
});
