import { insertStatementsInBlock } from '../src/syntax/edits.js';
import { defineRule } from '../src/lint/rule.js';
import type { ServiceBehindServer } from '../src/model/index.js';
import type { Upstream } from '../src/model/upstreams.js';
import { formatNginxTime } from '../src/nginx/units.js';
import {
  CONNECTION_CHURN_COST,
  forwardsUpgrade,
  KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND,
  keepaliveTimeoutBelow,
  proxyPassesByUpstream,
  shortestBackendIdleTimeout,
} from '../src/model/keepalive.js';

/** Idle connections cached per worker: what nginx 1.29.7 made the default, so upgrading later changes nothing. */
const KEEPALIVE_CONNECTIONS = 32;
const keepaliveStatement = `keepalive ${KEEPALIVE_CONNECTIONS};`;

export default defineRule({
  meta: {
    id: 'upstream-keepalive-missing',
    description:
      'An upstream block used by proxy_pass caches no connections (no keepalive), so nginx opens and closes a backend connection for every request.',
    category: 'performance',
    severity: 'warn',
    presets: ['recommended'],
    fixable: true,
    // Safe because the keepalive always comes with a keepalive_timeout below the backend's idle timeout (1s when it
    // is unknown), so the pool cannot outlive the backend's connections; see the rule's page.
    fixSafety: 'safe',
    messages: {
      noKeepalive: 'upstream {{upstream}} caches no connections: a new backend connection per request; add keepalive {{connections}}',
    },
    details: {
      noKeepalive:
        'upstream {{upstream}} caches no connections (no keepalive), so nginx closes every backend connection after its response: no 502 and no error_log line, but {{churnCost}}. Add keepalive {{connections}} and {{timeoutAdvice}}; the locations that proxy to it also need proxy_http_version 1.1 and proxy_set_header Connection "" (proxy-keepalive-disabled)',
    },
    // From 1.29.7 nginx caches connections of every upstream block by default (`keepalive 32 local`).
    nginxVersions: '<1.29.7',
  },
  check({ model, report }) {
    for (const [upstream, passes] of proxyPassesByUpstream(model)) {
      if (upstream.keepalive !== null) continue;
      // Upgraded (websocket) connections are never returned to a pool: an upstream only websockets use has none to keep.
      if (passes.every((pass) => forwardsUpgrade(model, pass))) continue;
      // A backend that closes every connection after its response (gunicorn's sync worker) leaves a pool empty: the
      // advice would change nothing.
      if (closesEveryConnection(upstream, model.servicesBehindUpstream(upstream))) continue;

      // The timeout comes with the keepalive: without it the fix would set up the race the lab turned into 502s.
      const backend = shortestBackendIdleTimeout(model, upstream);
      let timeoutStatement: string | null = null;
      let timeoutAdvice: string;
      if (upstream.keepaliveTimeout.node !== null) {
        timeoutAdvice = `keep the block's keepalive_timeout below the backend's idle timeout (upstream-keepalive-timeout-race checks it)`;
      } else if (backend) {
        const { keepAliveTimeout, service } = backend;
        const target = formatNginxTime(keepaliveTimeoutBelow(keepAliveTimeout.value));
        timeoutStatement = `keepalive_timeout ${target};`;
        timeoutAdvice =
          `keepalive_timeout ${target}, below the ${keepAliveTimeout.text} after which ${service.name} closes idle connections ` +
          `(${keepAliveTimeout.origin.label} says keepAliveTimeout ${keepAliveTimeout.text})`;
      } else {
        timeoutStatement = `keepalive_timeout ${KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND};`;
        timeoutAdvice =
          `keepalive_timeout ${KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND} or, once the backend's idle timeout is known ` +
          `(declare keepAliveTimeout, see docs/services.md), just below it: ` +
          `the default 60s outlasts most application servers', which then close connections nginx reuses, a 502 for POSTs`;
      }

      report({
        node: upstream.node,
        messageId: 'noKeepalive',
        data: { upstream: upstream.name, connections: KEEPALIVE_CONNECTIONS, churnCost: CONNECTION_CHURN_COST, timeoutAdvice },
        fix: insertStatementsInBlock(upstream.node, timeoutStatement ? [keepaliveStatement, timeoutStatement] : [keepaliveStatement], 'end'),
      });
    }
  },
});

/** Every live server of the upstream is a known service that closes each connection after its response. */
function closesEveryConnection(upstream: Upstream, behind: readonly ServiceBehindServer[]): boolean {
  const live = upstream.servers.filter((server) => !server.down);
  return live.length > 0 && live.every((server) => behind.some((entry) => entry.server === server && entry.service.closesConnections !== undefined));
}
