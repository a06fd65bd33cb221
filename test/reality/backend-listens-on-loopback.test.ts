/**
 * backend-listens-on-loopback against real nginx. A server that listens on 127.0.0.1 only refuses a connection to any
 * other address of its host, which is what nginx in another container makes to the app's container. Here the app
 * listens on 127.0.0.1 and nginx connects to 127.0.0.2, another address of the same machine that nothing listens on,
 * standing in for the container's network address (tests start servers on 127.0.0.1 only, so the "fixed" app that
 * listens on every address is not started; nginx connecting to the address the app does listen on is the control).
 */
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { countStatuses, findNginx, linesMatching, REALITY_TEST_TIMEOUT_MS, sendGetsAndPosts, startNginx, stopAfterEach } from './harness.js';

const REFUSED = 'connect() failed (111: Connection refused) while connecting to upstream';

const proxyTo = (address: string) => (port: number) => `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://${address}; } }`;

describe.skipIf(findNginx() === null)('backend-listens-on-loopback against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('an app on 127.0.0.1 only, reached at another address of its host: every GET and POST 502, refused; at its own address, 200', async () => {
    const app = track(await startBackend({ host: '127.0.0.1' }));

    const elsewhere = track(await startNginx(proxyTo(`127.0.0.2:${app.port}`)));
    const refused = await sendGetsAndPosts(elsewhere.port, 10);
    expect(countStatuses(refused), elsewhere.errorLog()).toEqual({ '502': 20 });
    expect(linesMatching(elsewhere.errorLog(), REFUSED)).toHaveLength(20);
    expect(app.connectionCount()).toBe(0);

    const own = track(await startNginx(proxyTo(`127.0.0.1:${app.port}`)));
    expect(countStatuses(await sendGetsAndPosts(own.port, 10)), own.errorLog()).toEqual({ '200': 20 });
  });
});
