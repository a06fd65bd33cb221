/**
 * The value checks nginx's directive handlers make on one statement, with nginx's words: `listen` parameters,
 * upstream `server` parameters, `*_pass` URLs, times and sizes of the generic setters, `return` codes, `if`
 * conditions, nested `location`s, `events { use }`, resolver addresses, headers-more options. Each check follows the
 * handler in nginx 1.22.1 and HEAD (src/http/ngx_http_core_module.c, ngx_http_upstream.c, …); where they differ,
 * the target version decides.
 */
import type { Token } from '../../syntax/ast.js';
import type { ConfigNode } from '../../load/tree.js';
import type { BlockContext } from '../../nginx/directives.js';
import { parseNginxOffset, parseNginxSize, parseNginxTime } from '../../nginx/units.js';
import { valueSlot, type ValueSlot } from '../../nginx/variables.js';
import { argumentValues } from '../../syntax/parser.js';
import { compareNginxVersions } from '../../nginx/version.js';
import { isIpv4, parseUrl } from './url.js';
import type { Reporter } from './types.js';

export type Family = 'core' | 'http' | 'stream' | 'mail';

export function familyOf(context: BlockContext): Family {
  if (context === 'main' || context === 'events') return 'core';
  if (context.startsWith('stream')) return 'stream';
  if (context.startsWith('mail')) return 'mail';
  return 'http';
}

/**
 * `valueSlot`, remembered per family and name for one run: it is asked for nearly every statement, and directive
 * names are few (the parser makes one string of each per file), so the lookup costs no new key string.
 */
export function slotLookup(): (family: Family, name: string) => ValueSlot | null {
  const slots: Record<Family, Map<string, ValueSlot | null>> = { core: new Map(), http: new Map(), stream: new Map(), mail: new Map() };
  return (family, name) => {
    const known = slots[family];
    let slot = known.get(name);
    if (slot === undefined) known.set(name, (slot = valueSlot(family, name)));
    return slot;
  };
}

export interface CheckContext {
  /** The target nginx version, or null for HEAD. */
  readonly version: string | null;
  readonly reporter: Reporter;
}

function atLeast(check: CheckContext, version: string): boolean {
  return check.version === null || compareNginxVersions(check.version, version) >= 0;
}

/**
 * Whether nginx accepts a time. parseNginxTime also holds each part to 2^31-1 in the directive's unit, but a 64-bit
 * nginx limits parts to 2^63-1 (`NGX_MAX_INT_T_VALUE` in ngx_parse_time: `proxy_read_timeout 30d` is accepted by
 * nginx 1.22 on amd64), so only the spelling is checked here: the same text with every number made 1.
 */
function validTime(text: string, seconds: boolean): boolean {
  return parseNginxTime(text, { seconds }) !== null || parseNginxTime(text.replace(/[0-9]+/g, '1'), { seconds }) !== null;
}

