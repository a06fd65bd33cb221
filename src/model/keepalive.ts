/**
 * Connection reuse toward backends: what several rules need to agree on — whether a pass keeps its upstream
 * connection open for the next request, which backend behind an upstream closes idle connections first, and the
 * `keepalive_timeout` that stays below it. Rules read this; none of them owns it.
 */
import type { Fact, ServiceFacts } from '../context/index.js';
import { formatNginxTime } from '../nginx/units.js';
import { insertStatementAfter, insertStatementsInBlock, replaceArgs } from '../syntax/edits.js';
import type { TextChange } from '../syntax/text-changes.js';
import type { ConfigNode } from '../load/tree.js';
import { builtinVariable } from '../nginx/variables.js';
import type { EffectiveValue, MapDefinition, Model } from './index.js';
import type { ProxyPass } from './passes.js';
import type { Upstream } from './upstreams.js';

/** What the lab measured for keep-alive that the locations defeat (scenario 2), for messages. */
export const CONNECTION_CHURN_COST =
  'a new connection and a TIME_WAIT socket per request (lab: 3000 backend connections for 3000 requests instead of 8, 1.5 to 2.6 times lower throughput)';

/**
 * Whether a `Connection` value makes the backend close the connection after the response. Only the `close` option
 * does; a value built from variables (`$connection_upgrade`) is not known here, so it is given the benefit of the doubt.
 */
export function closesConnection(value: string | null): boolean {
  if (value === null || value.includes('$')) return false;
  return value.split(/[\s,]+/).some((option) => option.toLowerCase() === 'close');
}

/** Whether requests here go out as HTTP/1.0, which closes the connection after each response. */
export function speaksHttp10(model: Model, scope: ConfigNode): boolean {
  return isHttp10(model.effective(scope, 'proxy_http_version'));
}

/** Whether an effective `proxy_http_version` is 1.0: speaksHttp10 for a caller that also needs its statements. */
export function isHttp10(version: EffectiveValue): boolean {
  return (version.values[0]?.[0] ?? version.default) === '1.0';
}

/**
 * Whether ordinary requests through this pass leave their connection open for the next one: HTTP/1.1, and a
 * `Connection` that is not `close` — for a value from a `map` of `$http_upgrade`, the value a request without an
 * Upgrade header gets.
 */
export function reusesConnections(model: Model, pass: ProxyPass): boolean {
  if (speaksHttp10(model, pass.node)) return false;
  const mapped = connectionForOrdinaryRequests(model, pass);
  return !closesConnection(mapped ? mapped.value : model.effectiveHeader(pass.node, 'proxy_set_header', 'Connection').value);
}

/**
 * Whether the pass forwards the client's `Upgrade` header: a websocket location. Its `Connection` header must carry
 * `upgrade` for the switch to happen, so keepalive rules never rewrite it, and an upgraded connection is never
 * returned to a pool.
 */
export function forwardsUpgrade(model: Model, pass: ProxyPass): boolean {
  let forwards = upgradeForwarded.get(pass);
  if (forwards === undefined) {
    const upgrade = model.effectiveHeader(pass.node, 'proxy_set_header', 'Upgrade').value;
    forwards = upgrade !== null && upgrade !== '';
    upgradeForwarded.set(pass, forwards);
  }
  return forwards;
}

/** forwardsUpgrade's answer per pass (a pass belongs to one model): five rules ask it of every pass. */
const upgradeForwarded = new WeakMap<ProxyPass, boolean>();

/**
 * Whether the module returns its connections to an upstream block's keepalive cache, where the block keeps one: the
 * FastCGI module only with `fastcgi_keep_conn on` (otherwise it asks the application to close after each request),
 * the gRPC module always, the uwsgi and SCGI modules never (they never mark a connection reusable). `proxy_pass` is
 * left to the block: a location that defeats its pool is proxy-keepalive-disabled's finding.
 */
export function moduleKeepsConnections(model: Model, pass: ProxyPass): boolean {
  switch (pass.module) {
    case 'proxy':
    case 'grpc':
      return true;
    case 'fastcgi': {
      const keepConn = model.effective(pass.node, 'fastcgi_keep_conn');
      return (keepConn.values[0]?.[0] ?? keepConn.default) === 'on';
    }
    case 'uwsgi':
    case 'scgi':
      return false;
  }
}

