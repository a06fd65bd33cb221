/**
 * `proxy_pass https://NAME` (or `grpc_pass grpcs://`, `uwsgi_pass suwsgi://`) while `proxy_ssl_server_name` is
 * off, its default: nginx makes the TLS handshake without a server name (SNI). A backend that chooses its
 * certificate by name refuses it, and every request gets 502 (lab scenario 8: 10 of 10, `sslv3 alert handshake
 * failure`); with `proxy_ssl_server_name on` all 10 passed. A backend with a single certificate does not care, so
 * this is a warning.
 *
 * The name nginx sends once it is on is `proxy_ssl_name`, by default the host of the pass — for an upstream block,
 * the block's name, not its servers' (ngx_http_upstream_ssl_name). An IP address is never sent (RFC 6066), so a
 * pass to one is left alone unless `proxy_ssl_name` names a host.
 */
import { insertStatementAfter, insertStatementsInBlock } from '../src/syntax/edits.js';
import {
  type EffectiveValue,
  isIpAddress,
  type Model,
  type PassModule,
  type PassScheme,
  type ProxyPass,
  type Upstream,
  variableDestinations,
} from '../src/model/index.js';
import { defineRule, type TextChange } from '../src/lint/rule.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { listOr } from '../src/wording.js';

/**
 * The lab's line (nginx 1.22.1) without OpenSSL's error code, which differs between OpenSSL versions: 3.x logs
 * `SSL: error:0A000410:SSL routines::sslv3 alert handshake failure`, 1.1 `error:14094410:…:ssl3_read_bytes:…`.
 */
const HANDSHAKE_FAILURE = '"SSL_do_handshake() failed (… sslv3 alert handshake failure:SSL alert number 40) while SSL handshaking to upstream"';

const TLS_SCHEMES: ReadonlySet<PassScheme> = new Set(['https', 'grpcs', 'suwsgi']);

function isTls(scheme: PassScheme | null): boolean {
  return scheme !== null && TLS_SCHEMES.has(scheme);
}

/** The hosts the pass makes TLS handshakes with, each as nginx names it by default: an upstream block by its name. */
function tlsHosts(model: Model, pass: ProxyPass): string[] {
  const { target } = pass;
  if (target.kind === 'variable') {
    return [
      ...new Set(
        variableDestinations(pass, model)
          .filter((destination) => isTls(destination.scheme))
          .map((destination) => destination.host),
      ),
    ];
  }
  if (!isTls(pass.scheme)) return [];
  if (target.kind === 'host') return [target.host];
  if (target.kind === 'upstream' && target.rejectedPort === null) return [target.upstream.name];
  return [];
}

interface Advice {
  /** The statements the fix adds, `*_ssl_server_name on;` first; empty when no fix can be trusted. */
  readonly statements: readonly string[];
  /** For the message: what to add, and the name nginx then sends. */
  readonly text: string;
}

/**
 * For a pass to an upstream block without `*_ssl_name`, nginx sends the block's name. That is the intended name
 * when no server has another one; when all servers share one other name, the fix sets `*_ssl_name` to it.
 */
function upstreamAdvice(module: PassModule, upstream: Upstream, enable: string): Advice {
  const sslName = `${module}_ssl_name`;
  const serverNames = [
    ...new Set(upstream.servers.flatMap((server) => (server.host !== null && !isIpAddress(server.host) ? [server.host.toLowerCase()] : []))),
  ];
  const blockName = `${upstream.name}, the name of the upstream block`;
  if (serverNames.length === 0 || serverNames.includes(upstream.name.toLowerCase())) {
    return { statements: [`${enable};`], text: `add ${enable}; nginx then sends ${blockName}, as ${sslName} is not set` };
  }
  const [onlyName] = serverNames;
  if (serverNames.length === 1 && onlyName !== undefined) {
    return {
      statements: [`${enable};`, `${sslName} ${onlyName};`],
      text: `add ${enable} and ${sslName} ${onlyName}: without ${sslName} nginx would send ${blockName}`,
    };
  }
  return {
    statements: [],
    text: `add ${enable} and set ${sslName} to the name the servers' certificates carry: without it nginx would send ${blockName}, not ${listOr(serverNames)}`,
  };
}

/** `core`, `portal`, `localhost`: a name without a dot. */
function isSingleLabel(host: string): boolean {
  return !host.includes('.') && !isIpAddress(host);
}

