/**
 * Checks nginx makes across statements: a name used that nothing defines (log formats, shared memory zones, caches),
 * a name or address defined twice (listen sockets, default servers, upstreams, generic setters in one block), what a
 * block must contain (an upstream's servers, a certificate for `listen … ssl`) and the lines of `geo` bodies.
 */
import type { ConfigNode } from '../../load/tree.js';
import { valueSlot } from '../../nginx/variables.js';
import { compareNginxVersions } from '../../nginx/version.js';
import { listenAddressText, parseUrl } from './url.js';
import type { Reporter } from './types.js';
import { familyOf } from './values.js';

/** Setters that say `"NAME" directive is duplicate` for a second statement in the same block. */
const DUPLICATE_CHECKING_SLOTS: ReadonlySet<string> = new Set(['msec', 'sec', 'size', 'off', 'num', 'flag', 'str', 'enum', 'bufs', 'path']);

export interface ReferenceCheckOptions {
  readonly version: string | null;
  readonly reporter: Reporter;
  readonly rejected: ReadonlySet<ConfigNode>;
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

export function checkReferences(all: readonly ConfigNode[], options: ReferenceCheckOptions): void {
  const { reporter, rejected } = options;
  const ok = (node: ConfigNode) => !rejected.has(node);

  // Names defined anywhere, for checks nginx makes once everything is read.
  const zones = { limit_req: new Set<string>(), limit_conn: new Set<string>(), cache: new Map<string, Set<string>>() };
  const upstreamNames = new Set<string>();
  for (const node of all) {
    if (node.context === null) continue;
    const { name } = node.directive;
    const values = node.directive.args.map((arg) => arg.value);
    if (name === 'limit_req_zone' || name === 'limit_conn_zone') {
      const zone = values.find((value) => value.startsWith('zone='));
      if (zone) (name === 'limit_req_zone' ? zones.limit_req : zones.limit_conn).add(zone.slice(5).split(':')[0]!);
    }
    const cachePath = /^(proxy|fastcgi|uwsgi|scgi)_cache_path$/.exec(name);
    if (cachePath) {
      const zone = values.find((value) => value.startsWith('keys_zone='));
      if (zone) {
        const set = zones.cache.get(cachePath[1]!) ?? new Set<string>();
        set.add(zone.slice(10).split(':')[0]!);
        zones.cache.set(cachePath[1]!, set);
      }
    }
  }
  const upstreamBlocks = new Set<string>();
  for (const node of all) {
    if (node.directive.name !== 'upstream' || node.blockContext === null) continue;
    upstreamBlocks.add(`${node.blockContext === 'upstream' ? 'http' : 'stream'}:${(node.directive.args[0]?.value ?? '').toLowerCase()}`);
  }

  const logFormats = { http: new Set(['combined']), stream: new Set<string>() };
  const listens = new Map<string, ListenEntry>();

  for (const node of all) {
    const { directive } = node;
    const context = node.context;
    if (context === null) continue;
    const name = directive.name;
    const args = directive.args;
    const family = familyOf(context);

    if (name === 'log_format' && (family === 'http' || family === 'stream') && args[0]) {
      const formats = logFormats[family];
      if (formats.has(args[0].value) && ok(node) && !(family === 'http' && args[0].value === 'combined')) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: args[0], message: `duplicate "log_format" name "${args[0].value}"` });
      }
      formats.add(args[0].value);
      continue;
    }
    if (!ok(node)) continue;

    if (name === 'access_log' && (family === 'http' || family === 'stream') && args.length >= 2) {
      const format = args[1]!;
      if (!format.value.includes('=') && !logFormats[family].has(format.value)) {
        reporter.report({ ruleId: 'undefined-reference', node, token: format, message: `unknown log format "${format.value}"` });
      }
    }

    if (family === 'http' && (name === 'limit_req' || name === 'limit_conn')) {
      const zone = name === 'limit_req' ? args.find((arg) => arg.value.startsWith('zone='))?.value.slice(5) : args[0]?.value;
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

    const cache = /^(proxy|fastcgi|uwsgi|scgi)_cache$/.exec(name);
    if (cache && family === 'http' && args[0] && args[0].value !== 'off' && !/\$/.test(args[0].value)) {
      const zone = args[0].value;
      if (!zones.cache.get(cache[1]!)?.has(zone)) {
        reporter.report({
          ruleId: 'undefined-reference',
          node,
          token: args[0],
          message: `"${name}" zone "${zone}" is unknown`,
          hint: `no ${cache[1]}_cache_path defines keys_zone=${zone}; nginx names the end of the http block`,
        });
      }
    }

    // An address without a port that names no upstream block: nginx makes an upstream of it and needs the port.
    const noDefaultPort =
      family === 'http' ? ['fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'memcached_pass'] : family === 'stream' ? ['proxy_pass'] : [];
    if (noDefaultPort.includes(name) && args[0] && !/\$/.test(args[0].value)) {
      const url = args[0].value.replace(/^s?uwsgi:\/\//i, '');
      const parsed = parseUrl(url, {});
      if (!parsed.err && !parsed.unix && parsed.port === null && !upstreamBlocks.has(`${family}:${parsed.host.toLowerCase()}`)) {
        reporter.report({ ruleId: 'undefined-reference', node, token: args[0], message: `no port in upstream "${url}"` });
      }
    }

    if (name === 'upstream' && node.blockContext !== null) {
      const key = (args[0]?.value ?? '').toLowerCase();
      const upstreamFamily = node.blockContext === 'upstream' ? 'http' : 'stream';
      if (upstreamNames.has(`${upstreamFamily}:${key}`)) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: args[0], message: `duplicate upstream "${args[0]!.value}"` });
      }
      upstreamNames.add(`${upstreamFamily}:${key}`);
      if (!node.children.some((child) => child.directive.name === 'server')) {
        const end = directive.blockEnd >= 0 ? directive.blockEnd : directive.terminatorStart;
        reporter.report({ ruleId: 'invalid-value', node, message: 'no servers are inside upstream', lineAt: end });
      }
    }

    if (name === 'listen' && family === 'http' && args[0]) {
      const server = node.parent;
      if (!server) continue;
      const address = listenAddressText(parseUrl(args[0].value, { listen: true }), 80);
      if (address === null) continue;
      const values = args.slice(1).map((arg) => arg.value);
      const set = values.some((value) => LISTEN_SET_OPTIONS.test(value));
      const defaultServer = values.includes('default_server') || values.includes('default');
      const existing = listens.get(address);
      if (!existing) {
        listens.set(address, { server, set, defaultServer });
        continue;
      }
      if (existing.server === server) {
        reporter.report({ ruleId: 'duplicate-definition', node, token: args[0], message: `a duplicate listen ${address}` });
        continue;
      }
      if (set) {
        if (existing.set) {
          reporter.report({ ruleId: 'duplicate-definition', node, token: args[0], message: `duplicate listen options for ${address}` });
          continue;
        }
        existing.set = true;
      }
      if (defaultServer) {
        if (existing.defaultServer) {
          reporter.report({ ruleId: 'duplicate-definition', node, token: args[0], message: `a duplicate default server for ${address}` });
          continue;
        }
        existing.defaultServer = true;
      }
    }

    if (name === 'geo' && node.children.length > 0) checkGeoBody(node, reporter);
  }

  checkMailSsl(all, options);
  checkDuplicateSetters(all, options);
  checkSslCertificates(all, options);
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

