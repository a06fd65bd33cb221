/**
 * nginx's `ngx_parse_url` (src/core/ngx_inet.c) as far as the configuration check needs it: the error it sets for
 * an address (`invalid port`, `invalid host`, `no host`), and the host and port it reads. Host names are not
 * resolved: whether one resolves depends on the machine.
 */

export interface ParsedUrl {
  /** nginx's `u->err`, or null. */
  readonly err: string | null;
  readonly unix: boolean;
  /** The host as written, IPv6 with its brackets; `*` for a wildcard listen; '' for unix sockets. */
  readonly host: string;
  /** The port, or null when none was written. */
  readonly port: number | null;
  /** What follows the address (`/path`), for `proxy_pass`. */
  readonly uri: string;
}

export interface UrlOptions {
  /** `listen`: a bare number is a port, a port range is allowed, a URI is an error. */
  readonly listen?: boolean;
  /** The URL may carry a URI part (`proxy_pass`). */
  readonly uriPart?: boolean;
}

function atoi(text: string): number | null {
  return /^[0-9]+$/.test(text) ? Number(text) : null;
}

export function parseUrl(url: string, options: UrlOptions = {}): ParsedUrl {
  if (url.length >= 5 && url.slice(0, 5).toLowerCase() === 'unix:') {
    const path = url.slice(5);
    if (path.length === 0) return { err: 'no path in the unix domain socket', unix: true, host: '', port: null, uri: '' };
    return { err: null, unix: true, host: '', port: null, uri: '' };
  }
  if (url.startsWith('[')) return parseInet6(url, options);
  return parseInet(url, options);
}

function result(err: string | null, host: string, port: number | null, uri = ''): ParsedUrl {
  return { err, unix: false, host, port, uri };
}

function parsePortText(text: string, listen: boolean): { err: string | null; port: number | null } {
  let portText = text;
  if (listen) {
    const dash = text.indexOf('-');
    if (dash !== -1) {
      const last = atoi(text.slice(dash + 1));
      if (last === null || last < 1 || last > 65535) return { err: 'invalid port', port: null };
      portText = text.slice(0, dash);
      const first = atoi(portText);
      if (first === null || first < 1 || first > 65535) return { err: 'invalid port', port: null };
      if (first > last) return { err: 'invalid port range', port: null };
      return { err: null, port: first };
    }
  }
  const port = atoi(portText);
  if (port === null || port < 1 || port > 65535) return { err: 'invalid port', port: null };
  return { err: null, port };
}

function parseInet(url: string, options: UrlOptions): ParsedUrl {
  let last = url.length;
  let port = url.indexOf(':');
  let uri = url.indexOf('/');
  const args = url.indexOf('?');
  if (args !== -1 && (uri === -1 || args < uri)) uri = args;
  let uriText = '';
  if (uri !== -1) {
    if (options.listen || !options.uriPart) return result('invalid host', '', null);
    uriText = url.slice(uri);
    last = uri;
    if (uri < port) port = -1;
  }
  let portNumber: number | null = null;
  if (port !== -1 && port < last) {
    const parsed = parsePortText(url.slice(port + 1, last), options.listen === true);
    if (parsed.err) return result(parsed.err, '', null);
    portNumber = parsed.port;
    last = port;
  } else if (uri === -1 && options.listen) {
    // A bare number is a port.
    const parsed = /^[0-9-]+$/.test(url) ? parsePortText(url, true) : null;
    if (parsed) {
      if (parsed.err) return result(parsed.err, '', null);
      return result(null, '*', parsed.port);
    }
  }
  const host = url.slice(0, last);
  if (host.length === 0) return result('no host', '', null);
  return result(null, host, portNumber, uriText);
}

function parseInet6(url: string, options: UrlOptions): ParsedUrl {
  const close = url.indexOf(']');
  if (close === -1) return result('invalid host', '', null);
  const host = url.slice(0, close + 1);
  let rest = url.slice(close + 1);
  let uriText = '';
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    if (options.listen || !options.uriPart) return result('invalid host', '', null);
    uriText = rest.slice(slash);
    rest = rest.slice(0, slash);
  }
  let port: number | null = null;
  if (rest.startsWith(':')) {
    const parsed = parsePortText(rest.slice(1), options.listen === true);
    if (parsed.err) return result(parsed.err, '', null);
    port = parsed.port;
  } else if (rest.length > 0) {
    return result('invalid host', '', null);
  }
  if (!/^\[[0-9A-Fa-f:.]+\]$/.test(host)) return result('invalid IPv6 address', '', null);
  return result(null, host, port, uriText);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIpv4(host: string): boolean {
  return IPV4.test(host);
}

/**
 * The address nginx compares listens by, as `ngx_sock_ntop` prints it (`0.0.0.0:80`, `[::1]:443`), or null when the
 * host is a name (resolving it depends on the machine).
 */
export function listenAddressText(parsed: ParsedUrl, defaultPort: number): string | null {
  if (parsed.err) return null;
  if (parsed.unix) return null;
  const port = parsed.port ?? defaultPort;
  if (parsed.host === '*' || parsed.host === '') return `0.0.0.0:${port}`;
  if (isIpv4(parsed.host)) return `${parsed.host}:${port}`;
  if (parsed.host.startsWith('[')) return `${normalizeIpv6(parsed.host.slice(1, -1))}:${port}`;
  return null;
}

/** IPv6 in the compressed lower-case form nginx prints (`[fe80::202:b3ff:fe1e:8329]`). */
function normalizeIpv6(text: string): string {
  const lower = text.toLowerCase();
  const [head, tail] = lower.includes('::') ? lower.split('::') : [lower, null];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const fill = tail === null ? [] : new Array(Math.max(0, 8 - headParts.length - tailParts.length)).fill('0');
  const groups = [...headParts, ...fill, ...tailParts].map((group) => group.replace(/^0+(?=.)/, ''));
  // Compress the longest run of zeros (of two or more).
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLength && j - i >= 2) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return `[${groups.join(':')}]`;
  return `[${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLength).join(':')}]`;
}