/** One entry of a `map` block. */
export type MapEntry = MapDefinition['entries'][number];

/**
 * For `proxy_set_header Connection $connection_upgrade` with `map $http_upgrade $connection_upgrade { … }`: the
 * value a request without an Upgrade header is sent with (the `''` entry, else `default`, else empty) and the entry
 * that gives it. Null when the header is not a single variable mapped from `$http_upgrade`.
 */
/**
 * What a `Connection $variable` header (not a map of `$http_upgrade`: connectionForOrdinaryRequests) sends with a
 * websocket handshake, where the configuration says: `$http_connection` passes the client's own header on, which a
 * handshake sends as `Upgrade` (real nginx 1.22.1: 101); a variable `set` in the server holds its values. Null when it
 * cannot be known here: a variable nothing the configuration read defines, as in a conf.d site linted without the main
 * config that holds its map (jitsi's meet.conf), or one nginx -t refuses anyway (`unknown-variable` reports it).
 * A map of another variable, or a built-in one, sends what it holds, not `upgrade`: its own spelling stands for it.
 */
export function connectionVariableValues(model: Model, pass: ProxyPass, written: string): readonly string[] | null {
  const variable = /^\$(?:\{(\w+)\}|(\w+))$/.exec(written);
  if (!variable) return [written];
  const name = (variable[1] ?? variable[2]!).toLowerCase();
  if (name === 'http_connection') return ['upgrade'];
  if (model.mapOf(name) !== null || builtinVariable('http', name).known) return [written];
  const values = model.valuesOfVariable(name, pass.node);
  return values.length > 0 ? values : null;
}

export function connectionForOrdinaryRequests(model: Model, pass: ProxyPass): { readonly value: string; readonly entry: MapEntry | null } | null {
  const written = model.effectiveHeader(pass.node, 'proxy_set_header', 'Connection').value;
  const variable = /^\$(?:\{(\w+)\}|(\w+))$/.exec(written ?? '');
  const map = variable ? model.mapOf(variable[1] ?? variable[2]!) : null;
  if (!map || map.source.toLowerCase() !== '$http_upgrade') return null;
  const entry = map.entries.find((candidate) => candidate.key === '') ?? map.entries.find((candidate) => candidate.key === 'default') ?? null;
  return { value: entry?.value ?? '', entry };
}

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

/**
 * The `keepalive_timeout` written when no backend idle timeout is known: below the shortest default among common
 * application servers (Gunicorn closes idle connections after 2s; Node.js, uvicorn and Apache after 5s). nginx's own
 * 60s default would let any of them close connections nginx is about to reuse — 502s for POSTs, a worse problem than
 * the one fixed. A busy upstream reuses its connections well within a second; an idle one is no worse off than now.
 */
export const KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND = '1s';

/**
 * What must come with any fix that makes nginx reuse connections to `upstream`: a `keepalive_timeout` below the
 * backend's idle timeout (or 1s when it is unknown and the block leaves nginx's 60s default), as the change to the
 * block's file; null when the block's timeout is already safe. Without it a fix would trade connection churn for the
 * keepalive race — 502s for POSTs (measured: 3/3 with a Node backend's 5s against nginx's 60s).
 */
export function safeReuseTimeout(model: Model, upstream: Upstream): { readonly value: string; readonly changes: TextChange[] } | null {
  const current = upstream.keepaliveTimeout;
  const backend = shortestBackendIdleTimeout(model, upstream);
  let value: string;
  if (backend) {
    if (current.ms !== null && current.ms < backend.keepAliveTimeout.value) return null;
    value = formatNginxTime(keepaliveTimeoutBelow(backend.keepAliveTimeout.value));
  } else {
    // A timeout the configuration chose is the user's knowledge of the backend; only the default is a guess.
    if (current.node !== null) return null;
    value = KEEPALIVE_TIMEOUT_FOR_UNKNOWN_BACKEND;
  }
  const statement = `keepalive_timeout ${value};`;
  const changes = current.node
    ? replaceArgs(current.node, [value])
    : upstream.keepalive
      ? insertStatementAfter(upstream.keepalive.node, statement)
      : insertStatementsInBlock(upstream.node, [statement], 'end');
  return { value, changes };
}
