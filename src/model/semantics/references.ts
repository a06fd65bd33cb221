/**
 * Checks nginx makes across statements: a name used that nothing defines (log formats, shared memory zones, caches),
 * a name or address defined twice (listen sockets, default servers, upstreams, generic setters in one block), what a
 * block must contain (an upstream's servers, a certificate for `listen … ssl`) and the lines of `geo` bodies.
 */
import type { ConfigNode } from '../../load/tree.js';
import type { IncludeResolution } from '../../load/program.js';
import type { Directive } from '../../syntax/ast.js';
import { compareNginxVersions } from '../../nginx/version.js';
import { listenAddressText, parseUrl } from './url.js';
import type { Reporter } from './types.js';
import { type Family, familyOf } from './values.js';
import type { ValueSlot } from '../../nginx/variables.js';
import { argumentValues } from '../../syntax/parser.js';

/** Setters that say `"NAME" directive is duplicate` for a second statement in the same block. */
const DUPLICATE_CHECKING_SLOTS: ReadonlySet<string> = new Set(['msec', 'sec', 'size', 'off', 'num', 'flag', 'str', 'enum', 'bufs', 'path']);

export interface ReferenceCheckOptions {
  readonly version: string | null;
  readonly reporter: Reporter;
  readonly rejected: ReadonlySet<ConfigNode>;
  /** How each `include` was resolved, to tell a block whose content is not known from an empty one. */
  readonly includes?: ReadonlyMap<Directive, IncludeResolution>;
}

function atLeast(version: string | null, since: string): boolean {
  return version === null || compareNginxVersions(version, since) >= 0;
}

interface ListenEntry {
  readonly server: ConfigNode;
  set: boolean;
  defaultServer: boolean;
}

const LISTEN_SET_OPTIONS = /^(bind|deferred|reuseport|setfib=|fastopen=|backlog=|rcvbuf=|sndbuf=|accept_filter=|ipv6only=|so_keepalive=)/;

const CACHE_PATH = /^(proxy|fastcgi|uwsgi|scgi)_cache_path$/;
const CACHE = /^(proxy|fastcgi|uwsgi|scgi)_cache$/;

/** The passes whose address needs a port unless it names an upstream block (nginx makes an upstream of it). */
const NO_DEFAULT_PORT: Readonly<Record<'http' | 'stream', readonly string[]>> = {
  http: ['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass'],
  stream: ['proxy_pass'],
};

/** Statements checked as the walk reaches them: what they need is defined before them, or in them. */
const CHECKED_IN_TURN: ReadonlySet<string> = new Set(['log_format', 'access_log', 'upstream', 'listen', 'geo']);

type Problem = Parameters<Reporter['report']>[0];

/** What `add` does with the statements of a directive name, in a family. */
interface Role {
  /** It defines a name other statements use: a zone, a cache zone, an upstream block. */
  readonly defines: boolean;
  /** It is checked as the walk reaches it (CHECKED_IN_TURN). */
  readonly inTurn: boolean;
  /** Its check waits for `finish`: it uses names defined anywhere. */
  readonly later: boolean;
  /** A generic setter nginx does not let repeat in a block. */
  readonly setter: boolean;
  /** `server`: may be a mail server. */
  readonly server: boolean;
  /** A `listen` or `ssl_certificate_by_lua*`: its server may need a certificate or SSL. */
  readonly ssl: boolean;
}

const NO_ROLE: Role = { defines: false, inTurn: false, later: false, setter: false, server: false, ssl: false };

function roleOf(family: Family, name: string, slot: ValueSlot | null): Role {
  const role: Role = {
    defines: name === 'limit_req_zone' || name === 'limit_conn_zone' || name === 'upstream' || CACHE_PATH.test(name),
    inTurn: CHECKED_IN_TURN.has(name),
    later: name === 'limit_req' || name === 'limit_conn' || isNoDefaultPortPass(family, name) || CACHE.test(name),
    setter: slot !== null && DUPLICATE_CHECKING_SLOTS.has(slot),
    server: name === 'server',
    ssl: name === 'listen' || name.startsWith('ssl_certificate_by_lua'),
  };
  return role.defines || role.inTurn || role.later || role.setter || role.server || role.ssl ? role : NO_ROLE;
}

