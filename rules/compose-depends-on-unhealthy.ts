/**
 * The Compose service that runs nginx starts as soon as the services it proxies to have started — not when they
 * listen. Until the app binds its port, every request nginx sends there is refused: 502 `connect() failed (111:
 * Connection refused) while connecting to upstream` (measured: test/reality/compose-depends-on-unhealthy.test.ts, a
 * backend that listens 1.5 s after start). `depends_on` with `condition: service_healthy` and a `healthcheck` on the
 * app make Compose wait until the app answers.
 *
 * Only for services nginx really proxies to, read from the model; reported at the line of the Compose file.
 *
 * With no `depends_on` at all (nor `links`, `volumes_from` or a `network_mode: service:…`, which order the start too),
 * Compose starts nginx and the app at the same time (src/context/compose-start-order.ts). Docker's DNS knows the app's
 * name only once its container has started, and nginx resolves a name written without variables (a `proxy_pass` host,
 * an upstream `server` without `resolve`) while loading its configuration: started first, it exits with `[emerg] host
 * not found in upstream` (measured: test/reality/compose-depends-on-unhealthy.test.ts, exit status 1). A pass through
 * a variable with a `resolver`, or a `server … resolve`, does not fail at start: it is left alone.
 */
import path from 'node:path';
import type { UnorderedStart } from '../src/context/compose-start-order.js';
import { defineRule, type RuleContext } from '../src/lint/rule.js';
import type { ConfigNode } from '../src/load/tree.js';
import { isIpAddress, type ServiceBehind } from '../src/model/index.js';
import { lineAt, offsetAt, type SourceFile } from '../src/syntax/ast.js';

export default defineRule({
  meta: {
    id: 'compose-depends-on-unhealthy',
    description:
      'The Compose service running nginx `depends_on` a service it proxies to without `condition: service_healthy`, or that service has no `healthcheck`: 502s while the app starts; with no `depends_on` at all, nginx may start first and exit on a name not yet known.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: false,
    messages: {
      notHealthy:
        'depends_on {{service}} waits for it to start, not to listen: 502 (connection refused) until it does; use condition: service_healthy',
      noHealthcheck: '{{service}} has no healthcheck, so nginx cannot wait for it to listen: 502 (connection refused) while it starts',
      missing: 'no depends_on {{service}}: nginx may start before it and exit with "host not found in upstream" ({{address}})',
    },
    details: {
      notHealthy:
        'Compose starts {{nginx}} as soon as {{service}} has started (depends_on without a condition means service_started). {{service}} then needs time to bind its port, and every request nginx proxies there meanwhile gets 502 "connect() failed (111: Connection refused) while connecting to upstream" (measured with real nginx and a backend that listens late). {{remedy}}',
      noHealthcheck:
        '{{nginx}} waits for {{service}} to be healthy, but {{service}} defines no healthcheck. Give it one (an HTTP request to its port) so that nginx starts only once it answers; until then requests get 502 "connect() failed (111: Connection refused) while connecting to upstream".',
      missing:
        'Nothing orders {{nginx}} after {{service}} (no depends_on, links, volumes_from or network_mode: service:{{service}}), and {{order}}. Docker\'s DNS (127.0.0.11) answers for {{service}} only once its container has started, and nginx looks up {{address}} ({{where}}) once, while loading its configuration, because it is written without variables{{resolverNote}}: if nginx starts first it stops at once with "[emerg] host not found in upstream" (measured with real nginx: exit status 1, nothing listens). {{afterExit}} Write depends_on: {{service}}: condition: service_healthy with a healthcheck on {{service}}, which also spares the 502s while it binds its port. Looking the name up per request instead (a variable in proxy_pass with resolver 127.0.0.11, or server … resolve from nginx 1.27.3) lets nginx start, answering 502 until {{service}} is up.',
    },
  },
  check({ model, report }) {
    const service = model.composeService;
    if (!service) return;
    reportUnorderedStarts(model, service.unorderedStarts ?? [], report);
    if (service.dependsOn.length === 0) return;
    const proxiedTo = new Set<string>();
    for (const pass of model.proxyPasses) for (const match of model.servicesBehind(pass)) proxiedTo.add(match.service.name);
    for (const dependency of service.dependsOn) {
      if (!proxiedTo.has(dependency.service)) continue;
      const file = model.deploymentFile(dependency.file);
      if (!file) continue;
      const healthchecked = service.healthchecked.has(dependency.service);
      // Waiting for a ready-made image that may define its own HEALTHCHECK: if it does not, Compose refuses to start
      // the stack at all — not a 502 — so there is nothing to claim.
      if (dependency.condition === 'service_healthy' && (healthchecked || service.healthcheckUnknown.has(dependency.service))) continue;
      // At the entry itself, past its indentation and list dash.
      const span = lineSpan(file, dependency.line);
      const data = {
        service: dependency.service,
        nginx: `service ${dependency.declaredBy}`,
        remedy: healthchecked
          ? `${dependency.service} has a healthcheck already: write depends_on: ${dependency.service}: condition: service_healthy.`
          : `Give ${dependency.service} a healthcheck (it has none yet) and write depends_on: ${dependency.service}: condition: service_healthy.`,
      };
      report({ span, messageId: dependency.condition === 'service_healthy' ? 'noHealthcheck' : 'notHealthy', data });
    }
  },
});

