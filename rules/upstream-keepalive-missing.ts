import { insertStatementsInBlock } from '../src/syntax/edits.js';
import { defineRule } from '../src/lint/rule.js';
import { formatNginxTime } from '../src/nginx/units.js';
import { CONNECTION_CHURN_COST, keepaliveTimeoutBelow, proxyPassesByUpstream, shortestBackendIdleTimeout } from '../src/model/keepalive.js';

/** Idle connections cached per worker: what nginx 1.29.7 made the default, so upgrading later changes nothing. */
const KEEPALIVE_CONNECTIONS = 32;
const keepaliveStatement = `keepalive ${KEEPALIVE_CONNECTIONS};`;

/**
 * The `keepalive_timeout` written when no backend idle timeout is known: below the shortest default among common
 * application servers (Gunicorn closes idle connections after 2s; Node.js, uvicorn and Apache after 5s). nginx's own
 * 60s default would let any of them close connections nginx is about to reuse — 502s for POSTs, a worse problem than
 * the one fixed. A busy upstream reuses its connections well within a second; an idle one is no worse off than now.
 */
const KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND = '1s';

export default defineRule({
  meta: {
    id: 'upstream-keepalive-missing',
    description:
      'An upstream block used by proxy_pass caches no connections (no keepalive), so nginx opens and closes a backend connection for every request.',
    category: 'performance',
    severity: 'warn',
    presets: ['recommended'],
    fixable: true,
    // From 1.29.7 nginx caches connections of every upstream block by default (`keepalive 32 local`).
    nginxVersions: '<1.29.7',
  },
  check({ model, report }) {
    for (const upstream of proxyPassesByUpstream(model).keys()) {
      if (upstream.keepalive !== null) continue;

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
        message:
          `upstream ${upstream.name} caches no connections (no keepalive), so nginx closes every backend connection after its response: ` +
          `no 502 and no error_log line, but ${CONNECTION_CHURN_COST}. Add keepalive ${KEEPALIVE_CONNECTIONS} and ${timeoutAdvice}; ` +
          `the locations that proxy to it also need proxy_http_version 1.1 and proxy_set_header Connection "" (proxy-keepalive-disabled)`,
        fix: insertStatementsInBlock(upstream.node, timeoutStatement ? [keepaliveStatement, timeoutStatement] : [keepaliveStatement], 'end'),
      });
    }
  },
});
