import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  linesMatching,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-ssl-server-name-missing';
/** The upstream block's name: what nginx sends as SNI once it sends one (no proxy_ssl_name), and all the backend accepts. */
const SERVER_NAME = 'app.internal';
/** The lab's line, loose on OpenSSL's own error code and wording, which differ between OpenSSL versions. */
const HANDSHAKE_FAILURE = /SSL_do_handshake\(\) failed \(SSL: .*SSL alert number 40\) while SSL handshaking to upstream/;

/**
 * Lab scenario 8: `proxy_pass https://` through an upstream block, to a backend that completes only handshakes
 * naming it, with proxy_ssl_server_name at its default (off). proxy_ssl_verify is off by default too, so the
 * backend's self-signed certificate is not what fails.
 */
const badConfig = (backendPort: number) => (port: number) =>
  `    upstream ${SERVER_NAME} { server 127.0.0.1:${backendPort}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass https://${SERVER_NAME}; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 502 (handshake refused, no SNI); after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend({ tlsServerName: SERVER_NAME }));
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: backend.port } });

    const bad = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), HANDSHAKE_FAILURE)).toHaveLength(10);
    // nginx did reach the backend, once per request, and asked for no name each time.
    expect(backend.connectionCount()).toBe(10);
    const refused = await backend.tlsHandshakes(10);
    expect(refused).toEqual(Array(10).fill({ serverName: null, completed: false }));

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 10 });
    expect(linesMatching(nginx.errorLog(), 'SSL_do_handshake() failed')).toEqual([]);
    const afterFix = (await backend.tlsHandshakes(refused.length + 1)).slice(refused.length);
    expect(afterFix.length).toBeGreaterThan(0);
    expect(afterFix).toEqual(Array(afterFix.length).fill({ serverName: SERVER_NAME, completed: true }));
  });
});
