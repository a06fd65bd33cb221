/**
 * The per-worker limits nginx runs out of under load, checked against each other:
 *
 * - `worker_rlimit_nofile` below twice `worker_connections`: every connection is a descriptor, a proxied request
 *   holds two (client and upstream), and a response buffered to a temporary file or a static file takes one more.
 *   Up to `worker_connections` itself the worker runs out of descriptors before it reaches its connection limit;
 * - `worker_connections` no larger than the idle connections the upstream keepalive pools may keep (each pool holds
 *   up to `keepalive N` per worker): full pools leave no slot for clients.
 *
 * Measured with nginx 1.22.1 (see docs/rules/worker-limits-too-low.md): descriptors running out gives 500 with
 * `socket() failed (24: Too many open files) while connecting to upstream`; connection slots running out resets
 * clients with no response and no access log line, and one `worker_connections are not enough` warning a second.
 */
import { defineRule } from '../src/lint/rule.js';
import type { Model, Upstream } from '../src/model/index.js';
import type { ConfigNode } from '../src/load/tree.js';
import { replaceArgs } from '../src/syntax/edits.js';
import { statementText } from '../src/load/tree.js';

/** nginx's `worker_connections` default. */
const DEFAULT_WORKER_CONNECTIONS = 512;
/** Idle connections an upstream block keeps per worker without a `keepalive` of its own, from nginx 1.29.7. */
const DEFAULT_KEEPALIVE_CONNECTIONS = 32;

function count(node: ConfigNode | undefined): number | null {
  const text = node?.directive.args[0]?.value;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : null;
}

/** The upstream blocks some `*_pass` uses that keep idle connections, with how many each may keep per worker. */
function pools(model: Model): { upstream: Upstream; connections: number }[] {
  const used = new Set<Upstream>();
  for (const pass of model.proxyPasses) if (pass.target.kind === 'upstream') used.add(pass.target.upstream);
  return [...used]
    .filter((upstream) => upstream.keepaliveEffective)
    .map((upstream) => ({ upstream, connections: upstream.keepalive?.connections ?? DEFAULT_KEEPALIVE_CONNECTIONS }));
}

/**
 * Whether the whole configuration is seen and passes nothing to a backend: no `*_pass`, no include nginx-lint could
 * not read, and no wildcard include, whose files may be mounted or written where the repository does not show
 * (laradock mounts its sites from a path a variable names). Then nginx opens no upstream socket().
 */
