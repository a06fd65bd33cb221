/**
 * proxy-ssl-verify-untrusted against real nginx: `proxy_ssl_verify on` to a backend with a self-signed certificate
 * generated here. With nothing trusted nginx refuses the configuration (measured: `[emerg] no
 * proxy_ssl_trusted_certificate for proxy_ssl_verify` — not a 502); with that certificate as
 * proxy_ssl_trusted_certificate, 200. The rule offers no fix (which CA to trust is the user's choice), so the fixed
 * config is the one its documentation gives.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  createNginx,
  findNginx,
  nginxTest,
  REALITY_TEST_TIMEOUT_MS,
  reportedRuleIds,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-ssl-verify-untrusted';
const SERVER_NAME = 'api.internal';
const config = (backendPort: number, trusted: string) => (port: number) =>
  `    upstream ${SERVER_NAME} { server 127.0.0.1:${backendPort}; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass https://${SERVER_NAME}; proxy_ssl_server_name on; proxy_ssl_name ${SERVER_NAME};
      proxy_ssl_verify on;${trusted} } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it("verify on with nothing trusted: nginx -t fails with nginx-lint's words; trusting the certificate: 200", async () => {
    const backend = track(await startBackend({ tlsServerName: SERVER_NAME }));
    const bad = track(await createNginx(config(backend.port, '')));
    writeLinterConfig(bad.confPath, RULE, {});
    expect(reportedRuleIds(bad.confPath)).toEqual([RULE]);
    const verdict = nginxTest(bad.confPath);
    expect(verdict.ok).toBe(false);
    expect(verdict.output).toContain('no proxy_ssl_trusted_certificate for proxy_ssl_verify');

    const caFile = path.join(path.dirname(bad.confPath), 'backend-ca.pem');
    writeFileSync(caFile, backend.certificate!);
    const fixed = track(await startNginx(config(backend.port, ` proxy_ssl_trusted_certificate ${caFile};`)));
    writeLinterConfig(fixed.confPath, RULE, {});
    expect(reportedRuleIds(fixed.confPath)).toEqual([]);
    expect(countStatuses(await sendGetsAndPosts(fixed.port, 5)), fixed.errorLog()).toEqual({ '200': 10 });
  });
});
