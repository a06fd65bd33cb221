/**
 * `proxy_next_upstream` (and the fastcgi, uwsgi, scgi and grpc equivalents) set so that nginx does not retry a
 * failed request where it otherwise would: on another server of the upstream, or — for a request that met an idle
 * keepalive connection the server had just closed — on a new connection (ngx_http_upstream_next adds a try for a
 * cached connection, but only for `error`).
 *
 * Measured (lab scenarios 1 and 11): one refusing server of two cost 0 of 80 requests with the default and 502s with
 * `off`; with `off`, a GET on a connection the backend had just closed got 502 where the default retried it.
 *
 * Also reported, as warnings: `non_idempotent`, which lets a POST that reached the backend run a second time; and a
 * list that retries on HTTP errors across three or more servers with neither `*_next_upstream_tries` nor
 * `*_next_upstream_timeout` to bound it.
 * Only statements that are written are checked — the default, `error timeout`, is what this rule recommends — and only
 * where a retry is possible: an upstream block with two or more servers, or one that keeps idle connections.
 */
import { replaceArgs } from '../src/syntax/edits.js';
import { KEEPALIVE_BY_DEFAULT_SINCE, type EffectiveValue, type Model, type Upstream } from '../src/model/index.js';
import { moduleKeepsConnections } from '../src/model/keepalive.js';
import { listAnd } from '../src/wording.js';
import { defineRule } from '../src/lint/rule.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';
import { parseNginxTime } from '../src/nginx/units.js';

const REFUSED = '502 "connect() failed (111: Connection refused) while connecting to upstream"';
const TIMED_OUT = '504 "upstream timed out (110: Connection timed out) while reading response header from upstream"';
const RESET = '502 "recv() failed (104: Connection reset by peer) while reading response header from upstream"';

/** The retry conditions nginx uses when the directive is not written, and what the fix writes. */
const DEFAULT_CONDITIONS: readonly string[] = ['error', 'timeout'];

/**
 * Conditions that retry a request after the server answered: each one sends a failing request on to the next server,
 * so without a bound every server of the upstream sees it.
 */
const RESPONSE_CONDITIONS: ReadonlySet<string> = new Set([
  'invalid_header',
  'http_500',
  'http_502',
  'http_503',
  'http_504',
  'http_403',
  'http_404',
  'http_429',
]);

/**
 * nginx tries each server at most once per request, so a bound on tries only changes something from three servers
 * on; with two, `*_next_upstream_tries 2` is what already happens.
 */
const MIN_SERVERS_TO_BOUND = 3;

/** One `*_pass` to an upstream block, with the retry settings in effect where it stands. */
interface Use {
  readonly upstream: Upstream;
  /** Neither `*_next_upstream_tries` nor `*_next_upstream_timeout` limits the retries (both 0, the default). */
  readonly unbounded: boolean;
  /** The pass's module puts its connections in the block's keepalive cache (FastCGI only with fastcgi_keep_conn on). */
  readonly cachesConnections: boolean;
}

/** A written `*_next_upstream` statement and the passes it is in effect for. */
interface Setting {
  readonly node: ConfigNode;
  readonly uses: Use[];
}

function servingServers(upstream: Upstream): number {
  return upstream.servers.filter((server) => !server.down).length;
}

/** The setting's value where it applies, written or default. */
function valueOf(effective: EffectiveValue): string | null {
  return effective.values[0]?.[0] ?? effective.default;
}

/** `upstream api (2 servers)`, `upstreams api (2 servers) and search (3 servers)`. */
function upstreamList(upstreams: readonly Upstream[], describe: (upstream: Upstream) => string): string {
  const items = upstreams.map((upstream) => `${upstream.name} (${describe(upstream)})`);
  return `${items.length === 1 ? 'upstream' : 'upstreams'} ${listAnd(items)}`;
}

const serverCount = (upstream: Upstream): string => `${servingServers(upstream)} servers`;

/** Why the upstream keeps idle connections: `keepalive 16`, or the default of newer nginx. */
function keepaliveSource(upstream: Upstream): string {
  if (!upstream.keepalive) return `keepalive by default since nginx ${KEEPALIVE_BY_DEFAULT_SINCE}`;
  return statementText(upstream.keepalive.node);
}

function unique<Item>(items: readonly Item[]): Item[] {
  return [...new Set(items)];
}

/** The written statements in effect for the passes to upstream blocks, in source order of the passes. */
function collectSettings(model: Model): Setting[] {
  const settings = new Map<ConfigNode, Setting>();
  for (const pass of model.proxyPasses) {
    if (pass.target.kind !== 'upstream') continue;
    const name = `${pass.module}_next_upstream`;
    const node = model.effective(pass.node, name).nodes[0];
    if (!node) continue;
    // 0, the default of both, means no limit.
    const tries = valueOf(model.effective(pass.node, `${name}_tries`));
    const timeout = valueOf(model.effective(pass.node, `${name}_timeout`));
    const unbounded = tries === '0' && timeout !== null && parseNginxTime(timeout) === 0;
    const use = { upstream: pass.target.upstream, unbounded, cachesConnections: moduleKeepsConnections(model, pass) };
    const setting = settings.get(node);
    if (setting) setting.uses.push(use);
    else settings.set(node, { node, uses: [use] });
  }
  return [...settings.values()];
}

