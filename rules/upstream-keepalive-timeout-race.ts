import { insertStatementAfter, insertStatementsInBlock, replaceArgs } from '../src/syntax/edits.js';
import { KEEPALIVE_BY_DEFAULT_SINCE, retryPolicyOf, type Model, type ProxyPass, type RetryPolicy } from '../src/model/index.js';
import { defineRule } from '../src/lint/rule.js';
import { formatNginxTime } from '../src/nginx/units.js';
import { keepaliveTimeoutBelow, proxyPassesByUpstream, reusesConnections, shortestBackendIdleTimeout } from '../src/model/keepalive.js';

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
    // Lowering the idle time of cached connections only closes them sooner; nothing that worked stops working.
    fixSafety: 'safe',
    messages: {
      race: 'upstream {{upstream}} keeps idle connections {{nginxTimeout}}, not less than the {{backendTimeout}} of {{service}}{{assumed}}: {{consequence}}; set keepalive_timeout {{target}}',
    },
    details: {
      race: "{{pooling}}, not less than the {{backendTimeout}} after which the backend closes them ({{origin}} says keepAliveTimeout {{backendTimeout}} for {{service}}), {{race}}: {{outcome}}. Set keepalive_timeout {{target}} in upstream {{upstream}}, or raise the backend's keepAliveTimeout above {{nginxTimeout}}",
    },
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
      const assumedBackend = keepAliveTimeout.basis === 'default';

      report({
        node: timeoutNode ?? keepaliveNode ?? upstream.node,
        messageId: 'race',
        data: {
          upstream: upstream.name,
          nginxTimeout,
          service: service.name,
          backendTimeout: keepAliveTimeout.text,
          origin: keepAliveTimeout.origin.label,
          consequence: outcome.clientsGet502 && reusing.length > 0 ? 'POSTs get 502' : 'a 502 risk for POSTs',
          assumed: assumedBackend ? ` (${service.server ?? 'its server'}'s default, assumed)` : '',
          pooling,
          race,
          outcome: outcome.text,
          target,
        },
        // Findings that are no 502 today are warnings: keepalive only inferred from an assumed nginx version, no
        // location reusing connections yet, or retries that keep the 502 from clients.
        // So are findings that rest on a backend timeout assumed from its server's documented default.
        ...((!keepaliveNode && !explicit) || reusing.length === 0 || !outcome.clientsGet502 || assumedBackend ? { severity: 'warn' as const } : {}),
        fix: timeoutNode
          ? replaceArgs(timeoutNode, [target])
          : keepaliveNode
            ? insertStatementAfter(keepaliveNode, `keepalive_timeout ${target};`)
            : insertStatementsInBlock(upstream.node, [`keepalive_timeout ${target};`], 'end'),
      });
    }
  },
});
