/**
 * What a scheme that does not match the port does, with real nginx (lab scenario 8b). The rule knows TLS ports by
 * convention (443, 8443), which a test cannot bind without privileges, so this measures nginx's behaviour on free
 * ports — the claim the rule's messages make — and the corrected scheme; the rule's detection and its fix are
 * tested in rules/proxy-pass-scheme-mismatch.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { countStatuses, findNginx, linesMatching, REALITY_TEST_TIMEOUT_MS, sendGetsAndPosts, startNginx, stopAfterEach } from './harness.js';

const SERVER_NAME = 'api.internal';
const pass = (scheme: string, backendPort: number) => (port: number) =>
  `    upstream ${SERVER_NAME} { server 127.0.0.1:${backendPort}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass ${scheme}://${SERVER_NAME}; proxy_ssl_server_name on; } }`;

describe.skipIf(findNginx() === null)('proxy-pass-scheme-mismatch against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('https:// to a plain HTTP backend: every GET and POST 502, "wrong version number"; http:// gets 200', async () => {
    const backend = track(await startBackend());
    const nginx = track(await startNginx(pass('https', backend.port)));
    expect(countStatuses(await sendGetsAndPosts(nginx.port, 5)), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), /SSL_do_handshake\(\) failed .*wrong version number/)).toHaveLength(10);

    const fixed = track(await startNginx(pass('http', backend.port)));
    expect(countStatuses(await sendGetsAndPosts(fixed.port, 5))).toEqual({ '200': 10 });
  });

  it('http:// to a TLS backend: every GET and POST 502, "upstream prematurely closed connection"; https:// gets 200', async () => {
    const backend = track(await startBackend({ tlsServerName: SERVER_NAME }));
    const nginx = track(await startNginx(pass('http', backend.port)));
    expect(countStatuses(await sendGetsAndPosts(nginx.port, 5)), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), 'upstream prematurely closed connection while reading response header from upstream')).toHaveLength(10);

    const fixed = track(await startNginx(pass('https', backend.port)));
    expect(countStatuses(await sendGetsAndPosts(fixed.port, 5))).toEqual({ '200': 10 });
  });
});