type Check = RuleContext<Record<string, unknown>>;

/** The span of a Compose file's line, past its indentation and list dash. */
function lineSpan(file: SourceFile, line: number): { file: SourceFile; start: number; end: number } {
  const lineStart = offsetAt(file, { line, column: 1 });
  const lineEnd = file.text.indexOf('\n', lineStart);
  const start = lineStart + (/^[\s-]*/.exec(file.text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd))?.[0].length ?? 0);
  return { file, start, end: lineEnd === -1 ? file.text.length : lineEnd };
}

/**
 * The services nginx resolves while loading its configuration, each with the first address naming it: hosts of passes
 * without variables and of upstream `server` lines without `resolve` (a `down` server is resolved all the same), whether
 * or not a pass uses the block. An IP address needs no lookup.
 */
interface ResolvedAtStart {
  /** The host name as nginx looks it up, lower case. */
  readonly host: string;
  readonly address: string;
  readonly node: ConfigNode;
  /** The `resolver` in effect at a pass, which nginx does not use for it. */
  readonly resolver: ConfigNode | null;
}

function resolvedAtStart(model: Check['model']): Map<string, ResolvedAtStart> {
  const names = new Map<string, ResolvedAtStart>();
  const add = (match: ServiceBehind, node: ConfigNode, resolver: ConfigNode | null): void => {
    if (match.matchedBy !== 'host' || isIpAddress(match.address.host) || names.has(match.service.name)) return;
    names.set(match.service.name, {
      host: match.address.host.toLowerCase().replace(/\.$/, ''),
      address: `${match.address.host}:${match.address.port}`,
      node,
      resolver,
    });
  };
  for (const pass of model.proxyPasses) {
    if (pass.target.kind !== 'host') continue;
    for (const match of model.servicesBehind(pass)) add(match, pass.node, pass.resolver.nodes[0] ?? null);
  }
  for (const upstream of model.upstreams.values()) {
    for (const match of model.servicesBehindUpstream(upstream)) if (!match.server.resolve) add(match, match.server.node, null);
  }
  return names;
}

/**
 * `nginx/site.conf:12`: where a statement is, from the folder of the Compose file the finding is in. A config written in
 * that Compose file itself (a here-document of a service's command, at `<compose file>/<service>/<path>`) has the
 * Compose file's own lines: `compose.yaml:16`.
 */
function fromComposeFile(composeFile: string, node: ConfigNode): string {
  const { file, start } = node.directive;
  const written = file.path.startsWith(`${composeFile}${path.sep}`) ? composeFile : file.path;
  return `${path.relative(path.dirname(composeFile), written).split(path.sep).join('/')}:${lineAt(file, start)}`;
}

function reportUnorderedStarts(model: Check['model'], starts: readonly UnorderedStart[], report: Check['report']): void {
  if (starts.length === 0) return;
  const names = resolvedAtStart(model);
  for (const start of starts) {
    const file = model.deploymentFile(start.file);
    if (!file) continue;
    for (const [service, { host, address, node, resolver }] of names) {
      if (!start.services.has(service) || start.extraHosts.has(host)) continue;
      const afterExit =
        start.restart === null
          ? `With no restart policy the container stays stopped: nothing answers on nginx's ports until someone starts it again.`
          : `With restart: ${start.restart}, Docker starts it again after a growing delay (100 ms, doubled each time) until the name resolves; until then nothing answers on nginx's ports.`;
      report({
        span: lineSpan(file, start.line),
        messageId: 'missing',
        data: {
          service,
          nginx: `service ${start.declaredBy}`,
          address,
          where: fromComposeFile(start.file, node),
          order: start.later.has(service)
            ? `Compose starts ${service} only after its own dependencies, so nginx, which waits for no more than that, will usually start first`
            : 'docker compose up starts both in the same moment, in no set order',
          resolverNote: resolver
            ? ` (the resolver in effect, ${fromComposeFile(start.file, resolver)}, does not change that: nginx uses it only for names in variables and servers marked resolve)`
            : '',
          afterExit,
        },
      });
    }
  }
}
