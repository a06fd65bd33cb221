/**
 * The `upstream` blocks of the http context, with each server's address and parameters and the block's keepalive
 * settings resolved against the nginx version (ngx_http_upstream_server, ngx_http_upstream_keepalive_module).
 */
import type { Token } from '../syntax/ast.js';
import { argumentCount, argumentToken, argumentValue, argumentValues } from '../syntax/parser.js';
import type { ConfigNode } from '../load/tree.js';
import { parseNginxSize, parseNginxTime } from '../nginx/units.js';
import { compareNginxVersions } from '../nginx/version.js';
import { type ParseAddressOptions, type TextRange, parseAddress, spanInFile } from './address.js';
import { KEEPALIVE_BY_DEFAULT_SINCE, versionedDefaultOf } from './defaults.js';

export interface UpstreamServer {
  readonly node: ConfigNode;
  readonly addressToken: Token;
  /** Host name or IP address as written (IPv6 in brackets); null for a UNIX socket or an address nginx rejects. */
  readonly host: string | null;
  /** The port nginx connects to: as written, else 80; null for a UNIX socket or an address nginx rejects. */
  readonly port: number | null;
  readonly portExplicit: boolean;
  /** Where the host and the port digits are in the file, for findings and fixes; null when absent or quoting hides them. */
  readonly hostRange: TextRange | null;
  readonly portRange: TextRange | null;
  /** The socket path of `unix:/path`; null otherwise. */
  readonly unix: string | null;
  /** Parameters with their defaults filled in; a number is null when written with a value nginx rejects. */
  readonly weight: number | null;
  readonly maxFails: number | null;
  readonly failTimeoutMs: number | null;
  /** 0: unlimited. */
  readonly maxConns: number | null;
  readonly backup: boolean;
  readonly down: boolean;
  /** Re-resolve the host name while running (`resolve`, nginx 1.27.3). */
  readonly resolve: boolean;
}

export interface UpstreamKeepalive {
  readonly node: ConfigNode;
  /** Idle connections cached per worker; 0 turns caching off (nginx 1.29.7); null when not a number. */
  readonly connections: number | null;
  /** `local`: cached connections are not shared between locations. */
  readonly local: boolean;
}

/** A time setting of the block: its statement, or null when the default applies. */
export interface UpstreamTime {
  readonly node: ConfigNode | null;
  /** Null when the statement's value is one nginx rejects. */
  readonly ms: number | null;
}

/** A count setting of the block: its statement, or null when the default applies. */
export interface UpstreamCount {
  readonly node: ConfigNode | null;
  /** Null when the statement's value is one nginx rejects. */
  readonly count: number | null;
}

export interface UpstreamZone {
  readonly node: ConfigNode;
  readonly name: string;
  /** Bytes; null when no size is given (the zone is then defined elsewhere) or the size is not valid. */
  readonly size: number | null;
}

export interface Upstream {
  readonly node: ConfigNode;
  readonly name: string;
  /**
   * The servers nginx connects to as written. Empty when OpenResty's `balancer_by_lua_block`/`_file` picks each peer
   * in Lua (`balancerByLua`): the block's `server` lines are then placeholders (`server 0.0.0.1;`), never connected to.
   */
  readonly servers: readonly UpstreamServer[];
  /** The `balancer_by_lua_*` statement that picks the peers, or null. */
  readonly balancerByLua: ConfigNode | null;
  /** The block's own `keepalive` statement; null when it has none. */
  readonly keepalive: UpstreamKeepalive | null;
  /**
   * Whether nginx caches connections to these servers: an explicit `keepalive` with a positive count, or, without
   * one, nginx 1.29.7 or later, which enables `keepalive 32 local` by default.
   */
  readonly keepaliveEffective: boolean;
  /** How long an idle cached connection is kept, in milliseconds (default 60s). */
  readonly keepaliveTimeout: UpstreamTime;
  /** Requests per cached connection before nginx closes it (default 1000). */
  readonly keepaliveRequests: UpstreamCount;
  readonly zone: UpstreamZone | null;
  /** Some server has the `resolve` parameter. */
  readonly hasResolve: boolean;
}

const DEFAULT_SERVER_PORT = 80;
const DEFAULT_WEIGHT = 1;
const DEFAULT_MAX_FAILS = 1;
const DEFAULT_FAIL_TIMEOUT_MS = 10_000;
const UNLIMITED_CONNECTIONS = 0;

function parseCount(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : null;
}

/** An upstream `server` address never takes a URI. */
const SERVER_ADDRESS: ParseAddressOptions = { uriPart: false };