/** A server's statements that the certificate checks look at (`checkSslCertificates`). */
interface SslServer {
  readonly server: ConfigNode;
  /** A `listen … ssl` with no `ssl_certificate` in the server, which does not reject handshakes. */
  readonly listenWithoutCertificate: ConfigNode | null;
  /** An `ssl_certificate_by_lua*` in a server without SSL. */
  readonly luaWithoutSsl: ConfigNode | null;
}

/**
 * The checks of this module, made while semantics/index.ts walks the tree once: `add` is called for each statement,
 * `finish` reports.
 *
 * A statement is checked when the walk reaches it, while it is at hand, unless its check needs names the whole
 * configuration defines (zones, upstream blocks): those wait for `finish`, in their turn among the others, so the
 * problems come out in the order of the statements.
 */
export class ReferenceChecks {
  private readonly zones = { limit_req: new Set<string>(), limit_conn: new Set<string>(), cache: new Map<string, Set<string>>() };
  /** The upstream blocks (for the names of `upstreamBlocks`, made when a check first needs them). */
  private readonly upstreams: ConfigNode[] = [];
  private upstreamBlocks: { http: Set<string>; stream: Set<string> } | null = null;
  /** The names of the upstream blocks nginx accepted so far, by family, lower case. */
  private readonly upstreamNames = { http: new Set<string>(), stream: new Set<string>() };
  private readonly logFormats = { http: new Set(['combined']), stream: new Set<string>() };
  private readonly listens = new Map<string, ListenEntry>();
  /** The problems of the statements, and in their turn the statements checked by `finish`. */
  private readonly found: ({ readonly problem: Problem } | { readonly later: ConfigNode })[] = [];
  private readonly inTurn: Reporter = { report: (problem) => this.found.push({ problem }) };
  /**
   * The generic setters (that nginx does not let repeat in a block) seen so far in the block being read and in each
   * block around it, innermost last; null is the top level. The walk is depth first, so a block's entry is needed
   * only until the walk leaves it, and its set is then used again for the next block.
   */
  private readonly setterBlocks: { block: ConfigNode | null; names: Set<string> }[] = [];
  private readonly spareSets: Set<string>[] = [];
  /** Setters repeated in their block: `"gzip" directive is duplicate`, reported by `finish` in their turn. */
  private readonly repeatedSetters: ConfigNode[] = [];
  /** The servers with a `listen … ssl` or an `ssl_certificate_by_lua*`, in order, each once. */
  private readonly sslServers: ConfigNode[] = [];
  private readonly mailServers: ConfigNode[] = [];
  /** `roleOf` by family and name: worked out once per name, not for each statement. */
  private readonly roles: Record<Family, Map<string, Role>> = { core: new Map(), http: new Map(), stream: new Map(), mail: new Map() };

  constructor(private readonly options: ReferenceCheckOptions) {}

  /**
   * A statement with a context (`node.context` is not null), in the order of the tree, with its family and value
   * slot (`slotLookup`). Only the few statements checked here have their arguments read.
   */
  add(node: ConfigNode, family: Family, slot: ValueSlot | null): void {
    const { name } = node.directive;
    let role = this.roles[family].get(name);
    if (!role) this.roles[family].set(name, (role = roleOf(family, name, slot)));
    // Most statements (proxy_set_header, root, …) have nothing to do with these checks.
    if (role === NO_ROLE) return;
    const rejected = this.options.rejected.has(node);
    if (role.defines) this.define(node);
    // The values are read once, without making tokens; the token of an argument (`directive.args`) is made only for
    // a problem.
    const values = role.inTurn ? argumentValues(node.directive) : null;
    if (role.ssl) this.addSslStatement(node, values);
    // A log_format nginx rejects still takes its name; the other checks pass over rejected statements.
    if (role.inTurn && (!rejected || name === 'log_format')) this.checkInTurn(node, family, rejected, values!);
    else if (role.later && !rejected) this.found.push({ later: node });
    if (role.setter && !rejected) this.addSetter(node);
    if (role.server && node.blockContext === 'mail-server') this.mailServers.push(node);
  }

