/**
 * `http://` to a port that speaks TLS, or `https://` to one that speaks plain HTTP. Every request fails (lab scenario
 * 8b, 10 of 10 each way, measured again by test/reality/proxy-pass-scheme-mismatch.test.ts):
 * - `https://` to plain HTTP: 502 `SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version
 *   number) while SSL handshaking to upstream`;
 * - `http://` to TLS: the backend reads a request that is not a TLS record and closes, 502 `upstream prematurely
 *   closed connection while reading response header from upstream` (a backend that answers plaintext with a 400, as
 *   nginx itself does, passes that 400 through instead).
 * Which ports speak TLS is known only by convention here: 443 and 8443 are TLS, 80 and 8080 plain HTTP. Other
 * ports say nothing, and neither does a target nginx-lint cannot resolve to a port.
 */
import { defineRule } from '../src/lint/rule.js';
import type { ProxyPass } from '../src/model/index.js';
import { replaceToken } from '../src/syntax/edits.js';

const TLS_PORTS: ReadonlySet<number> = new Set([443, 8443]);
const PLAIN_PORTS: ReadonlySet<number> = new Set([80, 8080]);

/** The ports a pass connects to, each with the statement that names it (the pass, or an upstream `server`). */
function portsOf(pass: ProxyPass): { port: number; where: string }[] {
  const { target } = pass;
  if (target.kind === 'host' && target.port !== null && target.portExplicit) return [{ port: target.port, where: `${target.host}:${target.port}` }];
  if (target.kind === 'upstream' && target.rejectedPort === null) {
    return target.upstream.servers.flatMap((server) =>
      !server.down && server.port !== null && server.portExplicit
        ? [{ port: server.port, where: `server ${server.host}:${server.port} in upstream ${target.upstream.name}` }]
        : [],
    );
  }
  return [];
}

export default defineRule({
  meta: {
    id: 'proxy-pass-scheme-mismatch',
    description: 'A `proxy_pass http://` to a TLS port (443, 8443), or `https://` to a plain HTTP port (80, 8080): every request gets 502.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // The scheme is only wrong if the port's convention holds; a port 443 that speaks plain HTTP exists. A guess.
    fixSafety: 'unsafe',
    messages: {
      httpToTls: 'proxy_pass http:// to {{where}}, a TLS port: every request gets 502 (upstream prematurely closed connection); use https://',
      httpsToPlain: 'proxy_pass https:// to {{where}}, a plain HTTP port: every request gets 502 (SSL_do_handshake() failed); use http://',
    },
    details: {
      httpToTls:
        'nginx sends a plain HTTP request to {{where}}, and port {{port}} conventionally speaks TLS: the backend reads a request that is not a TLS handshake and closes the connection, so every request gets 502 "upstream prematurely closed connection while reading response header from upstream" (measured with real nginx). Use https:// (and proxy_ssl_server_name on for a host name), or the backend\'s plain HTTP port.',
      httpsToPlain:
        'nginx starts a TLS handshake with {{where}}, and port {{port}} conventionally speaks plain HTTP: every request gets 502 "SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream" (measured with real nginx). Use http://, or the backend\'s TLS port.',
    },
  },
  check({ model, report }) {
    for (const pass of model.proxyPasses) {
      if (pass.module !== 'proxy' || (pass.scheme !== 'http' && pass.scheme !== 'https')) continue;
      const wrong = portsOf(pass).find(({ port }) => (pass.scheme === 'http' ? TLS_PORTS : PLAIN_PORTS).has(port));
      if (!wrong) continue;
      const argument = pass.node.directive.args[0]!;
      const fixedScheme = pass.scheme === 'http' ? 'https://' : 'http://';
      const rest = argument.raw.replace(/^["']?https?:\/\//i, '');
      const quoted = argument.raw !== argument.value;
      report({
        node: pass.node,
        token: argument,
        messageId: pass.scheme === 'http' ? 'httpToTls' : 'httpsToPlain',
        data: { where: wrong.where, port: wrong.port },
        ...(quoted || !model.appearsOnce(pass.node) ? {} : { fix: replaceToken(pass.node.directive.file, argument, `${fixedScheme}${rest}`) }),
      });
    }
  },
});