function parseServer(node: ConfigNode): UpstreamServer | null {
  // The parameters are read as values, without the tokens `args` makes: only the address's position is needed.
  const directive = node.directive;
  const count = argumentCount(directive);
  if (count === 0) return null;
  const addressToken = argumentToken(directive, 0);
  const address = parseAddress(addressToken.value, 0, SERVER_ADDRESS);
  let weight: number | null = DEFAULT_WEIGHT;
  let maxFails: number | null = DEFAULT_MAX_FAILS;
  let failTimeoutMs: number | null = DEFAULT_FAIL_TIMEOUT_MS;
  let maxConns: number | null = UNLIMITED_CONNECTIONS;
  let backup = false;
  let down = false;
  let resolve = false;
  for (let index = 1; index < count; index++) {
    const value = argumentValue(directive, index);
    const equals = value.indexOf('=');
    if (equals === -1) {
      if (value === 'backup') backup = true;
      else if (value === 'down') down = true;
      else if (value === 'resolve') resolve = true;
      continue;
    }
    const text = value.slice(equals + 1);
    switch (value.slice(0, equals)) {
      case 'weight': {
        const parsed = parseCount(text);
        weight = parsed === 0 ? null : parsed;
        break;
      }
      case 'max_fails':
        maxFails = parseCount(text);
        break;
      case 'fail_timeout':
        failTimeoutMs = parseNginxTime(text, { seconds: true });
        break;
      case 'max_conns':
        maxConns = parseCount(text);
        break;
    }
  }
  const inet = address.kind === 'inet' ? address : null;
  return {
    node,
    addressToken,
    host: inet?.host ?? null,
    port: inet ? (inet.port ?? DEFAULT_SERVER_PORT) : null,
    portExplicit: inet !== null && inet.port !== null,
    hostRange: inet && spanInFile(addressToken, inet.hostSpan),
    portRange: inet?.portSpan ? spanInFile(addressToken, inet.portSpan) : null,
    unix: address.kind === 'unix' ? address.path : null,
    weight,
    maxFails,
    failTimeoutMs,
    maxConns,
    backup,
    down,
    resolve,
  };
}

/** The statement's first argument. */
function settingText(node: ConfigNode): string | null {
  return argumentValues(node.directive)[0] ?? null;
}

/**
 * What a block without its own `keepalive`, `keepalive_timeout` or `keepalive_requests` gets from the nginx version
 * the model assumes: the same for every block, so it is worked out once (objects shared, never changed).
 */
export interface UpstreamDefaults {
  readonly keepaliveEffective: boolean;
  readonly keepaliveTimeout: UpstreamTime;
  readonly keepaliveRequests: UpstreamCount;
}

export function upstreamDefaults(version: () => string): UpstreamDefaults {
  const timeoutText = versionedDefaultOf('keepalive_timeout', 'upstream', version);
  const requestsText = versionedDefaultOf('keepalive_requests', 'upstream', version);
  return {
    keepaliveEffective: compareNginxVersions(version(), KEEPALIVE_BY_DEFAULT_SINCE) >= 0,
    keepaliveTimeout: { node: null, ms: timeoutText === null ? null : parseNginxTime(timeoutText) },
    keepaliveRequests: { node: null, count: requestsText === null ? null : parseCount(requestsText) },
  };
}

/** Builds one `upstream` block's entry. */
export function indexUpstream(node: ConfigNode, defaults: UpstreamDefaults): Upstream {
  const servers: UpstreamServer[] = [];
  let keepaliveNode: ConfigNode | null = null;
  let zoneNode: ConfigNode | null = null;
  let timeoutNode: ConfigNode | null = null;
  let requestsNode: ConfigNode | null = null;
  let balancerNode: ConfigNode | null = null;
  // One pass over the block. nginx rejects a second `keepalive`, `zone`, … in a block, so the first is the one that
  // counts.
  for (const child of node.children) {
    switch (child.directive.name) {
      case 'server': {
        const server = parseServer(child);
        if (server) servers.push(server);
        break;
      }
      case 'keepalive':
        keepaliveNode ??= child;
        break;
      case 'zone':
        zoneNode ??= child;
        break;
      case 'keepalive_timeout':
        timeoutNode ??= child;
        break;
      case 'keepalive_requests':
        requestsNode ??= child;
        break;
      case 'balancer_by_lua_block':
      case 'balancer_by_lua_file':
        balancerNode ??= child;
        break;
    }
  }

  const keepaliveArgs = keepaliveNode && argumentValues(keepaliveNode.directive);
  const keepalive: UpstreamKeepalive | null = keepaliveNode && {
    node: keepaliveNode,
    connections: parseCount(keepaliveArgs![0] ?? ''),
    local: keepaliveArgs![1] === 'local',
  };
  const zoneArgs = zoneNode && argumentValues(zoneNode.directive);
  const zoneSize = zoneArgs?.[1];
  const timeoutText = timeoutNode && settingText(timeoutNode);
  const requestsText = requestsNode && settingText(requestsNode);

  return {
    node,
    name: argumentValues(node.directive)[0] ?? '',
    // `push` leaves room for more; the copy kept for the model's life holds exactly the servers.
    servers: balancerNode ? [] : servers.slice(),
    balancerByLua: balancerNode,
    keepalive,
    keepaliveEffective: keepalive ? (keepalive.connections ?? 0) > 0 : defaults.keepaliveEffective,
    keepaliveTimeout: timeoutNode ? { node: timeoutNode, ms: timeoutText === null ? null : parseNginxTime(timeoutText) } : defaults.keepaliveTimeout,
    keepaliveRequests: requestsNode
      ? { node: requestsNode, count: requestsText === null ? null : parseCount(requestsText) }
      : defaults.keepaliveRequests,
    zone: zoneNode && {
      node: zoneNode,
      name: zoneArgs![0] ?? '',
      size: zoneSize === undefined ? null : parseNginxSize(zoneSize),
    },
    hasResolve: servers.some((server) => server.resolve),
  };
}