  /** What a limit_req_zone, limit_conn_zone, `*_cache_path` or upstream block defines, rejected or not. */
  private define(node: ConfigNode): void {
    const { name } = node.directive;
    if (name === 'upstream') {
      if (node.blockContext !== null) this.upstreams.push(node);
    } else if (name === 'limit_req_zone' || name === 'limit_conn_zone') {
      const zone = argumentValues(node.directive).find((value) => value.startsWith('zone='));
      if (zone) (name === 'limit_req_zone' ? this.zones.limit_req : this.zones.limit_conn).add(zone.slice(5).split(':')[0]!);
    } else {
      const cachePath = CACHE_PATH.exec(name)!;
      const zone = argumentValues(node.directive).find((value) => value.startsWith('keys_zone='));
      if (zone) {
        const set = this.zones.cache.get(cachePath[1]!) ?? new Set<string>();
        set.add(zone.slice(10).split(':')[0]!);
        this.zones.cache.set(cachePath[1]!, set);
      }
    }
  }

  finish(): void {
    const { reporter } = this.options;
    for (const entry of this.found) {
      if ('later' in entry) this.checkLater(entry.later);
      else reporter.report(entry.problem);
    }
    checkMailSsl(this.mailServers, this.options);
    for (const node of this.repeatedSetters) {
      reporter.report({ ruleId: 'duplicate-definition', node, message: `"${node.directive.name}" directive is duplicate` });
    }
    checkSslCertificates(
      this.sslServers.map((server) => this.sslServer(server)),
      this.options,
    );
  }

