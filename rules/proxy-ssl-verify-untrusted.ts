/**
 * `proxy_ssl_verify on` (or grpc_/uwsgi_ssl_verify) with no `proxy_ssl_trusted_certificate` in effect where nginx
 * proxies over TLS. nginx does not use the system's CA store for upstreams and refuses the configuration outright:
 * `nginx -t` fails with `[emerg] no proxy_ssl_trusted_certificate for proxy_ssl_verify` (measured with real nginx
 * 1.22, test/reality/proxy-ssl-verify-untrusted.test.ts — not the 502 one might expect). There is no fix to write:
 * which CA bundle to trust is the user's choice.
 */
import { defineRule } from '../src/lint/rule.js';
import { statementText } from '../src/load/tree.js';

const TLS_SCHEMES: ReadonlySet<string> = new Set(['https', 'grpcs', 'suwsgi']);

export default defineRule({
  meta: {
    id: 'proxy-ssl-verify-untrusted',
    description:
      '`proxy_ssl_verify on` (or its grpc/uwsgi twin) without a `proxy_ssl_trusted_certificate` where nginx proxies over TLS: nginx refuses to start.',
    category: 'correctness',
    severity: 'error',
    presets: ['recommended'],
    fixable: false,
    messages: {
      untrusted: '{{verify}} with no {{trusted}}: nginx -t fails with "no {{trusted}} for {{verifyName}}"',
    },
    details: {
      untrusted:
        '{{verify}} ({{verifyAt}}) makes nginx check the certificate of {{pass}}, but no {{trusted}} is in effect there, and nginx does not use the system CA store for upstreams: it refuses the configuration ("[emerg] no {{trusted}} for {{verifyName}}", measured with real nginx), so nginx will not start and a reload keeps the old configuration. Set {{trusted}} to the CA bundle that signs the backend\'s certificate (/etc/ssl/certs/ca-certificates.crt on Debian for public CAs).',
    },
  },
  check({ model, report }) {
    const reported = new Set<unknown>();
    for (const pass of model.proxyPasses) {
      if (pass.scheme === null || !TLS_SCHEMES.has(pass.scheme)) continue;
      const verifyName = `${pass.module}_ssl_verify`;
      const trustedName = `${pass.module}_ssl_trusted_certificate`;
      const verify = model.effective(pass.node, verifyName);
      if ((verify.values[0]?.[0] ?? verify.default)?.toLowerCase() !== 'on') continue;
      if (model.effective(pass.node, trustedName).nodes.length > 0) continue;
      const at = verify.nodes[0] ?? pass.node;
      if (reported.has(at)) continue;
      reported.add(at);
      report({
        node: at,
        messageId: 'untrusted',
        data: { verify: `${verifyName} on`, verifyName, trusted: trustedName, verifyAt: model.where(at), pass: statementText(pass.node) },
      });
    }
  },
});
