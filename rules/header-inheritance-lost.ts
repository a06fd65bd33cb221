/**
 * nginx's array directives are inherited only by a level that sets none of its own: one `proxy_set_header` in a
 * location drops every `proxy_set_header` of the server and http levels — `Host`, `X-Forwarded-For`,
 * `X-Forwarded-Proto`, `X-Real-IP` — and one `add_header` drops the inherited security headers. The backend then
 * sees the wrong host and client address (redirects to the internal name, every client logged as nginx's address);
 * browsers get pages without HSTS or CSP. No 502: a warning, naming what is lost.
 *
 * From nginx 1.29.3, `add_header_inherit merge` keeps the outer `add_header`s; the rule respects it. A lost
 * `Connection ""` alone is proxy-keepalive-disabled's finding, not this rule's, so a line is never reported twice.
 */
import { defineRule, type Report } from '../src/lint/rule.js';
import { liesWithin, type ConfigNode } from '../src/load/tree.js';
import type { Model } from '../src/model/index.js';
import { insertStatementAfter } from '../src/syntax/edits.js';
import { listAnd } from '../src/wording.js';
import { satisfies } from '../src/nginx/version.js';

const DIRECTIVES = ['proxy_set_header', 'add_header'] as const;

function headerName(node: ConfigNode): string {
  return (node.directive.args[0]?.value ?? '').toLowerCase();
}

/**
 * Headers that describe the client and its request to the app behind nginx. A block that sends its own Host naming
 * another site (`proxy_set_header Host "fonts.gstatic.com"`, a redirect target's host) talks to a third party, and
 * withholding these from it is deliberate (penpot keeps users' addresses from Google so), not a loss.
 */