  /** log_format, access_log, upstream, listen, geo: what they need is defined before them or in their block. */
  private checkInTurn(node: ConfigNode, family: Family, rejected: boolean, values: readonly string[]): void {
    const reporter = this.inTurn;
    const { directive } = node;
    const name = directive.name;
    const first = values[0];

    if (name === 'log_format') {
      if ((family === 'http' || family === 'stream') && first !== undefined) {
        const formats = this.logFormats[family];
        if (formats.has(first) && !rejected && !(family === 'http' && first === 'combined')) {
          reporter.report({ ruleId: 'duplicate-definition', node, token: directive.args[0], message: `duplicate "log_format" name "${first}"` });
        }
        formats.add(first);
      }
      return;
    }

    if (name === 'access_log' && (family === 'http' || family === 'stream') && values.length >= 2) {
      const format = values[1]!;
      if (!format.includes('=') && !this.logFormats[family].has(format)) {
        reporter.report({ ruleId: 'undefined-reference', node, token: directive.args[1], message: `unknown log format "${format}"` });
      }
    }

    if (name === 'upstream' && node.blockContext !== null) {
      const key = (first ?? '').toLowerCase();
      const names = this.upstreamNames[node.blockContext === 'upstream' ? 'http' : 'stream'];
      if (names.has(key)) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: directive.args[0], message: `duplicate upstream "${first!}"` });
      }
      names.add(key);
      const servers = node.children.filter((child) => child.directive.name === 'server');
      // An include whose file is there but unknown (a start script writes it: DefectDojo's entrypoint echoes
      // `server ${DD_UWSGI_HOST}:${DD_UWSGI_PORT};` into /run/defectdojo/uwsgi_server) may hold the servers.
      const unknownContent = node.children.some((child) => {
        const resolution = child.directive.name === 'include' ? this.options.includes?.get(child.directive) : undefined;
        return resolution !== undefined && resolution.files.length === 0 && (resolution.error === null || resolution.unmapped === true);
      });
      if (servers.length === 0 && unknownContent) {
        // Nothing known to judge.
      } else if (servers.length === 0) {
        const end = directive.blockEnd >= 0 ? directive.blockEnd : directive.terminatorStart;
        reporter.report({ ruleId: 'invalid-value', node, message: 'no servers are inside upstream', lineAt: end });
      } else if (servers.every((server) => argumentValues(server.directive).slice(1).includes('backup'))) {
        // Round robin needs a primary server (a `down` one counts): nginx says so once the http block is read, at
        // the upstream's own line (measured with nginx 1.22.1).
        reporter.report({ ruleId: 'invalid-value', node, message: `no servers in upstream "${first!}"` });
      }
    }

    if (name === 'listen' && family === 'http' && first !== undefined) this.checkListen(node, values);

    if (name === 'geo' && node.children.length > 0) checkGeoBody(node, reporter);
  }

  /** Two listens of one address: in one server, or with options or `default_server` twice. */
  private checkListen(node: ConfigNode, values: readonly string[]): void {
    const reporter = this.inTurn;
    const server = node.parent;
    if (!server) return;
    const tcpAddress = listenAddressText(parseUrl(values[0]!, { listen: true }), 80);
    if (tcpAddress === null) return;
    // A `quic` listen is a UDP socket: nginx keeps it apart from a TCP listen of the same address (its HTTP/3 page
    // pairs `listen 443 quic reuseport;` with `listen 443 ssl;` in one server).
    const address = values.slice(1).includes('quic') ? `${tcpAddress} quic` : tcpAddress;
    let set = false;
    let defaultServer = false;
    for (let index = 1; index < values.length; index++) {
      const value = values[index]!;
      if (LISTEN_SET_OPTIONS.test(value)) set = true;
      if (value === 'default_server' || value === 'default') defaultServer = true;
    }
    const existing = this.listens.get(address);
    if (!existing) {
      this.listens.set(address, { server, set, defaultServer });
      return;
    }
    const token = () => node.directive.args[0];
    if (existing.server === server) {
      reporter.report({ ruleId: 'duplicate-definition', node, token: token(), message: `a duplicate listen ${address}` });
      return;
    }
    if (set) {
      if (existing.set) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: token(), message: `duplicate listen options for ${address}` });
        return;
      }
      existing.set = true;
    }
    if (defaultServer) {
      if (existing.defaultServer) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: token(), message: `a duplicate default server for ${address}` });
        return;
      }
      existing.defaultServer = true;
    }
  }

  /** limit_req, limit_conn, `*_cache` and the passes of NO_DEFAULT_PORT: the names they use may be defined anywhere. */
  private checkLater(node: ConfigNode): void {
    const { reporter } = this.options;
    const { zones } = this;
    const { directive } = node;
    const name = directive.name;
    const family = familyOf(node.context!);
    const values = argumentValues(directive);
    const first = values[0];

    if (family === 'http' && (name === 'limit_req' || name === 'limit_conn')) {
      const zone = name === 'limit_req' ? values.find((value) => value.startsWith('zone='))?.slice(5) : first;
      const defined = name === 'limit_req' ? zones.limit_req : zones.limit_conn;
      if (zone !== undefined && !defined.has(zone)) {
        reporter.report({
          ruleId: 'undefined-reference',
          node,
          message: `zero size shared memory zone "${zone}"`,
          hint: `no ${name}_zone defines it; nginx names no line`,
        });
      }
    }

    const cache = CACHE.exec(name);
    if (cache && family === 'http' && first !== undefined && first !== 'off' && !first.includes('$')) {
      if (!zones.cache.get(cache[1]!)?.has(first)) {
        reporter.report({
          ruleId: 'undefined-reference',
          node,
          token: directive.args[0],
          message: `"${name}" zone "${first}" is unknown`,
          hint: `no ${cache[1]}_cache_path defines keys_zone=${first}; nginx names the end of the http block`,
        });
      }
    }

    // An address without a port that names no upstream block: nginx makes an upstream of it and needs the port.
    if ((family === 'http' || family === 'stream') && isNoDefaultPortPass(family, name) && first !== undefined && !first.includes('$')) {
      const url = first.replace(/^s?uwsgi:\/\//i, '');
      const parsed = parseUrl(url, {});
      if (!parsed.err && !parsed.unix && parsed.port === null && !this.isUpstreamBlock(family, parsed.host)) {
        reporter.report({ ruleId: 'undefined-reference', node, token: directive.args[0], message: `no port in upstream "${url}"` });
      }
    }
  }

  /** Whether an upstream block of the family has this name, compared ignoring case. */
  private isUpstreamBlock(family: 'http' | 'stream', host: string): boolean {
    if (!this.upstreamBlocks) {
      this.upstreamBlocks = { http: new Set(), stream: new Set() };
      for (const node of this.upstreams) {
        const first = argumentValues(node.directive)[0] ?? '';
        this.upstreamBlocks[node.blockContext === 'upstream' ? 'http' : 'stream'].add(first.toLowerCase());
      }
    }
    return this.upstreamBlocks[family].has(host.toLowerCase());
  }

  /** A generic setter twice in one block (`gzip on; gzip off;`) is a mistake nginx reports. */
  private addSetter(node: ConfigNode): void {
    const block = node.parent;
    const blocks = this.setterBlocks;
    // Leave the blocks the walk has left: those that are neither this block nor around it.
    while (blocks.length > 0 && blocks[blocks.length - 1]!.block !== block && !encloses(blocks[blocks.length - 1]!.block, block)) {
      const { names } = blocks.pop()!;
      names.clear();
      this.spareSets.push(names);
    }
    if (blocks.length === 0 || blocks[blocks.length - 1]!.block !== block) blocks.push({ block, names: this.spareSets.pop() ?? new Set() });
    const { names } = blocks[blocks.length - 1]!;
    if (names.has(node.directive.name)) this.repeatedSetters.push(node);
    else names.add(node.directive.name);
  }

  /**
   * A `listen` (with its values) or `ssl_certificate_by_lua*`: its server is kept when the listen has `ssl` or for
   * the Lua code. Only those servers are read again (`sslServer`) for the certificate checks.
   */
  private addSslStatement(node: ConfigNode, values: readonly string[] | null): void {
    const server = node.parent;
    if (!server || server.directive.name !== 'server' || (server.blockContext !== 'server' && server.blockContext !== 'stream-server')) return;
    if (node.directive.name === 'listen' && values!.indexOf('ssl', 1) === -1) return;
    // A server's statements come one after another in the walk (servers do not nest): the last one kept is it or
    // an earlier server.
    if (this.sslServers[this.sslServers.length - 1] !== server) this.sslServers.push(server);
  }

  /** What a server's statements say about SSL. */
  private sslServer(server: ConfigNode): SslServer {
    let sslListen: ConfigNode | null = null;
    let sslOn = false;
    let ownCertificate = false;
    let rejectsHandshakes = false;
    let luaCert: ConfigNode | null = null;
    for (const child of server.children) {
      const name = child.directive.name;
      if (name === 'listen') {
        if (!sslListen && argumentValues(child.directive).indexOf('ssl', 1) !== -1) sslListen = child;
      } else if (name === 'ssl') sslOn ||= argumentValues(child.directive)[0] === 'on';
      else if (name === 'ssl_certificate') ownCertificate = true;
      else if (name === 'ssl_reject_handshake') rejectsHandshakes ||= argumentValues(child.directive)[0] === 'on';
      if (!luaCert && name.startsWith('ssl_certificate_by_lua')) luaCert = child;
    }
    const rejects = rejectsHandshakes && atLeast(this.options.version, '1.19.4');
    const listenWithoutCertificate = sslListen && !rejects && !ownCertificate ? sslListen : null;
    const luaWithoutSsl = luaCert && !sslListen && !sslOn ? luaCert : null;
    return { server, listenWithoutCertificate, luaWithoutSsl };
  }
}

