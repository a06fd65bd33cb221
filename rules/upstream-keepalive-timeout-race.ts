import { insertStatementAfter, insertStatementsInBlock, replaceArgs } from '../src/fixer.js';
import { KEEPALIVE_BY_DEFAULT_SINCE, retryPolicyOf, type Model, type ProxyPass, type RetryPolicy, type Upstream } from '../src/model.js';
import { defineRule } from '../src/rule.js';
import type { Fact, ServiceFacts } from '../src/services/index.js';
import { formatNginxTime } from '../src/units.js';
import { reusesConnections } from './proxy-keepalive-disabled.js';

/** The backend that closes idle connections first among an upstream's servers, and the fact that says so. */
export interface BackendIdleTimeout {
  readonly service: ServiceFacts;
  readonly keepAliveTimeout: Fact<number>;
}

/**
 * The shortest `keepAliveTimeout` known for the services behind the upstream's servers, or null when none is known.
 * A `down` server gets no requests; a timeout of 0 means the application never closes idle connections.
 */
export function shortestBackendIdleTimeout(model: Model, upstream: Upstream): BackendIdleTimeout | null {
  let shortest: BackendIdleTimeout | null = null;
  for (const { service, server } of model.servicesBehindUpstream(upstream)) {
    const keepAliveTimeout = service.keepAliveTimeout;
    if (server.down || !keepAliveTimeout || keepAliveTimeout.value <= 0) continue;
    if (!shortest || keepAliveTimeout.value < shortest.keepAliveTimeout.value) shortest = { service, keepAliveTimeout };
  }
  return shortest;
}

const SECOND_MS = 1000;

/**
 * The `keepalive_timeout` fixes write for a backend that closes idle connections after `backendMs`: a second less —
 * room for a stalled event loop (the lab's race needed a 150 ms stall), the network and timer slack — but never
 * less than half the backend's timeout, so short timeouts keep a useful pool. From one second up the value is
 * rounded down to whole seconds, which reads better and only widens the margin: 5s gives 4s, 65s gives 64s, 2s gives
 * 1s, 1s gives 500ms. Node.js (20.20 and later) closes a second after its `keepAliveTimeout`, so for Node the margin
 * is two seconds.
 */
export function keepaliveTimeoutBelow(backendMs: number): number {
  const target = backendMs - Math.min(SECOND_MS, backendMs / 2);
  const rounded = target >= SECOND_MS ? Math.floor(target / SECOND_MS) * SECOND_MS : Math.floor(target);
  return Math.max(1, rounded);
}

/** The HTTP `proxy_pass`es of each upstream block, in source order; a pass nginx refuses (`api:8080`) is left out. */
export function proxyPassesByUpstream(model: Model): Map<Upstream, ProxyPass[]> {
  const byUpstream = new Map<Upstream, ProxyPass[]>();
  for (const pass of model.proxyPasses) {
    if (pass.module !== 'proxy' || pass.target.kind !== 'upstream' || pass.target.rejectedPort !== null) continue;
    const list = byUpstream.get(pass.target.upstream);
    if (list) list.push(pass);
    else byUpstream.set(pass.target.upstream, [pass]);
  }
  return byUpstream;
}

const RACE_LOG_LINES =
  'error_log "recv() failed (104: Connection reset by peer) while reading response header from upstream" or "upstream prematurely closed connection while reading response header from upstream"';

/** `proxy_next_upstream error timeout at conf.d/api.conf:7`, for messages; null when the default applies. */
function retryStatement(model: Model, policy: RetryPolicy): string | null {
  return policy.conditionsSetBy ? `proxy_next_upstream ${policy.conditions.join(' ')} at ${model.where(policy.conditionsSetBy)}` : null;
}

/**
 * What clients see when the backend closed a pooled connection under a request (ngx_http_upstream_next): a failure
 * on a cached connection earns an extra try, but nginx retries only if `proxy_next_upstream` has `error`, and POST,
 * PATCH and LOCK only if it has `non_idempotent` too.
 */
