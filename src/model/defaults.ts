/**
 * Defaults that depend on the nginx version. The directive table holds the newest nginx's defaults; these are the
 * ones that changed, with the release that changed them, so a model for an older nginx reports what that nginx does.
 */
import { type BlockContext, defaultOf } from '../nginx/directives.js';
import { compareNginxVersions } from '../nginx/version.js';

/**
 * nginx 1.29.7 (CHANGES: "now the keepalive directive in the upstream block is enabled by default"; commit
 * "Upstream: enabled keepalive by default for explicit upstreams") made `upstream` blocks cache connections
 * (`keepalive 32 local`), made `proxy_http_version` default to 1.1 and stopped sending `Connection: close`.
 * Implicit upstreams (`proxy_pass http://host:port` without an `upstream` block) still get no keepalive.
 */
export const KEEPALIVE_BY_DEFAULT_SINCE = '1.29.7';

interface VersionedDefault {
  readonly since: string;
  /** The default before `since`; null: none (the directive's feature is off). */
  readonly before: string | null;
}

/** Directives whose table default (the newest nginx's) is not what older releases do. */
const VERSIONED_DEFAULTS: ReadonlyMap<string, VersionedDefault> = new Map([
  ['proxy_http_version', { since: KEEPALIVE_BY_DEFAULT_SINCE, before: '1.0' }],
  ['keepalive', { since: KEEPALIVE_BY_DEFAULT_SINCE, before: null }],
]);

export interface BuiltInHeader {
  /** As nginx spells it. */
  readonly name: string;
  /** An empty value means nginx sends no such header, whatever the client sent. */
  readonly value: string;
}

/**
 * `ngx_http_proxy_headers` of ngx_http_proxy_module.c: the request headers nginx sets for a proxied request unless
 * `proxy_set_header` names them, at any inheritance level. Host and Connection are the two the documentation lists
 * as the directive's default; the rest are internal, but they decide what reaches the backend (the hop-by-hop
 * `Upgrade` never does unless set, which is why WebSocket proxying needs `proxy_set_header Upgrade`).
 */
export function builtInProxyHeaders(version: string): readonly BuiltInHeader[] {
  const keepaliveByDefault = compareNginxVersions(version, KEEPALIVE_BY_DEFAULT_SINCE) >= 0;
  return [
    { name: 'Host', value: '$proxy_host' },
    { name: 'Connection', value: keepaliveByDefault ? '' : 'close' },
    { name: 'Content-Length', value: '$proxy_internal_body_length' },
    { name: 'Transfer-Encoding', value: '$proxy_internal_chunked' },
    { name: 'TE', value: '' },
    { name: 'Keep-Alive', value: '' },
    { name: 'Expect', value: '' },
    { name: 'Upgrade', value: '' },
  ];
}

const DOCUMENTED_PROXY_HEADERS = new Set(['Host', 'Connection']);

/** The default as the documentation writes it: one statement's arguments per line, `""` for an empty value. */
function documentedProxySetHeader(version: string): string {
  return builtInProxyHeaders(version)
    .filter((header) => DOCUMENTED_PROXY_HEADERS.has(header.name))
    .map((header) => `${header.name} ${header.value === '' ? '""' : header.value}`)
    .join('\n');
}

/**
 * The default of `name` in `context` for the given nginx, as the directive table spells defaults (the arguments,
 * several statements one per line); null when it has none. `version` is asked only for directives whose default
 * changed, so looking up other defaults never makes the caller detect the installed nginx.
 */
export function versionedDefaultOf(name: string, context: BlockContext, version: () => string): string | null {
  if (name === 'proxy_set_header') return documentedProxySetHeader(version());
  const versioned = VERSIONED_DEFAULTS.get(name);
  if (versioned && compareNginxVersions(version(), versioned.since) < 0) return versioned.before;
  return defaultOf(name, context);
}