function isNoDefaultPortPass(family: Family, name: string): boolean {
  return (family === 'http' || family === 'stream') && NO_DEFAULT_PORT[family].includes(name);
}

/** Whether `outer` is a block around `node` (null: the top level, around everything). */
function encloses(outer: ConfigNode | null, node: ConfigNode | null): boolean {
  if (outer === null) return true;
  for (let at = node?.parent ?? null; at; at = at.parent) if (at === outer) return true;
  return false;
}

/** Lines of a `geo` block: networks (or ranges with `ranges`), and its parameters. */
function checkGeoBody(geo: ConfigNode, reporter: Reporter): void {
  const stream = geo.context?.startsWith('stream') === true;
  let ranges = false;
  for (const line of geo.children) {
    const key = line.directive.name;
    const args = line.directive.args;
    if (key === 'ranges' && args.length === 0) {
      ranges = true;
      continue;
    }
    if (['default', 'proxy', 'proxy_recursive', 'include', 'delete'].includes(key)) continue;
    if (args.length !== 1) continue;
    if (ranges) {
      const match = /^([0-9.]+)-([0-9.]+)$/.exec(key);
      if (!match) {
        reporter.report({ ruleId: 'invalid-value', node: line, token: line.directive.nameToken, message: `invalid range "${key}"` });
        return;
      }
      continue;
    }
    if (!isNetwork(key)) {
      reporter.report({ ruleId: 'invalid-value', node: line, token: line.directive.nameToken, message: `invalid network "${key}"` });
      return;
    }
  }
  void stream;
}