function outcomeOf(model: Model, passes: readonly ProxyPass[]): { readonly text: string; readonly clientsGet502: boolean } {
  const policies = passes.map((pass) => retryPolicyOf(model, pass));
  const retriesErrors = (policy: RetryPolicy) => policy.conditions.includes('error');
  if (policies.every((policy) => retriesErrors(policy) && policy.conditions.includes('non_idempotent'))) {
    return {
      text: `nginx writes ${RACE_LOG_LINES} and retries the request on a new connection (proxy_next_upstream … non_idempotent), so clients get no 502`,
      clientsGet502: false,
    };
  }
  const withoutRetry = policies.find((policy) => !retriesErrors(policy));
  const gets = withoutRetry
    ? `so do GETs, which ${retryStatement(model, withoutRetry) ?? 'proxy_next_upstream'} keeps from being retried`
    : 'GETs are retried on a new connection and leave only the log line';
  return { text: `POST and PATCH requests get 502 with ${RACE_LOG_LINES}; ${gets}`, clientsGet502: true };
}

export default defineRule({
  meta: {
    id: 'upstream-keepalive-timeout-race',
    description:
      "An upstream keeps idle connections at least as long as the backend does (keepalive_timeout, default 60s, not below the application's keepAliveTimeout), so the backend closes connections nginx reuses: 502 for POST and PATCH.",
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
  },
  check({ model, report }) {
    for (const [upstream, passes] of proxyPassesByUpstream(model)) {
      const nginxMs = upstream.keepaliveTimeout.ms;
      if (!upstream.keepaliveEffective || nginxMs === null) continue;
      const backend = shortestBackendIdleTimeout(model, upstream);
      if (!backend || nginxMs < backend.keepAliveTimeout.value) continue;

      const timeoutNode = upstream.keepaliveTimeout.node;
      const keepaliveNode = upstream.keepalive?.node ?? null;
      const { version, explicit } = model.nginxVersion;
      const nginxTimeout = timeoutNode
        ? timeoutNode.directive.args[0]!.raw
        : (model.effective(upstream.node, 'keepalive_timeout').default ?? formatNginxTime(nginxMs));
      const idleFor = `${nginxTimeout}${timeoutNode ? '' : ' (the keepalive_timeout default)'}`;
      const assumed = explicit ? '' : `; nginx ${version} is assumed, set nginxVersion to yours`;
      const pooling = keepaliveNode
        ? `upstream ${upstream.name} keeps cached connections idle for ${idleFor}`
        : `nginx ${version} caches connections to upstream ${upstream.name} by default (keepalive ${model.effective(upstream.node, 'keepalive').default} since ${KEEPALIVE_BY_DEFAULT_SINCE}${assumed}) and keeps them idle for ${idleFor}`;
      const { keepAliveTimeout, service } = backend;
      // Connections are reused only where the location speaks HTTP/1.1 without "Connection: close"; until one does,
      // the race is a 502 waiting for that fix.
      const reusing = passes.filter((pass) => reusesConnections(model, pass));
      const outcome = outcomeOf(model, reusing.length > 0 ? reusing : passes);
      const race =
        reusing.length > 0
          ? `so ${service.name} closes pooled connections as nginx reuses them`
          : `so once its locations keep connections alive (none does yet: see proxy-keepalive-disabled), ${service.name} will close pooled connections as nginx reuses them`;
      const target = formatNginxTime(keepaliveTimeoutBelow(keepAliveTimeout.value));

      report({
        node: timeoutNode ?? keepaliveNode ?? upstream.node,
        message:
          `${pooling}, not less than the ${keepAliveTimeout.text} after which the backend closes them (${keepAliveTimeout.origin.label} says keepAliveTimeout ${keepAliveTimeout.text} for ${service.name}), ` +
          `${race}: ${outcome.text}. ` +
          `Set keepalive_timeout ${target} in upstream ${upstream.name}, or raise the backend's keepAliveTimeout above ${nginxTimeout}`,
        // Findings that are no 502 today are warnings: keepalive only inferred from an assumed nginx version, no
        // location reusing connections yet, or retries that keep the 502 from clients.
        ...((!keepaliveNode && !explicit) || reusing.length === 0 || !outcome.clientsGet502 ? { severity: 'warn' as const } : {}),
        fix: timeoutNode
          ? replaceArgs(timeoutNode, [target])
          : keepaliveNode
            ? insertStatementAfter(keepaliveNode, `keepalive_timeout ${target};`)
            : insertStatementsInBlock(upstream.node, [`keepalive_timeout ${target};`], 'end'),
      });
    }
  },
});