const FORWARDING_HEADERS: ReadonlySet<string> = new Set([
  'x-real-ip',
  'x-forwarded-for',
  'x-forwarded-proto',
  'x-forwarded-host',
  'x-forwarded-port',
  'x-forwarded-server',
  'x-forwarded-ssl',
  'x-scheme',
  'forwarded',
]);
/** A Host value that carries the host the client asked for. */
const CLIENT_HOST = /\$\{?(?:host|http_host|server_name)\b/;

/** The block's own `proxy_set_header Host` names another site than the one the client asked for. */
function addressesAnotherSite(own: readonly ConfigNode[]): boolean {
  const host = own.find((node) => headerName(node) === 'host');
  return host !== undefined && !CLIENT_HOST.test(host.directive.args[1]?.value ?? '');
}

/**
 * Whether the server of `block` takes TLS connections (`listen … ssl`, `listen … quic`). Without one `$scheme` is
 * always `http`, and a lost `X-Forwarded-Proto $scheme` tells the backend nothing it would not assume without it.
 */
function servesTls(model: Model, block: ConfigNode): boolean {
  const server = block.directive.name === 'server' ? block : model.enclosing(block, ['server']);
  return (server?.children ?? []).some(
    (child) => child.directive.name === 'listen' && child.directive.args.some((arg) => arg.value === 'ssl' || arg.value === 'quic'),
  );
}

/** Body filters that cannot read a compressed response: nginx must get it uncompressed from the backend. */
const BODY_FILTERS = ['sub_filter', 'add_before_body', 'add_after_body'] as const;

/**
 * Whether responses of `block` go through a body filter (sub_filter, ssi, addition), set in it, inherited by it or
 * set in a block inside it. Only then does a lost `proxy_set_header Accept-Encoding ""` matter: elsewhere a compressed
 * response from the backend passes through unchanged (nginx's gzip leaves a response with Content-Encoding alone).
 */
function filtersBodies(model: Model, block: ConfigNode): boolean {
  const within = (node: ConfigNode) => liesWithin(node, block);
  const ssiOn = (node: ConfigNode) => (node.directive.args[0]?.value ?? '').toLowerCase() === 'on';
  return (
    BODY_FILTERS.some((name) => model.effective(block, name).nodes.length > 0 || model.nodes(name).some(within)) ||
    model.effective(block, 'ssi').nodes.some(ssiOn) ||
    model.nodes('ssi').some((node) => ssiOn(node) && within(node))
  );
}

/**
 * An inherited `add_header NAME ""` that does nothing: nginx adds no header with an empty value, and only `ETag` and
 * `Last-Modified` take it as "remove the response's own" (measured with nginx 1.22.1: `add_header ETag ''` drops the
 * static file's ETag; `add_header Accept-Ranges ''` leaves `Accept-Ranges: bytes`). Losing a no-op loses nothing.
 */
function addsNothing(node: ConfigNode): boolean {
  return (node.directive.args[1]?.value ?? '') === '' && !['etag', 'last-modified'].includes(headerName(node));
}

/**
 * An inherited `add_header Permissions-Policy "interest-cohort=()"` that names no other feature: the opt-out of
 * Google's FLoC, which only Chrome 89 to 92 had (removed in 93, `Unrecognized feature: 'interest-cohort'` since; no
 * other browser implemented it). No browser reads it today, so losing it loses nothing (bigbluebutton/docker sets it
 * in its server and loses it in ten locations).
 */
function onlyObsoleteFeature(node: ConfigNode): boolean {
  if (headerName(node) !== 'permissions-policy') return false;
  const features = (node.directive.args[1]?.value ?? '').split(',').map((item) => item.trim().split('=')[0]!.trim().toLowerCase());
  return features.length > 0 && features.every((feature) => feature === 'interest-cohort');
}

/** An inherited `proxy_set_header Accept-Encoding ""`, which stops the backend compressing what nginx must read. */
function removesAcceptEncoding(node: ConfigNode): boolean {
  return headerName(node) === 'accept-encoding' && (node.directive.args[1]?.value ?? '') === '';
}

/** Whether a block inside the statement's own block may inherit it: it is set at http or server level, or in a location holding another. */
function mayBeInherited(statement: ConfigNode): boolean {
  const block = statement.parent;
  if (!block) return false;
  return block.directive.name !== 'location' || block.children.some((child) => child.directive.name === 'location');
}

/**
 * The headers no backend that `block`'s own `proxy_set_header` list reaches ever reads: those every service behind
 * every proxy pass using this list is known not to read (Anubis answering only auth_request checks reads no
 * X-Forwarded-Proto). A pass in a nested block with a list of its own does not use this one. Empty as soon as one
 * pass leads to no known service, or to one not known to ignore a header: losing it there may matter.
 */
function unreadBehind(model: Model, block: ConfigNode): Set<string> {
  const sets: Set<string>[] = [];
  for (const pass of model.proxyPasses) {
    if (pass.module !== 'proxy' || !liesWithin(pass.node, block)) continue;
    const owner = model.enclosing(pass.node, LEVELS);
    let listOwner = owner;
    while (listOwner && listOwner !== block && !listOwner.children.some((child) => child.directive.name === 'proxy_set_header')) {
      listOwner = model.enclosing(listOwner, LEVELS);
    }
    if (listOwner !== block) continue;
    const services = model.servicesBehind(pass);
    if (services.length === 0) return new Set();
    for (const { service } of services) sets.push(new Set(service.unreadHeaders?.value ?? []));
  }
  const [first, ...others] = sets;
  return new Set([...(first ?? [])].filter((name) => others.every((set) => set.has(name))));
}

/** The levels that may set these directives, innermost first. */
const LEVELS = ['location', 'server', 'http'] as const;

/**
 * The blocks with a `proxy_pass` somewhere inside: every ancestor of every proxy pass, each added once (a pass's walk
 * up stops at a block already added, whose ancestors are then too), so the whole set costs one walk of the passes.
 */
function blocksProxying(model: Model): Set<ConfigNode> {
  const blocks = new Set<ConfigNode>();
  for (const pass of model.proxyPasses) {
    if (pass.module !== 'proxy') continue;
    for (let block = pass.node.parent; block && !blocks.has(block); block = block.parent) blocks.add(block);
  }
  return blocks;
}

/** `mergeable`: the nginx version has `add_header_inherit` (1.29.3), asked once per run rather than per block. */
function inheritsAddHeaders(model: Model, block: ConfigNode, mergeable: boolean): boolean {
  if (!mergeable) return false;
  const inherit = model.effective(block, 'add_header_inherit');
  return (inherit.values[0]?.[0] ?? inherit.default ?? 'on').toLowerCase() === 'merge';
}

export default defineRule({
  meta: {
    id: 'header-inheritance-lost',
    description:
      "A block's own `proxy_set_header` (or `add_header`) drops every one it would inherit: the backend loses Host and X-Forwarded-*, or responses lose their security headers.",
    category: 'correctness',
    severity: 'warn',
    presets: ['recommended'],
    fixable: true,
    // Carrying the headers in sends what the author evidently expected, but it is a behaviour change to review.
    fixSafety: 'unsafe',
    messages: {
      lost: '{{block}} sets its own {{directive}}, so it no longer sends the inherited {{lost}}',
    },
    details: {
      lost: "nginx inherits {{directive}} only into a level that sets none of its own: the {{directive}} at {{here}} replaces the whole list of {{outer}}, so {{lost}} ({{lostAt}}) are no longer sent. {{consequence}} Repeat them in {{block}}, or move this block's own {{directive}} up to where the others are.",
    },
  },
  check({ model, report }) {
    let proxying: Set<ConfigNode> | undefined;
    const mergeable = satisfies(model.nginxVersion.version, '>=1.29.3');
    for (const directive of DIRECTIVES) {
      // Most configurations set these only in locations with no location inside: then no block inherits any.
      if (!model.nodes(directive).some(mayBeInherited)) continue;
      for (const level of ['location', 'server'] as const) {
        for (const block of model.nodes(level)) {
          if (!block.children.some((child) => child.directive.name === directive)) continue;
          const own = block.children.filter((child) => child.directive.name === directive);
          if (directive === 'add_header' && inheritsAddHeaders(model, block, mergeable)) continue;
          const outerBlock = model.enclosing(block, LEVELS);
          if (!outerBlock) continue;
          const inherited = model.effective(outerBlock, directive).nodes;
          // Nothing to lose is the common case; the set of proxying blocks is built only when it matters.
          if (inherited.length === 0) continue;
          if (directive === 'proxy_set_header' && !(proxying ??= blocksProxying(model)).has(block)) continue;
          const ownNames = new Set(own.map(headerName));
          const withheld = directive === 'proxy_set_header' && addressesAnotherSite(own);
          const unread = directive === 'proxy_set_header' ? unreadBehind(model, block) : new Set<string>();
          const lost = inherited.filter(
            (node) =>
              !ownNames.has(headerName(node)) &&
              !(directive === 'proxy_set_header' && headerName(node) === 'connection') &&
              !(withheld && FORWARDING_HEADERS.has(headerName(node))) &&
              !unread.has(headerName(node)) &&
              !(directive === 'proxy_set_header' && node.directive.args[1]?.value === '$scheme' && !servesTls(model, block)) &&
              !(directive === 'proxy_set_header' && removesAcceptEncoding(node) && !filtersBodies(model, block)) &&
              !(directive === 'add_header' && (addsNothing(node) || onlyObsoleteFeature(node))),
          );
          if (lost.length === 0) continue;
          const names = lost.map((node) => node.directive.args[0]!.value);
          const last = own[own.length - 1]!;
          const fix =
            model.appearsOnce(last) && lost.every((node) => model.appearsOnce(node))
              ? insertStatementAfter(
                  last,
                  lost.map((node) => `${[node.directive.name, ...node.directive.args.map((arg) => arg.raw)].join(' ')};`).join('\n'),
                )
              : undefined;
          const data = {
            block: `${block.directive.name}${block.directive.args.length ? ` ${block.directive.args.map((arg) => arg.raw).join(' ')}` : ''}`,
            directive,
            lost: listAnd(names),
            here: model.where(own[0]!),
            outer: outerBlock.directive.name,
            lostAt: listAnd([...new Set(lost.map((node) => model.where(node)))]),
            consequence:
              directive === 'proxy_set_header'
                ? "The backend then sees nginx's $proxy_host as Host and nginx's address as the client, unless these headers are set again."
                : 'Responses from here go out without them: security headers such as Strict-Transport-Security or Content-Security-Policy are lost on exactly these pages.',
          };
          const reportOf: Report = { node: own[0]!, messageId: 'lost', data, ...(fix ? { fix } : {}) };
          report(reportOf);
        }
      }
    }
  },
});