function hasVariables(text: string): boolean {
  return /\$(?:[A-Za-z0-9_]|\{)/.test(text);
}

function atoi(text: string): number | null {
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

/** Parameters of `listen` in the http module and the nginx release that added each (or removed it: `until`). */
const LISTEN_FLAGS: Readonly<Record<string, { since?: string; until?: string }>> = {
  default_server: {},
  default: {},
  bind: {},
  deferred: {},
  reuseport: { since: '1.9.1' },
  ssl: {},
  http2: { since: '1.9.5' },
  spdy: { until: '1.9.5' },
  proxy_protocol: { since: '1.5.12' },
  quic: { since: '1.25.0' },
  http3: { since: '1.25.0', until: '1.25.0' },
  multipath: { since: '1.29.1' },
};

/** The token of argument `index` of a statement: made only for a problem, the checks read `argumentValues`. */
function argumentToken(node: ConfigNode, index: number): Token {
  return node.directive.args[index]!;
}

function checkListen(node: ConfigNode, values: readonly string[], check: CheckContext): void {
  const address = values[0]!;
  const parsed = parseUrl(address, { listen: true });
  if (parsed.err) {
    check.reporter.report({ node, token: argumentToken(node, 0), message: `${parsed.err} in "${address}" of the "listen" directive` });
    return;
  }
  for (let index = 1; index < values.length; index++) {
    const value = values[index]!;
    const bad = (message: string) => check.reporter.report({ node, token: argumentToken(node, index), message });
    const flag = LISTEN_FLAGS[value];
    if (flag) {
      if ((flag.since && !atLeast(check, flag.since)) || (flag.until && atLeast(check, flag.until))) return bad(`invalid parameter "${value}"`);
      continue;
    }
    const eq = value.indexOf('=');
    const key = eq === -1 ? value : value.slice(0, eq + 1);
    const rest = eq === -1 ? '' : value.slice(eq + 1);
    switch (key) {
      case 'setfib=':
      case 'fastopen=':
        if (atoi(rest) === null) return bad(`invalid ${key.slice(0, -1)} "${value}"`);
        continue;
      case 'backlog=': {
        const n = /^-?[0-9]+$/.test(rest) ? Number(rest) : null;
        if (n === null || n === 0) return bad(`invalid backlog "${value}"`);
        continue;
      }
      case 'rcvbuf=':
      case 'sndbuf=': {
        const size = parseNginxSize(rest);
        if (size === null) return bad(`invalid ${key.slice(0, -1)} "${value}"`);
        continue;
      }
      case 'accept_filter=':
        continue;
      case 'so_keepalive=':
        if (rest !== 'on' && rest !== 'off' && !/^[0-9a-z]*:[0-9a-z]*:[0-9]*$/.test(rest)) return bad(`invalid so_keepalive value: "${rest}"`);
        continue;
    }
    if (value.startsWith('ipv6only=o')) {
      const tail = value.slice('ipv6only=o'.length);
      if (tail !== 'n' && tail !== 'ff') return bad(`invalid ipv6only flags "${tail}"`);
      continue;
    }
    return bad(`invalid parameter "${value}"`);
  }
}

/** The balancing directives and the `server` parameters each leaves allowed (nginx's NGX_HTTP_UPSTREAM_* flags). */
const NO_BACKUP_METHODS: ReadonlySet<string> = new Set(['hash', 'ip_hash', 'random']);

const BALANCING_METHODS: ReadonlySet<string> = new Set(['hash', 'ip_hash', 'random', 'least_conn', 'least_time']);

function checkUpstreamServer(node: ConfigNode, values: readonly string[], check: CheckContext, family: Family): void {
  // The balancing method in force when nginx reads this line: the last one before it in the block.
  let method: string | null = null;
  for (const sibling of node.parent?.children ?? []) {
    if (sibling === node) break;
    if (BALANCING_METHODS.has(sibling.directive.name)) method = sibling.directive.name;
  }
  const noBackup = method !== null && NO_BACKUP_METHODS.has(method);
  let resolve = false;
  let service = false;
  for (let index = 1; index < values.length; index++) {
    const value = values[index]!;
    const invalid = () => check.reporter.report({ node, token: argumentToken(node, index), message: `invalid parameter "${value}"` });
    const notSupported = () =>
      check.reporter.report({ node, token: argumentToken(node, index), message: `balancing method does not support parameter "${value}"` });
    if (value.startsWith('weight=')) {
      const n = atoi(value.slice(7));
      if (n === null || n === 0) return invalid();
      continue;
    }
    if (value.startsWith('max_conns=') || value.startsWith('max_fails=')) {
      if (value.startsWith('max_conns=') && family === 'http' && !atLeast(check, '1.11.5')) return invalid();
      if (atoi(value.slice(10)) === null) return invalid();
      continue;
    }
    if (value.startsWith('fail_timeout=')) {
      if (!validTime(value.slice(13), true)) return invalid();
      continue;
    }
    if (value === 'backup') {
      if (noBackup) return notSupported();
      continue;
    }
    if (value === 'down') continue;
    if (value === 'resolve' && atLeast(check, '1.27.3')) {
      resolve = true;
      continue;
    }
    if (value.startsWith('service=') && atLeast(check, '1.27.3')) {
      if (value.length === 8) return check.reporter.report({ node, token: argumentToken(node, index), message: 'service is empty' });
      service = true;
      continue;
    }
    if ((value === 'drain' || value.startsWith('route=')) && family === 'http' && atLeast(check, '1.29.6')) continue;
    return invalid();
  }
  const address = values[0]!;
  if (service && !resolve) {
    check.reporter.report({ node, token: argumentToken(node, 0), message: `service upstream "${address}" requires "resolve" parameter` });
    return;
  }
  const parsed = parseUrl(address, {});
  if (parsed.err) {
    check.reporter.report({ node, token: argumentToken(node, 0), message: `${parsed.err} in upstream "${address}"` });
    return;
  }
  if (family === 'stream' && !parsed.unix && parsed.port === null && !service) {
    check.reporter.report({ node, token: argumentToken(node, 0), message: `no port in upstream "${address}"` });
  }
}

const PASS_PREFIXES: Readonly<Record<string, readonly string[]>> = {
  proxy_pass: ['http://', 'https://'],
  grpc_pass: ['grpc://', 'grpcs://'],
};

/** `proxy_pass` and the other http `*_pass` handlers: the URL prefix, the address, and where a URI part may stand. */
function checkPass(node: ConfigNode, values: readonly string[], check: CheckContext, locationOf: LocationOf): void {
  const name = node.directive.name;
  const url = values[0]!;
  if (hasVariables(url)) return;
  let rest = url;
  const prefixes = PASS_PREFIXES[name];
  if (prefixes) {
    const prefix = prefixes.find((candidate) => rest.slice(0, candidate.length).toLowerCase() === candidate);
    if (prefix) rest = rest.slice(prefix.length);
    else if (name === 'proxy_pass') {
      check.reporter.report({ node, token: argumentToken(node, 0), message: 'invalid URL prefix' });
      return;
    }
  } else if (name === 'uwsgi_pass' && rest.slice(0, 8).toLowerCase() === 'uwsgi://') rest = rest.slice(8);
  else if (name === 'uwsgi_pass' && rest.slice(0, 9).toLowerCase() === 'suwsgi://') rest = rest.slice(9);
  const parsed = parseUrl(rest, { uriPart: name === 'proxy_pass' });
  if (parsed.err) {
    check.reporter.report({ node, token: argumentToken(node, 0), message: `${parsed.err} in upstream "${rest}"` });
    return;
  }
  if (name === 'proxy_pass' && parsed.uri.length > 0) {
    const location = locationOf(node);
    const noUri = node.context === 'if-in-location' || node.context === 'limit_except' || location?.regex === true || location?.named === true;
    if (noUri) {
      check.reporter.report({
        node,
        token: argumentToken(node, 0),
        message:
          '"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block',
      });
    }
  }
}

export interface LocationName {
  readonly name: string;
  readonly exact: boolean;
  readonly regex: boolean;
  readonly named: boolean;
}

/** The name of the `location` block around a statement, or null when it is in none. */
export type LocationOf = (node: ConfigNode) => LocationName | null;

/** How nginx reads a `location`'s arguments (`ngx_http_core_location`). */
export function locationName(args: readonly Token[]): LocationName | null {
  if (args.length === 2) {
    const [modifier, name] = [args[0]!.value, args[1]!.value];
    if (modifier === '=') return { name, exact: true, regex: false, named: false };
    if (modifier === '^~') return { name, exact: false, regex: false, named: false };
    if (modifier === '~' || modifier === '~*') return { name, exact: false, regex: true, named: false };
    return null;
  }
  if (args.length !== 1) return null;
  const value = args[0]!.value;
  if (value.startsWith('=')) return { name: value.slice(1), exact: true, regex: false, named: false };
  if (value.startsWith('^~')) return { name: value.slice(2), exact: false, regex: false, named: false };
  if (value.startsWith('~')) return { name: value.slice(value.startsWith('~*') ? 2 : 1), exact: false, regex: true, named: false };
  return { name: value, exact: false, regex: false, named: value.startsWith('@') };
}

/** A location inside another: nginx's rules on nesting (only a location in a location is read). */
function checkLocation(node: ConfigNode, check: CheckContext): void {
  const parentNode = node.parent;
  if (node.context !== 'location' || !parentNode || parentNode.directive.name !== 'location') return;
  const own = locationName(node.directive.args);
  if (!own) return;
  const parent = locationName(parentNode.directive.args);
  if (!parent) return;
  const report = (message: string) => check.reporter.report({ node, message });
  if (parent.exact) return report(`location "${own.name}" cannot be inside the exact location "${parent.name}"`);
  if (parent.named) return report(`location "${own.name}" cannot be inside the named location "${parent.name}"`);
  if (own.named) return report(`named location "${own.name}" can be on the server level only`);
  if (!own.regex && own.name.slice(0, parent.name.length) !== parent.name) {
    return report(`location "${own.name}" is outside location "${parent.name}"`);
  }
}

/** `ngx_http_rewrite_if_condition`, including how it reads the parentheses stuck to the first and last words. */
function checkIf(node: ConfigNode, args: readonly Token[], check: CheckContext): void {
  const values = args.map((arg) => arg.value);
  const bad = (index: number, text = values[index] ?? '') =>
    check.reporter.report({ node, token: args[Math.min(index, args.length - 1)], message: `invalid condition "${text}"` });
  if (values.length === 0) return;
  let last = values.length - 1;
  if (values[0]!.length < 1 || !values[0]!.startsWith('(')) return bad(0);
  let cur: number;
  if (values[0]!.length === 1) cur = 1;
  else {
    cur = 0;
    values[0] = values[0]!.slice(1);
  }
  if (values[last]!.length < 1 || !values[last]!.endsWith(')')) return bad(last);
  if (values[last]!.length === 1) last--;
  else values[last] = values[last]!.slice(0, -1);
  const p = values[cur] ?? '';
  if (p.length > 1 && p.startsWith('$')) {
    if (cur !== last && cur + 2 !== last) return bad(cur);
    if (cur === last) return;
    const operator = values[cur + 1]!;
    if (['=', '!=', '~', '~*', '!~', '!~*'].includes(operator)) return;
    check.reporter.report({ node, token: args[cur + 1], message: `unexpected "${operator}" in condition` });
    return;
  }
  if ((p.length === 2 && p[0] === '-') || (p.length === 3 && p[0] === '!' && p[1] === '-')) {
    if (cur + 1 !== last) return bad(cur);
    const test = p[p.length - 1]!;
    if (!'fdex'.includes(test)) return bad(cur);
    return;
  }
  return bad(cur, p);
}

function checkReturn(node: ConfigNode, args: readonly Token[], check: CheckContext): void {
  const first = args[0]!;
  const code = atoi(first.value);
  if (code === null) {
    const text = first.value;
    const isUrl = (text.length > 7 && text.startsWith('http://')) || (text.length > 8 && text.startsWith('https://')) || text.startsWith('$scheme');
    if (args.length === 2 || !isUrl) check.reporter.report({ node, token: first, message: `invalid return code "${text}"` });
    return;
  }
  if (code > 999) check.reporter.report({ node, token: first, message: `invalid return code "${first.value}"` });
}

/**
 * Event methods an nginx built for Linux has (`use`): kqueue, eventport, devpoll and iocp are other systems', and
 * nginx builds select and poll only where it finds no better method or is configured `--with-select_module` /
 * `--with-poll_module`, which neither Debian's nor the official image's build is (checked: nginx 1.22 says
 * `invalid event type "poll"`).
 */
const LINUX_EVENT_METHODS: ReadonlySet<string> = new Set(['epoll']);

function checkResolver(node: ConfigNode, args: readonly Token[], check: CheckContext): void {
  for (const arg of args) {
    const value = arg.value;
    if (/^(valid|ipv6|ipv4|status_zone)=/.test(value)) continue;
    const parsed = parseUrl(value, {});
    if (parsed.err) {
      check.reporter.report({ node, token: arg, message: `${parsed.err} in resolver "${value}"` });
      return;
    }
  }
}

/** `allow`/`deny`: `all`, `unix:`, an address or a network (`ngx_ptocidr`), else "invalid parameter". */
function checkAccess(node: ConfigNode, args: readonly Token[], check: CheckContext): void {
  const value = args[0]!.value;
  if (value === 'all' || value === 'unix:') return;
  const [address, bits, extra] = value.split('/');
  const bitsOk = bits === undefined || (/^[0-9]+$/.test(bits) && Number(bits) <= (address!.includes(':') ? 128 : 32));
  const addressOk = isIpv4(address!) || (/^[0-9A-Fa-f:.]+$/.test(address!) && address!.includes(':'));
  if (extra !== undefined || !bitsOk || !addressOk) check.reporter.report({ node, token: args[0], message: `invalid parameter "${value}"` });
}

const MORE_HEADERS: Readonly<Record<string, readonly string[]>> = {
  more_set_headers: ['-s', '-t', '-a'],
  more_clear_headers: ['-s', '-t'],
  more_set_input_headers: ['-t', '-r'],
  more_clear_input_headers: ['-t'],
};

function checkMoreHeaders(node: ConfigNode, args: readonly Token[], check: CheckContext): void {
  const options = MORE_HEADERS[node.directive.name]!;
  for (let i = 0; i < args.length; i++) {
    const value = args[i]!.value;
    if (!value.startsWith('-') || value.length < 2) continue;
    if (!options.includes(value)) {
      check.reporter.report({ node, token: args[i], message: `${node.directive.name}: invalid option name: "${value}"` });
      return;
    }
    if (value === '-s' || value === '-t') i++;
  }
}

/** The generic setters: one value each (`proxy_read_timeout 10x` is "invalid value"). */
function checkSlot(node: ConfigNode, check: CheckContext, slot: ValueSlot | null): void {
  const { directive } = node;
  // Only these slots have a value to check; the values are read only for them.
  if (slot !== 'msec' && slot !== 'sec' && slot !== 'size' && slot !== 'off' && slot !== 'num') return;
  const values = argumentValues(directive);
  if (values.length !== 1) return;
  const value = values[0]!;
  let valid: boolean;
  switch (slot) {
    case 'msec':
      valid = validTime(value, false);
      break;
    case 'sec':
      valid = validTime(value, true);
      break;
    case 'size':
      valid = parseNginxSize(value) !== null;
      break;
    case 'off':
      valid = parseNginxOffset(value) !== null;
      break;
    case 'num':
      valid = /^[0-9]+$/.test(value);
      break;
  }
  if (!valid) check.reporter.report({ node, token: directive.args[0], message: `"${directive.name}" directive invalid value` });
}

/**
 * Checks one statement that passed the structural check, of this family and with this value slot (`slotLookup`).
 * `locationOf` is asked only when a check needs the location (a `proxy_pass` with a URI part).
 */
export function checkValues(node: ConfigNode, family: Family, slot: ValueSlot | null, check: CheckContext, locationOf: LocationOf): void {
  const context = node.context!;
  const { directive } = node;
  // The arguments are read only by the checks of the directives named here. The frequent ones (listen, upstream
  // servers, passes) read the values and make a token only for a problem.
  switch (directive.name) {
    case 'listen':
      if (family === 'http') checkListen(node, argumentValues(directive), check);
      return;
    case 'server':
      if (context === 'upstream' || context === 'stream-upstream') checkUpstreamServer(node, argumentValues(directive), check, family);
      return;
    case 'proxy_pass':
    case 'fastcgi_pass':
    case 'uwsgi_pass':
    case 'scgi_pass':
    case 'grpc_pass':
    case 'memcached_pass':
      if (family === 'http') checkPass(node, argumentValues(directive), check, locationOf);
      return;
    case 'location':
      checkLocation(node, check);
      return;
    case 'if':
      if (family === 'http') checkIf(node, directive.args, check);
      return;
    case 'return':
      if (family === 'http') checkReturn(node, directive.args, check);
      return;
    case 'worker_processes': {
      // ngx_set_worker_processes: "auto" (lower case only) or what ngx_atoi reads; checked with nginx 1.22.1 (0 and
      // 4 pass; AUTO, -1, four and 4k are "invalid value").
      const value = argumentValues(directive)[0]!;
      if (value !== 'auto' && !/^[0-9]+$/.test(value)) {
        check.reporter.report({ node, token: directive.args[0], message: `"${directive.name}" directive invalid value` });
      }
      return;
    }
    case 'use': {
      const args = directive.args;
      if (context === 'events' && !LINUX_EVENT_METHODS.has(args[0]!.value)) {
        check.reporter.report({ node, token: args[0], message: `invalid event type "${args[0]!.value}"` });
      }
      return;
    }
    case 'resolver':
      checkResolver(node, directive.args, check);
      return;
    case 'allow':
    case 'deny':
      if (family === 'http' || family === 'stream') checkAccess(node, directive.args, check);
      return;
    case 'more_set_headers':
    case 'more_clear_headers':
    case 'more_set_input_headers':
    case 'more_clear_input_headers':
      checkMoreHeaders(node, directive.args, check);
      return;
  }
  checkSlot(node, check, slot);
}
