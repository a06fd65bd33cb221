/**
 * The `upstream` blocks of the http context, with each server's address and parameters and the block's keepalive
 * settings resolved against the nginx version (ngx_http_upstream_server, ngx_http_upstream_keepalive_module).
 */
import type { Token } from '../syntax/ast.js';
import type { ConfigNode } from '../load/tree.js';
import { parseNginxSize, parseNginxTime } from '../nginx/units.js';
import { compareNginxVersions } from '../nginx/version.js';
import { type TextRange, parseAddress, spanInFile } from './address.js';
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
  readonly servers: readonly UpstreamServer[];
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

function parseServer(node: ConfigNode): UpstreamServer | null {
  const [addressToken, ...parameters] = node.directive.args;
  if (!addressToken) return null;
  const address = parseAddress(addressToken.value, 0, { uriPart: false });
  let weight: number | null = DEFAULT_WEIGHT;
  let maxFails: number | null = DEFAULT_MAX_FAILS;
  let failTimeoutMs: number | null = DEFAULT_FAIL_TIMEOUT_MS;
  let maxConns: number | null = UNLIMITED_CONNECTIONS;
  const flags = new Set<string>();
  for (const { value } of parameters) {
    const equals = value.indexOf('=');
    if (equals === -1) {
      flags.add(value);
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
    backup: flags.has('backup'),
    down: flags.has('down'),
    resolve: flags.has('resolve'),
  };
}

/** nginx rejects a second `keepalive`, `zone`, … in a block, so the first is the one that counts. */
function firstNamed(children: readonly ConfigNode[], name: string): ConfigNode | null {
  return children.find((child) => child.directive.name === name) ?? null;
}

/** The statement's first argument, or the default when there is no statement. */
function settingText(node: ConfigNode | null, defaultText: string | null): string | null {
  return node ? (node.directive.args[0]?.value ?? null) : defaultText;
}

/** Builds one `upstream` block's entry; `version` is asked only when the block has no `keepalive` of its own. */
export function indexUpstream(node: ConfigNode, version: () => string): Upstream {
  const children = node.children;
  const servers = children
    .filter((child) => child.directive.name === 'server')
    .map(parseServer)
    .filter((server): server is UpstreamServer => server !== null)
    // `filter` leaves room for more; the copy kept for the model's life holds exactly the servers.
    .slice();

  const keepaliveNode = firstNamed(children, 'keepalive');
  const keepalive: UpstreamKeepalive | null = keepaliveNode && {
    node: keepaliveNode,
    connections: parseCount(keepaliveNode.directive.args[0]?.value ?? ''),
    local: keepaliveNode.directive.args[1]?.value === 'local',
  };
  const keepaliveEffective = keepalive ? (keepalive.connections ?? 0) > 0 : compareNginxVersions(version(), KEEPALIVE_BY_DEFAULT_SINCE) >= 0;

  const zoneNode = firstNamed(children, 'zone');
  const zoneSize = zoneNode?.directive.args[1]?.value;
  const timeoutNode = firstNamed(children, 'keepalive_timeout');
  const timeoutText = settingText(timeoutNode, versionedDefaultOf('keepalive_timeout', 'upstream', version));
  const requestsNode = firstNamed(children, 'keepalive_requests');
  const requestsText = settingText(requestsNode, versionedDefaultOf('keepalive_requests', 'upstream', version));

  return {
    node,
    name: node.directive.args[0]?.value ?? '',
    servers,
    keepalive,
    keepaliveEffective,
    keepaliveTimeout: { node: timeoutNode, ms: timeoutText === null ? null : parseNginxTime(timeoutText) },
    keepaliveRequests: { node: requestsNode, count: requestsText === null ? null : parseCount(requestsText) },
    zone: zoneNode && {
      node: zoneNode,
      name: zoneNode.directive.args[0]?.value ?? '',
      size: zoneSize === undefined ? null : parseNginxSize(zoneSize),
    },
    hasResolve: servers.some((server) => server.resolve),
  };
}
