import { insertStatementAfter, insertStatementsInBlock, replaceArgs, replaceToken } from '../src/syntax/edits.js';
import { KEEPALIVE_BY_DEFAULT_SINCE, type Model, type ProxyPass, type Upstream } from '../src/model/index.js';
import { listAnd } from '../src/wording.js';
import {
  closesConnection,
  CONNECTION_CHURN_COST,
  connectionForOrdinaryRequests,
  forwardsUpgrade,
  isHttp10,
  safeReuseTimeout,
  speaksHttp10,
  type MapEntry,
} from '../src/model/keepalive.js';
import { defineRule, type Report, type TextChange } from '../src/lint/rule.js';
import { type ConfigNode, statementText } from '../src/load/tree.js';

/** Where a statement of the location level may stand; a pass in an `if` or `limit_except` inherits them. */
const HEADER_LEVELS = ['http', 'server', 'location'] as const;

/** Why the effective `Connection` header closes the connection, and which statement (if any) to blame. */
type ConnectionCause =
  /** `proxy_set_header Connection close` (or a list holding `close`) is in effect. */
  | { readonly kind: 'set'; readonly node: ConfigNode; readonly value: string }
  /** A level's own `proxy_set_header`s replaced the inherited list, which cleared Connection. */
  | { readonly kind: 'dropped'; readonly node: ConfigNode; readonly lost: ConfigNode }
  /** Nothing sets Connection: nginx's built-in `Connection: close` (before 1.29.7). */
  | { readonly kind: 'default' };

function connectionCause(model: Model, scope: ConfigNode): ConnectionCause | null {
  const connection = model.effectiveHeader(scope, 'proxy_set_header', 'Connection');
  if (!closesConnection(connection.value)) return null;
  if (connection.node) return { kind: 'set', node: connection.node, value: connection.value! };
  // The level whose proxy_set_header list is in effect replaced the one above it; see what that one sent.
  const supplying = model.effective(scope, 'proxy_set_header').nodes[0];
  const outerLevel = supplying?.parent && model.enclosing(supplying.parent, HEADER_LEVELS);
  if (supplying && outerLevel) {
    const outer = model.effectiveHeader(outerLevel, 'proxy_set_header', 'Connection');
    if (outer.node && !closesConnection(outer.value)) return { kind: 'dropped', node: supplying, lost: outer.node };
  }
  return { kind: 'default' };
}

/**
 * The `proxy_set_header` lines a location that has none of its own must get along with `Connection ""`: every
 * inherited one, since one statement at a level drops them all, with a Connection among them cleared in place.
 */
function headersWithConnectionCleared(inherited: readonly ConfigNode[]): string[] {
  const isConnection = (node: ConfigNode) => node.directive.args[0]?.value.toLowerCase() === 'connection';
  const lines = inherited.map((node) => (isConnection(node) ? `proxy_set_header ${node.directive.args[0]!.raw} "";` : `${statementText(node)};`));
  return inherited.some(isConnection) ? lines : [...lines, 'proxy_set_header Connection "";'];
}

/** `listAnd` of what `text` gives for each item; with one item (most locations reach one upstream), no arrays made. */
function listEach<Item>(items: readonly Item[], text: (item: Item) => string): string {
  return items.length === 1 ? text(items[0]!) : listAnd(items.map(text));
}

const NO_NODES: readonly ConfigNode[] = Object.freeze([]);

/**
 * A pass to an upstream that keeps connections. `location`: the block where the fix adds directives, the location
 * itself or the one around an `if` or `limit_except`. The rest is filled in for the first pass of each location:
 * whether it speaks HTTP/1.0 (with the proxy_http_version statements in effect, read once for both), why it sends
 * Connection: close, and, once a second pass of the location comes, every pass and the upstreams they reach
 * (without repeats, in order: a location has one or two passes, too few for a Set to pay).
 */
interface PooledPass {
  readonly pass: ProxyPass;
  readonly upstream: Upstream;
  readonly location: ConfigNode | null;
  http10: boolean;
  versionNodes: readonly ConfigNode[];
  connection: ConnectionCause | null;
  all: { readonly passes: ProxyPass[]; readonly upstreams: Upstream[] } | null;
}

