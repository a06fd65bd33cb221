/**
 * A `*_pass` or upstream `server` whose host is `localhost`. nginx resolves the name once, at start-up, to every
 * address the system gives it — with the usual /etc/hosts, `::1` and `127.0.0.1` — and balances between them round
 * robin, as between the servers of an upstream block. A backend that listens on one address family refuses every
 * connection to the other.
 *
 * Measured (lab scenario 4, backend on 127.0.0.1 only): with nginx's default retries, 200 for 40 of 40 requests and
 * `connect() failed (111: Connection refused) while connecting to upstream, upstream: "http://[::1]:PORT/"` plus
 * `upstream server temporarily disabled` in the error log; with `proxy_next_upstream off`, one 502 per fail_timeout
 * window per worker (4 in 9 s with fail_timeout=1s). So the finding is an error only where retrying is off.
 *
 * Only `localhost` itself, in any case: the common hosts files (Debian, RHEL, Alpine, macOS, Docker's) map it to
 * both addresses. `ip6-localhost` is `::1` alone, so no second address; `localhost.` is not in hosts files, and
 * glibc does not match it there (`host not found in upstream "localhost.:3000"` with nginx 1.22.1 on Debian).
 */
import { retryPolicyOf, type Model, type ProxyPass, type TextRange } from '../src/model/index.js';
import { defineRule, type RuleContext, type TextChange } from '../src/lint/rule.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { formatNginxTime } from '../src/nginx/units.js';
import { dualStackPortsOf, everyAddressPortsOf } from '../src/context/index.js';

const LOOPBACK_NAME = 'localhost';
const IPV4_LOOPBACK = '127.0.0.1';
const IPV6_LOOPBACK = '[::1]';

const REFUSED = '"connect() failed (111: Connection refused) while connecting to upstream"';
const DISABLED = '"upstream server temporarily disabled"';

/**
 * What nginx gives each address of a host named in a `*_pass` itself (an implicit upstream): the defaults of an
 * upstream `server`, which nothing can change there (ngx_http_upstream_init_round_robin).
 */
const IMPLICIT_MAX_FAILS = 1;
const IMPLICIT_FAIL_TIMEOUT_MS = 10_000;

/** A statement that names `localhost`, with what decides how often the address it cannot reach is tried. */
interface LocalhostTarget {
  readonly node: ConfigNode;
  /** `proxy_pass to localhost:3000`, `server localhost:3000 in upstream app`: what the finding is about. */
  readonly subject: string;
  /** `localhost` as written, in its case. */
  readonly host: string;
  /** Where the host is in the file; null when quoting hides it, and then nothing is fixed. */
  readonly hostRange: TextRange | null;
  /** Failures before nginx stops trying the address for `failTimeoutMs`; 0 never stops. Null: a value nginx rejects. */
  readonly maxFails: number | null;
  readonly failTimeoutMs: number | null;
  /** The passes that send requests here. */
  readonly passes: readonly ProxyPass[];
}

function isLocalhost(host: string | null): host is string {
  return host !== null && host.toLowerCase() === LOOPBACK_NAME;
}

/**
 * The statement that keeps nginx from trying the other address after a refused connection where `pass` stands, or
 * null when nginx retries: `*_next_upstream` without `error` (or with `off`, which overrides the rest of the list),
 * or `*_next_upstream_tries 1`.
 */
function retryBlocker(model: Model, pass: ProxyPass): ConfigNode | null {
  const policy = retryPolicyOf(model, pass);
  const { conditions } = policy;
  if (policy.conditionsSetBy && (conditions.includes('off') || !conditions.includes('error'))) return policy.conditionsSetBy;
  return policy.tries === 1 ? policy.triesSetBy : null;
}

/** `once per fail_timeout (10s) per worker`: how often nginx tries the address that refuses. */
function failureFrequency(maxFails: number | null, failTimeoutMs: number | null): string {
  if (maxFails === 0) return 'for every request it sends there (max_fails=0 never takes the address out of turn)';
  if (maxFails === null || failTimeoutMs === null) return 'each time it tries that address';
  const times = maxFails === 1 ? 'once' : `${maxFails} times`;
  return `${times} per fail_timeout (${formatNginxTime(failTimeoutMs)}) per worker`;
}

function replaceHost(node: ConfigNode, hostRange: TextRange, address: string): TextChange[] {
  return [{ file: node.directive.file, start: hostRange.start, end: hostRange.end, text: address }];
}