function passesNothing(model: Model): boolean {
  if (model.proxyPasses.length > 0) return false;
  if (model.tree.problems.some((problem) => problem.kind === 'include-not-found')) return false;
  return !model.nodes('include').some((node) => /[*?[]/.test(node.directive.args[0]?.value ?? ''));
}

export default defineRule({
  meta: {
    id: 'worker-limits-too-low',
    description:
      'worker_rlimit_nofile below twice worker_connections, or worker_connections no larger than the upstream keepalive pools: under load nginx answers 500 or resets clients.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // Raising the descriptor limit fails with an alert, keeping the old one, where the master may not raise it.
    fixSafety: 'unsafe',
    messages: {
      rlimitBelowConnections:
        'worker_rlimit_nofile {{rlimit}} is not above worker_connections {{connections}}: descriptors run out first, 500 "socket() failed (24: Too many open files)"; use worker_rlimit_nofile {{needed}}',
      rlimitBelowConnectionsFiles:
        'worker_rlimit_nofile {{rlimit}} is not above worker_connections {{connections}}: descriptors run out first, 500 "open() failed (24: Too many open files)" for the files it serves; use worker_rlimit_nofile {{needed}}',
      rlimitBelowTwiceConnections:
        'worker_rlimit_nofile {{rlimit}} is below twice worker_connections {{connections}}: proxied requests and files can run out of descriptors, 500 "Too many open files"; use worker_rlimit_nofile {{needed}}',
      poolsFillConnections:
        '{{statement}} is no more than the {{pooled}} idle connections the keepalive pools of {{upstreams}} may keep per worker: full pools leave clients no connection',
    },
    details: {
      rlimitBelowConnections:
        'worker_rlimit_nofile {{rlimit}} lets each worker open {{rlimit}} descriptors, no more than its {{connections}} worker_connections, and the worker also holds its logs, listening sockets and event descriptors. Under load it runs out of descriptors before connections: nginx answers 500 and logs "socket() failed (24: Too many open files) while connecting to upstream" and "accept4() failed (24: Too many open files)" (measured: worker_rlimit_nofile 16 with worker_connections 16 served 3 requests at a time and answered 42 of 60 with 500). A proxied request holds two descriptors and a buffered response or a static file one more: use worker_rlimit_nofile {{needed}}',
      rlimitBelowConnectionsFiles:
        'worker_rlimit_nofile {{rlimit}} lets each worker open {{rlimit}} descriptors, no more than its {{connections}} worker_connections, and the worker also holds its logs, listening sockets and event descriptors. This configuration passes nothing to a backend, so each request holds its client connection and the file it serves: under load nginx answers 500 and logs "open() … failed (24: Too many open files)", and "accept4() failed (24: Too many open files)" for new connections (measured with nginx 1.22.1: worker_rlimit_nofile 16 with worker_connections 16 answered 54 of 60 concurrent requests for a static file with 500). Use worker_rlimit_nofile {{needed}}',
      rlimitBelowTwiceConnections:
        'worker_rlimit_nofile {{rlimit}} is below twice the {{connections}} worker_connections. A proxied request holds two descriptors (client and upstream), and a response buffered to a temporary file or a static file holds one more, so at full load the worker can run out of descriptors before connections: 500 with "socket() failed (24: Too many open files) while connecting to upstream" (measured with worker_rlimit_nofile 24: 21 of 60 requests). Use worker_rlimit_nofile {{needed}}',
      poolsFillConnections:
        '{{statement}} allows {{connections}} connections per worker, clients and upstreams together, and the keepalive pools of {{upstreams}} may keep {{pooled}} idle upstream connections per worker. nginx does not close idle upstream connections to make room: once the pools are full, a new client\'s connection is closed without a response (the client sees a reset; no access log line, only "{{connections}} worker_connections are not enough, reusing connections" in the error log, once a second). Raise worker_connections well above {{pooled}} (and worker_rlimit_nofile to twice it), or lower the pools\' keepalive',
    },
  },
  check({ model, report }) {
    const connectionsNode = model.nodes('worker_connections')[0];
    const connections = connectionsNode ? count(connectionsNode) : DEFAULT_WORKER_CONNECTIONS;
    if (connections === null) return;

    const rlimitNode = model.nodes('worker_rlimit_nofile')[0];
    const rlimit = count(rlimitNode);
    if (rlimitNode && rlimit !== null && rlimit < 2 * connections) {
      const needed = String(2 * connections);
      const below = rlimit <= connections;
      report({
        node: rlimitNode,
        // With no *_pass anywhere nginx opens no upstream socket(): the descriptor that fails is a served file's.
        messageId: below ? (passesNothing(model) ? 'rlimitBelowConnectionsFiles' : 'rlimitBelowConnections') : 'rlimitBelowTwiceConnections',
        data: { rlimit, connections, needed },
        fix: replaceArgs(rlimitNode, [needed]),
        // Below worker_connections the 500s come at a load the config accepts; between one and two times, only
        // when files are open too.
        ...(below ? {} : { severity: 'warn' as const }),
      });
    }

    // Only a written worker_connections is a choice to point at.
    if (!connectionsNode) return;
    const used = pools(model);
    const pooled = used.reduce((sum, pool) => sum + pool.connections, 0);
    if (used.length > 0 && connections <= pooled) {
      report({
        node: connectionsNode,
        messageId: 'poolsFillConnections',
        data: {
          statement: statementText(connectionsNode),
          connections,
          pooled,
          upstreams: used.map((pool) => `${pool.upstream.name} (${pool.connections})`).join(', '),
        },
        severity: 'warn',
      });
    }
  },
});