/** A generic setter twice in one block (`gzip on; gzip off;`): `"gzip" directive is duplicate`. */
function checkDuplicateSetters(all: readonly ConfigNode[], options: ReferenceCheckOptions): void {
  const seen = new Map<ConfigNode | null, Set<string>>();
  for (const node of all) {
    if (node.context === null || options.rejected.has(node)) continue;
    const name = node.directive.name;
    const slot = valueSlot(familyOf(node.context), name);
    if (!slot || !DUPLICATE_CHECKING_SLOTS.has(slot)) continue;
    let names = seen.get(node.parent);
    if (!names) seen.set(node.parent, (names = new Set()));
    if (names.has(name)) {
      options.reporter.report({ ruleId: 'duplicate-definition', node, message: `"${name}" directive is duplicate` });
      continue;
    }
    names.add(name);
  }
}

/**
 * `listen … ssl` needs a certificate in that server or above (`no "ssl_certificate" is defined for the "listen ...
 * ssl" directive`, at the listen), unless the server rejects handshakes; Lua's `ssl_certificate_by_lua*` needs SSL
 * in its server (`no ssl configured for the server`).
 */
function checkSslCertificates(all: readonly ConfigNode[], options: ReferenceCheckOptions): void {
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
  for (const server of all) {
    if (server.directive.name !== 'server' || (server.blockContext !== 'server' && server.blockContext !== 'stream-server')) continue;
    const here = (name: string) => server.children.filter((child) => child.directive.name === name);
    const sslListen = here('listen').find((listen) => listen.directive.args.slice(1).some((arg) => arg.value === 'ssl'));
    const sslOn = here('ssl').some((node) => node.directive.args[0]?.value === 'on');
    const hasCertificate = () => here('ssl_certificate').length > 0 || above(server);
    const rejects = here('ssl_reject_handshake').some((node) => node.directive.args[0]?.value === 'on') && atLeast(options.version, '1.19.4');
    if (sslListen && !rejects && !options.rejected.has(sslListen) && !hasCertificate()) {
      // nginx names the server block, where it recorded the file and line of the server's configuration.
      options.reporter.report({
        ruleId: 'undefined-reference',
        node: sslListen,
        message: 'no "ssl_certificate" is defined for the "listen ... ssl" directive',
        lineAt: server.directive.terminatorStart,
      });
    }
    const luaCert = server.children.find((child) => /^ssl_certificate_by_lua/.test(child.directive.name));
    if (luaCert && !sslListen && !sslOn) {
      options.reporter.report({
        ruleId: 'undefined-reference',
        node: luaCert,
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
function checkMailSsl(all: readonly ConfigNode[], options: ReferenceCheckOptions): void {
  const reported = new Set<ConfigNode>();
  const find = (block: ConfigNode, test: (node: ConfigNode) => boolean): ConfigNode | null => {
    for (let at: ConfigNode | null = block; at; at = at.parent) {
      const hit = at.children.find((child) => !options.rejected.has(child) && test(child));
      if (hit) return hit;
      if (at.blockContext === 'mail') break;
    }
    return null;
  };
  for (const server of all) {
    if (server.blockContext !== 'mail-server') continue;
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