function isNetwork(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  if (extra !== undefined || address === undefined) return false;
  if (bits !== undefined && !/^[0-9]+$/.test(bits)) return false;
  if (/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(address)) return bits === undefined || Number(bits) <= 32;
  if (/^[0-9A-Fa-f:.]+$/.test(address) && address.includes(':')) return bits === undefined || Number(bits) <= 128;
  return false;
}

/**
 * `listen … ssl` needs a certificate in that server or above (`no "ssl_certificate" is defined for the "listen ...
 * ssl" directive`, at the listen), unless the server rejects handshakes; Lua's `ssl_certificate_by_lua*` needs SSL
 * in its server (`no ssl configured for the server`).
 */
function checkSslCertificates(servers: readonly SslServer[], options: ReferenceCheckOptions): void {
  // Whether a block holds an ssl_certificate of its own, once per block: the http block is above every server, and
  // scanning its children for each of them would be quadratic in servers.
  const certificateIn = new Map<ConfigNode, boolean>();
  const holdsCertificate = (block: ConfigNode) => {
    let holds = certificateIn.get(block);
    if (holds === undefined) certificateIn.set(block, (holds = block.children.some((child) => child.directive.name === 'ssl_certificate')));
    return holds;
  };
  const above = (server: ConfigNode) => {
    for (let block = server.parent; block; block = block.parent) if (holdsCertificate(block)) return true;
    return false;
  };
  for (const { server, listenWithoutCertificate, luaWithoutSsl } of servers) {
    if (listenWithoutCertificate && !options.rejected.has(listenWithoutCertificate) && !above(server)) {
      // nginx names the server block, where it recorded the file and line of the server's configuration.
      options.reporter.report({
        ruleId: 'undefined-reference',
        node: listenWithoutCertificate,
        message: 'no "ssl_certificate" is defined for the "listen ... ssl" directive',
        lineAt: server.directive.terminatorStart,
      });
    }
    if (luaWithoutSsl) {
      options.reporter.report({
        ruleId: 'undefined-reference',
        node: luaWithoutSsl,
        message: 'no ssl configured for the server',
        hint: 'nginx names no line',
      });
    }
  }
}

/**
 * mail: `ssl on` and `starttls` exclude each other, also when one is inherited from the mail block; nginx finds it
 * when it merges a server and names the `ssl on` line.
 */
function checkMailSsl(servers: readonly ConfigNode[], options: ReferenceCheckOptions): void {
  const reported = new Set<ConfigNode>();
  const find = (block: ConfigNode, test: (node: ConfigNode) => boolean): ConfigNode | null => {
    for (let at: ConfigNode | null = block; at; at = at.parent) {
      const hit = at.children.find((child) => !options.rejected.has(child) && test(child));
      if (hit) return hit;
      if (at.blockContext === 'mail') break;
    }
    return null;
  };
  for (const server of servers) {
    const sslOn = find(server, (node) => node.directive.name === 'ssl');
    if (!sslOn || sslOn.directive.args[0]?.value !== 'on') continue;
    const starttls = find(server, (node) => node.directive.name === 'starttls');
    const mode = starttls?.directive.args[0]?.value;
    if ((mode === 'on' || mode === 'only') && !reported.has(sslOn)) {
      reported.add(sslOn);
      options.reporter.report({ ruleId: 'duplicate-definition', node: sslOn, message: '"starttls" directive conflicts with "ssl on"' });
    }
  }
}