function report(context: RuleContext<Record<string, unknown>>, target: LocalhostTarget): void {
  const { model } = context;
  const { node, subject, host, hostRange, maxFails, failTimeoutMs } = target;
  const blocker = target.passes.map((pass) => retryBlocker(model, pass)).find((found) => found !== null) ?? null;
  const frequency = failureFrequency(maxFails, failTimeoutMs);
  const consequence = blocker
    ? `${statementText(blocker)} at ${model.where(blocker)} keeps nginx from retrying on the other address, so it answers 502 ${REFUSED} ${frequency}`
    : // max_fails=0 never marks the address failed, so nginx never logs that it disabled it.
      `nginx logs ${REFUSED}${maxFails === 0 ? '' : ` and ${DISABLED}`} ${frequency} and retries on the other address, so clients see no error`;
  context.report({
    node,
    messageId: blocker ? 'localhostNoRetry' : 'localhostRetried',
    data: { subject, host, consequence, blocker: blocker ? statementText(blocker) : '' },
    // Retries hide the refused address from clients (200 for 40 of 40 in the lab): only the error log shows it.
    ...(blocker ? {} : { severity: 'warn' as const }),
    ...(hostRange
      ? {
          span: { file: node.directive.file, ...hostRange },
          fix: replaceHost(node, hostRange, IPV4_LOOPBACK),
          suggestions: [{ messageId: 'useIpv6', changes: replaceHost(node, hostRange, IPV6_LOOPBACK) }],
        }
      : {}),
  });
}

/** `localhost:3000` as written, or `localhost` when no port is. */
function addressText(host: string, port: number | null, portExplicit: boolean): string {
  return portExplicit && port !== null ? `${host}:${port}` : host;
}

export default defineRule({
  meta: {
    id: 'proxy-pass-localhost',
    description:
      'A `proxy_pass` or upstream `server` names `localhost`, which nginx resolves to both ::1 and 127.0.0.1: a backend listening on only one refuses the other, a 502 where retries are off.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // 127.0.0.1 breaks a backend that listens on ::1 only (0 to 40/40 502s measured), so the rewrite is unsafe.
    fixSafety: 'unsafe',
    messages: {
      localhostNoRetry: '{{subject}}: localhost is ::1 and 127.0.0.1, and {{blocker}} stops retries: 502 when the backend listens on one',
      localhostRetried: '{{subject}}: localhost is ::1 and 127.0.0.1, so a backend on one of them logs refused connections',
      useIpv6: 'Use [::1], for a backend that listens on IPv6 only',
    },
    details: {
      localhostNoRetry:
        '{{subject}}: nginx resolves {{host}} once at start-up to all its addresses, usually ::1 and 127.0.0.1, and takes turns between them, so a backend listening on only one refuses the other. {{consequence}}; write 127.0.0.1 instead of {{host}}, or [::1] if the backend listens on IPv6 only',
      localhostRetried:
        '{{subject}}: nginx resolves {{host}} once at start-up to all its addresses, usually ::1 and 127.0.0.1, and takes turns between them, so a backend listening on only one refuses the other. {{consequence}}; write 127.0.0.1 instead of {{host}}, or [::1] if the backend listens on IPv6 only',
    },
  },
  check(context) {
    const { model } = context;
    // A program that shares nginx's network and listens on every address (PHP-FPM of a php:*-fpm image nginx is
    // installed on, or of another container of nginx's pod; a program supervisord starts beside nginx, gitlab-pages'
    // `-listen-proxy :8090`): ::1 and 127.0.0.1 reach it alike.
    // Read only for a pass to localhost: the programs are read from the repository's files.
    const service = model.composeService;
    let dualStack: ReadonlySet<number> | undefined;
    const reachedAlike = (port: number | null) =>
      port !== null &&
      (dualStack ??= new Set([
        ...[service?.builtOn ?? null, ...(service?.podImages ?? [])].flatMap((image) => dualStackPortsOf(image)),
        ...model.programsBesideNginx.flatMap((program) => everyAddressPortsOf(program.words).map((listen) => listen.port)),
      ])).has(port);

    for (const pass of model.proxyPasses) {
      const target = pass.target;
      if (target.kind !== 'host' || !isLocalhost(target.host) || reachedAlike(target.port)) continue;
      report(context, {
        node: pass.node,
        subject: `${pass.node.directive.name} to ${addressText(target.host, target.port, target.portExplicit)}`,
        host: target.host,
        hostRange: target.hostRange,
        maxFails: IMPLICIT_MAX_FAILS,
        failTimeoutMs: IMPLICIT_FAIL_TIMEOUT_MS,
        passes: [pass],
      });
    }

    // Every upstream block, not only those a `*_pass` names literally: `proxy_pass http://$backend` may pick any.
    for (const upstream of model.upstreams.values()) {
      for (const server of upstream.servers) {
        // A `down` server gets no requests; one with `resolve` is looked up by nginx's own resolver in DNS while
        // running, not in /etc/hosts at start-up.
        if (server.down || server.resolve || !isLocalhost(server.host) || reachedAlike(server.port)) continue;
        report(context, {
          node: server.node,
          subject: `server ${addressText(server.host, server.port, server.portExplicit)} in upstream ${upstream.name}`,
          host: server.host,
          hostRange: server.hostRange,
          maxFails: server.maxFails,
          failTimeoutMs: server.failTimeoutMs,
          // A pass that names the block with a port (`app:8080`) is one nginx refuses: it sends nothing.
          passes: model.proxyPasses.filter(
            (pass) => pass.target.kind === 'upstream' && pass.target.upstream === upstream && pass.target.rejectedPort === null,
          ),
        });
      }
    }
  },
});