/** What keeps the upstream's connections, for messages. */
function poolOf(model: Model, upstream: Upstream): string {
  if (upstream.keepalive) return `${statementText(upstream.keepalive.node)} (${model.where(upstream.keepalive.node)})`;
  const { version, explicit } = model.nginxVersion;
  const assumed = explicit ? '' : `; nginx ${version} is assumed, set nginxVersion to yours`;
  const byDefault = model.effective(upstream.node, 'keepalive').default;
  return `the keepalive ${byDefault} nginx gives upstream ${upstream.name} by default since ${KEEPALIVE_BY_DEFAULT_SINCE}${assumed}`;
}

/**
 * Sets what is missing in the location itself: a statement of its own level is corrected in place; otherwise the
 * directives are added after its proxy_pass. A location with no proxy_set_header of its own gets the inherited ones
 * along with Connection "", since adding one would otherwise drop them.
 */
function fixFor(
  model: Model,
  location: ConfigNode | null,
  passes: readonly ProxyPass[],
  problems: { readonly http10: boolean; readonly versionNodes: readonly ConfigNode[]; readonly connection: boolean; readonly scope: ConfigNode },
): TextChange[] {
  const isOwn = (node: ConfigNode) => node.parent === location;
  const changes: TextChange[] = [];
  const added: string[] = [];

  if (problems.http10) {
    const own = problems.versionNodes.find(isOwn);
    if (own) changes.push(...replaceArgs(own, ['1.1']));
    else added.push('proxy_http_version 1.1;');
  }
  if (problems.connection) {
    const headers = model.effective(problems.scope, 'proxy_set_header').nodes;
    const ownConnection = headers.find((node) => isOwn(node) && node.directive.args[0]?.value.toLowerCase() === 'connection');
    if (ownConnection) changes.push(...replaceArgs(ownConnection, [ownConnection.directive.args[0]!.raw, '""']));
    else if (headers.some(isOwn)) added.push('proxy_set_header Connection "";');
    else added.push(...headersWithConnectionCleared(headers));
  }

  if (added.length > 0) {
    const ownPass = passes.find((pass) => isOwn(pass.node));
    if (ownPass) changes.push(...insertStatementAfter(ownPass.node, added.join('\n')));
    else if (location) changes.push(...insertStatementsInBlock(location, added, 'end'));
  }
  return changes;
}

/**
 * The map's '' case set to '' — only that case can change without changing what websocket requests get, and a map
 * body is not indexed statement by statement, so the map block itself must be read once. Like every fix that turns
 * reuse on, it brings each upstream's keepalive_timeout below the backend's; unsafe when that is another file.
 */
function mapFix(model: Model, entry: MapEntry, upstreams: readonly Upstream[]): Pick<Report, 'fix' | 'fixSafety'> {
  if (entry.key !== '' || !entry.node.parent || !model.appearsOnce(entry.node.parent)) return {};
  const file = entry.node.directive.file;
  const timeouts = upstreams.flatMap((upstream) => safeReuseTimeout(model, upstream)?.changes ?? []);
  const sameFile = timeouts.every((change) => change.file.path === file.path);
  const fix = [...replaceToken(file, entry.node.directive.args[0]!, "''"), ...(sameFile ? timeouts : [])];
  return sameFile ? { fix } : { fix, fixSafety: 'unsafe' };
}

/**
 * The nginx documentation's websocket map, `map $http_upgrade $connection_upgrade { default upgrade; '' close; }`,
 * sends `Connection: close` with every request that has no Upgrade header: through a pooled upstream, each ordinary
 * request then gets a new connection. One finding per map entry, at the entry, with the fix there.
 */