export default defineRule({
  meta: {
    id: 'proxy-next-upstream-missing',
    description:
      '`proxy_next_upstream` (or its fastcgi/uwsgi/scgi/grpc twin) stops nginx from retrying a failed request on another server, or retries what it should not.',
    category: 'reliability',
    severity: 'error',
    presets: ['recommended'],
    fixable: true,
    // Retrying on error and timeout is nginx's own default; nginx never retries a non-idempotent request that was sent.
    fixSafety: 'safe',
    messages: {
      noRetry: '{{name}} {{what}}: a failing server means 502/504 instead of a retry; use {{name}} {{fixed}}',
      nonIdempotent: '{{name}} non_idempotent resends failed POST, PATCH and LOCK requests: a processed one runs twice',
      unbounded: '{{name}} retries on {{conditions}} with no {{name}}_tries or {{name}}_timeout: a failing request hits every server',
    },
    details: {
      noRetry: '{{name}} {{what}}: {{reasons}}. Use {{name}} {{fixed}}',
      nonIdempotent:
        '{{name}} non_idempotent lets nginx send a POST, PATCH or LOCK that failed on {{targets}} again: if the backend had already processed it, it runs twice (a second payment, a duplicate order); remove non_idempotent unless every such endpoint is idempotent',
      unbounded:
        '{{name}} retries on {{conditions}} with neither {{name}}_tries nor {{name}}_timeout set: a request that fails everywhere is sent to every server of {{targets}} in turn, multiplying the load when the servers are already failing and making the client wait for every try. Bound it, e.g. {{name}}_tries 2 or {{name}}_timeout 10s',
    },
  },
  check(context) {
    const { model } = context;
    for (const { node, uses } of collectSettings(model)) {
      const name = node.directive.name;
      const conditions = node.directive.args.map((arg) => arg.value);
      const upstreams = unique(uses.map((use) => use.upstream));
      // Retrying elsewhere needs another server; retrying on a new connection needs cached ones.
      const several = upstreams.filter((upstream) => servingServers(upstream) >= 2);
      const cached = unique(uses.filter((use) => use.cachesConnections).map((use) => use.upstream));
      const cachedOnly = cached.filter((upstream) => servingServers(upstream) === 1 && upstream.keepaliveEffective);
      const off = conditions.includes('off');
      const lacksError = off || !conditions.includes('error');
      const lacksTimeout = off || !conditions.includes('timeout');

      const failures: string[] = [];
      const outcomes: string[] = [];
      if (several.length > 0 && lacksError) {
        failures.push('refuses or resets the connection');
        outcomes.push(REFUSED);
      }
      if (several.length > 0 && lacksTimeout) {
        failures.push('times out');
        outcomes.push(TIMED_OUT);
      }
      const reasons: string[] = [];
      if (failures.length > 0) {
        reasons.push(
          `when a server of ${upstreamList(several, serverCount)} ${failures.join(', or ')}, nginx does not retry the request on another server: ${outcomes.join(', or ')}`,
        );
      }
      if (cachedOnly.length > 0 && lacksError) {
        reasons.push(
          `when the server of ${upstreamList(cachedOnly, keepaliveSource)} has just closed an idle connection, nginx does not retry the request it sent there on a new connection: ${RESET}`,
        );
      }
      if (reasons.length > 0) {
        const missing = DEFAULT_CONDITIONS.filter((condition) => !conditions.includes(condition));
        // `off` overrides whatever else is listed, so nothing else is kept; otherwise the list keeps its other conditions.
        const others = off ? [] : conditions.filter((condition) => !DEFAULT_CONDITIONS.includes(condition));
        const fixed = [...DEFAULT_CONDITIONS, ...others];
        const what = off ? 'off disables retries' : `${conditions.join(' ')} leaves out ${missing.join(' and ')}`;
        context.report({
          node,
          messageId: 'noRetry',
          data: { name, what, reasons: reasons.join('; '), fixed: fixed.join(' ') },
          // Certain loss only for `off` across several servers (lab scenario 11); the rest depends on traffic.
          ...(off && several.length > 0 ? {} : { severity: 'warn' as const }),
          fix: replaceArgs(node, fixed),
        });
      }
      if (off) continue;

      const retrying = [...several, ...cachedOnly];
      if (conditions.includes('non_idempotent') && retrying.length > 0) {
        const token = node.directive.args.find((arg) => arg.value === 'non_idempotent');
        context.report({
          node,
          ...(token ? { token } : {}),
          messageId: 'nonIdempotent',
          data: {
            name,
            targets: upstreamList(retrying, (upstream) => (servingServers(upstream) >= 2 ? serverCount(upstream) : keepaliveSource(upstream))),
          },
          severity: 'warn',
        });
      }

      const amplifying = conditions.filter((condition) => RESPONSE_CONDITIONS.has(condition));
      const unboundedMany = unique(
        uses.filter((use) => use.unbounded && servingServers(use.upstream) >= MIN_SERVERS_TO_BOUND).map((use) => use.upstream),
      );
      if (amplifying.length > 0 && unboundedMany.length > 0) {
        context.report({
          node,
          messageId: 'unbounded',
          data: { name, conditions: amplifying.join(', '), targets: upstreamList(unboundedMany, serverCount) },
          severity: 'warn',
        });
      }
    }
  },
});