/**
 * Whether every backend the pass reaches is named by a single label (a Compose service, a Kubernetes Service of the
 * same namespace, localhost) or an IP address, with no `*_ssl_name` naming one: an application of the same network
 * with a certificate of its own, not the shared host, CDN or SNI router that needs a name to choose a certificate.
 * Harbor's internal TLS (`proxy_pass https://core/` with `proxy_ssl_verify on`) works without SNI.
 */
function reachesOnlyNeighbours(pass: ProxyPass, hosts: readonly string[], sslName: EffectiveValue): boolean {
  if (sslName.nodes.length > 0 || !hosts.every((host) => isSingleLabel(host) || isIpAddress(host))) return false;
  const { target } = pass;
  return (
    target.kind !== 'upstream' ||
    target.upstream.servers.every((server) => server.host === null || !server.host.includes('.') || isIpAddress(server.host))
  );
}

/** Null when nginx would send no name even with the directive on: every host is an IP address. */
function adviceFor(model: Model, pass: ProxyPass, hosts: readonly string[], sslName: EffectiveValue): Advice | null {
  const enable = `${pass.module}_ssl_server_name on`;
  const setter = sslName.nodes[0];
  if (setter) {
    const name = sslName.values[0]?.[0] ?? '';
    if (isIpAddress(name)) return null;
    return {
      statements: [`${enable};`],
      text: `add ${enable}; nginx then sends ${name}, the name ${setter.directive.name} sets (${model.where(setter)})`,
    };
  }
  if (hosts.every(isIpAddress)) return null;
  if (pass.target.kind === 'upstream') return upstreamAdvice(pass.module, pass.target.upstream, enable);
  return { statements: [`${enable};`], text: `add ${enable}; nginx then sends ${listOr(hosts.filter((host) => !isIpAddress(host)))}` };
}

/**
 * After the pass when it stands directly in its location's file, else at the end of the location: neither
 * directive may stand in `if` or `limit_except`, and a statement in a snippet would change every file including it.
 */
function insertion(model: Model, pass: ProxyPass, statements: readonly string[]): TextChange[] | undefined {
  const location = model.enclosing(pass.node, ['location']);
  const levelFile = location?.directive.file ?? model.tree.program.entry;
  if (pass.node.parent === location && pass.node.directive.file === levelFile) {
    return model.appearsOnce(pass.node) ? insertStatementAfter(pass.node, statements.join('\n')) : undefined;
  }
  return location && model.appearsOnce(location) ? insertStatementsInBlock(location, statements, 'end') : undefined;
}

export default defineRule({
  meta: {
    id: 'proxy-ssl-server-name-missing',
    description:
      'A `proxy_pass https://` to a host name without `proxy_ssl_server_name on`: nginx sends no SNI, and a backend that needs it fails every handshake with 502.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: true,
    // Sending SNI where none was sent: a backend that ignores SNI is unaffected, and the name sent is the one nginx
    // already uses to verify the certificate; see the rule's page.
    fixSafety: 'safe',
    messages: {
      noSni: '{{statement}} sends no SNI ({{directive}} is off): a backend that needs SNI fails every handshake with 502',
    },
    details: {
      noSni:
        '{{statement}} sends no server name (SNI) in its TLS handshake, as {{directive}} is off by default: a backend that needs one to choose its certificate (a CDN, a shared or SNI-routed host, most managed services) refuses the handshake, and every request gets 502 {{handshakeFailure}}. To fix it, {{advice}}',
    },
    nginxVersions: '>=1.7.0',
  },
  check({ model, report }) {
    // Two passes in one location (one in an `if`) would each add the directive; nginx rejects a duplicate.
    const locationsFixed = new Set<ConfigNode | null>();

    for (const pass of model.proxyPasses) {
      const hosts = tlsHosts(model, pass);
      if (hosts.length === 0) continue;
      const serverName = `${pass.module}_ssl_server_name`;
      // Set at any level, even to `off`, it is a choice: some backends mishandle SNI.
      if (model.effective(pass.node, serverName).source !== 'default') continue;
      const sslName = model.effective(pass.node, `${pass.module}_ssl_name`);
      if (reachesOnlyNeighbours(pass, hosts, sslName)) continue;
      const advice = adviceFor(model, pass, hosts, sslName);
      if (!advice) continue;

      const location = model.enclosing(pass.node, ['location']);
      const fix = advice.statements.length > 0 && !locationsFixed.has(location) ? insertion(model, pass, advice.statements) : undefined;
      if (fix) locationsFixed.add(location);
      report({
        node: pass.node,
        messageId: 'noSni',
        data: { statement: statementText(pass.node), directive: serverName, handshakeFailure: HANDSHAKE_FAILURE, advice: advice.text },
        ...(fix ? { fix } : {}),
      });
    }
  },
});
