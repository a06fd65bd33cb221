/**
 * Server addresses as nginx's `ngx_parse_url` reads them: `host`, `host:port`, `[v6]:port` and `unix:/path`, the
 * forms of upstream `server` lines and of the `*_pass` directives after their scheme.
 */
import type { Token } from '../syntax/ast.js';

/** Offsets into the file of the statement, half-open. */
export interface TextRange {
  readonly start: number;
  readonly end: number;
}

/** Offsets into the text that was parsed, not yet into the file. */
interface Span {
  readonly start: number;
  readonly end: number;
}

export type ParsedAddress =
  | { readonly kind: 'unix'; readonly path: string }
  | {
      readonly kind: 'inet';
      /** As nginx keeps it: IPv6 literals keep their brackets. */
      readonly host: string;
      readonly hostSpan: Span;
      /** Null when no port is written. */
      readonly port: number | null;
      readonly portSpan: Span | null;
    }
  /** nginx refuses the address; `reason` is its wording (`invalid port`, `no host`). */
  | { readonly kind: 'invalid'; readonly reason: string };

export interface ParseAddressOptions {
  /**
   * The address may be followed by a URI (`proxy_pass http://app:8080/api`), which ends it at `/` or `?`, and a
   * socket path at `:`. Upstream `server` addresses take no URI.
   */
  readonly uriPart: boolean;
}

/** Reads the address that starts at `from` in `text` (ngx_parse_url with `no_resolve`). */
export function parseAddress(text: string, from: number, options: ParseAddressOptions): ParsedAddress {
  if (text.slice(from, from + 5).toLowerCase() === 'unix:') {
    const pathStart = from + 5;
    const pathEnd = options.uriPart && text.includes(':', pathStart) ? text.indexOf(':', pathStart) : text.length;
    if (pathEnd === pathStart) return { kind: 'invalid', reason: 'no path in the unix domain socket' };
    return { kind: 'unix', path: text.slice(pathStart, pathEnd) };
  }

  let authorityEnd = text.length;
  if (options.uriPart) {
    for (const delimiter of ['/', '?']) {
      const at = text.indexOf(delimiter, from);
      if (at !== -1 && at < authorityEnd) authorityEnd = at;
    }
  }

  let hostEnd: number;
  let portStart: number | null = null;
  if (text[from] === '[') {
    const close = text.indexOf(']', from);
    if (close === -1 || close >= authorityEnd) return { kind: 'invalid', reason: 'invalid host' };
    hostEnd = close + 1;
    if (hostEnd < authorityEnd) {
      if (text[hostEnd] !== ':') return { kind: 'invalid', reason: 'invalid host' };
      portStart = hostEnd + 1;
    }
  } else {
    const colon = text.indexOf(':', from);
    hostEnd = colon !== -1 && colon < authorityEnd ? colon : authorityEnd;
    if (hostEnd < authorityEnd) portStart = hostEnd + 1;
  }
  if (hostEnd === from) return { kind: 'invalid', reason: 'no host' };

  const hostSpan = { start: from, end: hostEnd };
  const host = text.slice(from, hostEnd);
  if (portStart === null) return { kind: 'inet', host, hostSpan, port: null, portSpan: null };
  const port = parsePort(text.slice(portStart, authorityEnd));
  if (port === null) return { kind: 'invalid', reason: 'invalid port' };
  return { kind: 'inet', host, hostSpan, port, portSpan: { start: portStart, end: authorityEnd } };
}

/** `ngx_atoi` then nginx's range check: digits only, 1 to 65535. */
function parsePort(text: string): number | null {
  if (!/^\d+$/.test(text)) return null;
  const port = Number(text);
  return port >= 1 && port <= 65535 ? port : null;
}

/**
 * Where a span of the token's value lies in the file. Null when quoting or escapes make the value's characters
 * differ from the source's, so no edit there could be trusted.
 */
export function spanInFile(token: Token, span: Span): TextRange | null {
  let offset: number;
  if (token.raw === token.value) offset = token.start;
  else if (token.quoted && token.raw.slice(1, -1) === token.value) offset = token.start + 1;
  else return null;
  return { start: offset + span.start, end: offset + span.end };
}