function reportClosingMaps(
  model: Model,
  passes: readonly ProxyPass[],
  upstreamOf: (pass: ProxyPass) => Upstream | null,
  report: (report: Report) => void,
): void {
  const byEntry = new Map<MapEntry, ProxyPass[]>();
  for (const pass of passes) {
    if (speaksHttp10(model, pass.node)) continue;
    const ordinary = connectionForOrdinaryRequests(model, pass);
    if (!ordinary?.entry || !closesConnection(ordinary.value)) continue;
    byEntry.set(ordinary.entry, [...(byEntry.get(ordinary.entry) ?? []), pass]);
  }
  for (const [entry, users] of byEntry) {
    const upstreams = [...new Set(users.map((pass) => upstreamOf(pass)!))];
    const location = model.enclosing(users[0]!.node, ['location']);
    const valueToken = entry.node.directive.args[0]!;
    report({
      node: entry.node,
      token: valueToken,
      messageId: 'mapCloses',
      data: {
        variable: entry.node.parent?.directive.args[1]?.value ?? '',
        upstreams: listAnd(upstreams.map((upstream) => `upstream ${upstream.name}`)),
        subject: location ? statementText(location) : 'this proxy_pass',
        header: model.effectiveHeader(users[0]!.node, 'proxy_set_header', 'Connection').value ?? '',
        mapAt: model.where(entry.node),
        value: entry.value,
        pools: listAnd(upstreams.map((upstream) => poolOf(model, upstream))),
        churnCost: CONNECTION_CHURN_COST,
      },
      // Only the '' case can be rewritten without changing what websocket requests get; a `default close` cannot.
      ...mapFix(model, entry, upstreams),
    });
  }
}

export default defineRule({
  meta: {
    id: 'proxy-keepalive-disabled',
    description:
      'A location proxies to an upstream that keeps connections alive, but speaks HTTP/1.0 or sends "Connection: close", so every connection is closed after one request.',
    category: 'performance',
    severity: 'warn',
    presets: ['recommended'],
    fixable: true,
    fixSafety: 'safe',
    messages: {
      closes: '{{subject}} closes every connection to {{upstreams}} ({{shortCause}}): keepalive unused; use {{wanted}}',
      mapCloses: "map {{variable}} sends Connection: close on every request without Upgrade to {{upstreams}}: keepalive unused; map '' to ''",
    },
    details: {
      mapCloses:
        "{{subject}} forwards websockets with proxy_set_header Connection {{header}}, and the map at {{mapAt}} gives requests without an Upgrade header (every ordinary request) {{value}}, so the backend closes each connection after one response and {{pools}} stays unused. No 502 and no error_log line, but {{churnCost}}. Give the map's '' case the value '' instead: nginx then sends no Connection header (HTTP/1.1 keeps the connection), and websocket requests still get upgrade.",
      closes:
        '{{subject}} {{causes}} to {{upstreams}}, so the backend closes each connection after one response, which leaves {{pools}} unused. No 502 and no error_log line, but {{churnCost}}; use {{wanted}} in {{subject}}',
    },
  },
  check({ model, report }) {
    const poolOfPass = (pass: ProxyPass): Upstream | null => {
      const { target } = pass;
      if (pass.module !== 'proxy' || target.kind !== 'upstream' || target.rejectedPort !== null || !target.upstream.keepaliveEffective) return null;
      return target.upstream;
    };
    // A websocket location needs its Connection header for the upgrade: it is judged only by what its map gives
    // ordinary requests (below), never "fixed" to Connection "". Each pass is sorted once: asking whether it
    // forwards Upgrade is a header lookup, and a large configuration has tens of thousands of passes.
    const upgrading: ProxyPass[] = [];
    const pooled: PooledPass[] = [];
    for (const pass of model.proxyPasses) {
      const upstream = poolOfPass(pass);
      if (!upstream) continue;
      if (forwardsUpgrade(model, pass)) upgrading.push(pass);
      else
        pooled.push({
          pass,
          upstream,
          location: model.enclosing(pass.node, ['location']),
          http10: false,
          versionNodes: NO_NODES,
          connection: null,
          all: null,
        });
    }
    reportClosingMaps(model, upgrading, poolOfPass, report);
    // Neither directive may stand in `if` or `limit_except`, so every pass of a location sees the same values: its
    // first pass decides and stands for the location (null: no finding), and a location's other passes are gathered
    // only when it gets a finding. The first pass's entry holds what the finding needs: nothing more is made, and
    // kept, for each of tens of thousands of locations.
    const byLocation = new Map<ConfigNode | null, PooledPass | null>();
    for (const entry of pooled) {
      const { pass, upstream, location } = entry;
      const first = byLocation.get(location);
      if (first === undefined) {
        const version = model.effective(pass.node, 'proxy_http_version');
        entry.http10 = isHttp10(version);
        entry.versionNodes = version.nodes;
        entry.connection = connectionCause(model, pass.node);
        byLocation.set(location, entry.http10 || entry.connection ? entry : null);
      } else if (first !== null) {
        first.all ??= { passes: [first.pass], upstreams: [first.upstream] };
        first.all.passes.push(pass);
        if (!first.all.upstreams.includes(upstream)) first.all.upstreams.push(upstream);
      }
    }

    for (const [location, first] of byLocation) {
      if (!first) continue;
      const { http10, versionNodes, connection } = first;
      const passes = first.all?.passes ?? [first.pass];
      const reached = first.all?.upstreams ?? [first.upstream];
      const firstPass = first.pass;
      const scope = firstPass.node;

      const versionNode = http10 ? (versionNodes[0] ?? null) : null;
      const connectionNode = connection && connection.kind !== 'default' ? connection.node : null;
      // The statement that causes it when there is one cause with a statement; else where the fix goes.
      const reported = http10 && connection ? firstPass.node : (versionNode ?? connectionNode ?? firstPass.node);
      const at = (node: ConfigNode) => (node === reported ? 'here' : `at ${model.where(node)}`);

      const causes: string[] = [];
      if (http10) {
        causes.push(
          versionNode
            ? `speaks HTTP/1.0 (proxy_http_version 1.0 ${at(versionNode)})`
            : 'speaks HTTP/1.0 (the proxy_http_version default before nginx 1.29.7)',
        );
      }
      if (connection?.kind === 'set')
        causes.push(`sends "Connection: ${connection.value}" (${statementText(connection.node)} ${at(connection.node)})`);
      if (connection?.kind === 'dropped') {
        causes.push(
          `sends "Connection: close" (the proxy_set_header ${at(connection.node)} replaces every inherited one, Connection "" ${at(connection.lost)} included)`,
        );
      }
      if (connection?.kind === 'default')
        causes.push(`sends "Connection: close" (nginx's default before 1.29.7 unless proxy_set_header Connection "" is in effect)`);

      const upstreams = listEach(reached, (upstream) => `upstream ${upstream.name}`);
      const pools = listEach(reached, (upstream) => poolOf(model, upstream));
      const subject = location ? statementText(location) : 'this proxy_pass';

      // Turning reuse on is safe only with a keepalive_timeout below the backend's idle timeout in every upstream it
      // reaches; that change goes into the same fix when the block is in the same file, else the fix is unsafe.
      const locationFix = fixFor(model, location, passes, { http10, versionNodes, connection: connection !== null, scope });
      const fixFile = locationFix[0]?.file.path;
      const timeoutChanges =
        reached.length === 1
          ? (safeReuseTimeout(model, reached[0]!)?.changes ?? [])
          : reached.flatMap((upstream) => safeReuseTimeout(model, upstream)?.changes ?? []);
      const sameFile = timeoutChanges.every((change) => change.file.path === fixFile);
      report({
        node: reported,
        messageId: 'closes',
        data: {
          subject,
          shortCause: http10 && connection ? listAnd(['HTTP/1.0', 'Connection: close']) : http10 ? 'HTTP/1.0' : 'Connection: close',
          causes: listAnd(causes),
          upstreams,
          pools,
          churnCost: CONNECTION_CHURN_COST,
          wanted:
            http10 && connection
              ? listAnd(['proxy_http_version 1.1', 'proxy_set_header Connection ""'])
              : http10
                ? 'proxy_http_version 1.1'
                : 'proxy_set_header Connection ""',
        },
        fix: sameFile ? [...locationFix, ...timeoutChanges] : locationFix,
        ...(sameFile ? {} : { fixSafety: 'unsafe' as const }),
      });
    }
  },
});
