/**
 * Where a `*_pass` whose argument holds variables sends a request. nginx evaluates the argument for each request
 * (ngx_http_proxy_eval and its FastCGI, uwsgi, SCGI and gRPC siblings) and only then finds the address, in this
 * order (ngx_http_upstream_init_request):
 *
 * 1. An upstream with the same host, compared ignoring case, and a matching port. An `upstream` block has no port,
 *    so it matches only a value written without one. Every `*_pass` without variables also creates an upstream of
 *    its own host and port, resolved once at start-up, and it matches any value with that host and the port nginx
 *    would connect to: `http://app` means port 80 there, whatever scheme either side uses.
 * 2. An IP address, as `ngx_inet_addr` reads IPv4 or a bracketed IPv6 literal: nginx connects to it as written.
 * 3. Anything else is a name that the `resolver` directive must look up; without one, the request fails with 502
 *    "no resolver defined to resolve NAME".
 *
 * Each step was checked against nginx 1.22.1: a value `http://app:8080` next to `upstream app {}` needs the
 * resolver, `http://localhost:28081` does not when another location has `proxy_pass http://localhost:28081`, and
 * `127.1` is a name.
 */
import type { PassScheme, ProxyPass } from './passes.js';
import type { Upstream } from './upstreams.js';
import { parseAddress } from './address.js';

/** How nginx gets the address for a host it reads from a variable, before connecting. */
export type AddressSource = 'upstream-block' | 'startup-upstream' | 'ip-address' | 'resolver';

export interface VariableDestination {
  /** The argument as nginx may evaluate it: one of the pass's candidates, or the argument itself. */
  readonly url: string;
  /** The scheme `url` starts with, else the pass's own; null for FastCGI and SCGI, and when a variable holds it. */
  readonly scheme: PassScheme | null;
  /** As written; IPv6 literals keep their brackets. */
  readonly host: string;
  /** The port nginx connects to: the one written, else the scheme's (`http://app` is port 80); null when not known. */
  readonly port: number | null;
  readonly addressFrom: AddressSource;
}

/** What the lookup needs from the model. */
export interface DestinationLookup {
  readonly proxyPasses: readonly ProxyPass[];
  upstreamNamed(name: string): Upstream | null;
}

const PASS_SCHEMES: readonly PassScheme[] = ['http', 'https', 'grpc', 'grpcs', 'uwsgi', 'suwsgi'];

/** The port `proxy_pass` connects to when none is written; the other modules have no default. */
const DEFAULT_PORTS: ReadonlyMap<PassScheme, number> = new Map([
  ['http', 80],
  ['https', 443],
]);

/** Variables whose value always starts with `/`, so they end the host: `proxy_pass http://app$request_uri`. */
const URI_VARIABLE = /^\$(?:\{(?:request_uri|uri|document_uri)\}|(?:request_uri|uri|document_uri)(?![A-Za-z0-9_]))/;

/** `ngx_inet_addr`: exactly four dot-separated decimal octets up to 255, or an IPv6 literal in brackets. */
export function isIpAddress(host: string): boolean {
  if (host.startsWith('[')) return true;
  const octets = /^(\d*)\.(\d*)\.(\d*)\.(\d*)$/.exec(host);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}

interface WrittenHost {
  readonly host: string;
  /** The port written; null when none is. */
  readonly port: number | null;
  /** The port is (partly) a variable, so it is not known here. */
  readonly portFromVariable: boolean;
}

/**
 * The host of an address that may still hold variables, when they leave it whole: the text before the first `$`
 * holds the `/` or `?` that ends the address, or a `:` after the host (the port then comes from the variable), or
 * the variable is one that starts the URI. Null when a variable may be part of the host, and for unix sockets and
 * addresses nginx refuses.
 */
function writtenHost(address: string, uriPart: boolean): WrittenHost | null {
  if (address.slice(0, 5).toLowerCase() === 'unix:') return null;
  const variableAt = address.indexOf('$');
  const literal = variableAt === -1 ? address : address.slice(0, variableAt);
  if (variableAt === -1 || (uriPart && /[/?]/.test(literal)) || URI_VARIABLE.test(address.slice(variableAt))) {
    const parsed = parseAddress(literal, 0, { uriPart });
    return parsed.kind === 'inet' ? { host: parsed.host, port: parsed.port, portFromVariable: false } : null;
  }
  const hostEnd = literal.startsWith('[') ? literal.indexOf(']') + 1 : literal.indexOf(':');
  if (hostEnd <= 0 || literal[hostEnd] !== ':') return null;
  return { host: literal.slice(0, hostEnd), port: null, portFromVariable: true };
}

/** The host and port of every `*_pass` without variables: the upstreams nginx resolves at start-up. */
const startupUpstreamsCache = new WeakMap<readonly ProxyPass[], ReadonlyMap<string, ReadonlySet<number>>>();

function startupUpstreams(passes: readonly ProxyPass[]): ReadonlyMap<string, ReadonlySet<number>> {
  let byHost = startupUpstreamsCache.get(passes);
  if (!byHost) {
    const ports = new Map<string, Set<number>>();
    for (const { target } of passes) {
      if (target.kind !== 'host' || target.port === null) continue;
      const host = target.host.toLowerCase();
      ports.set(host, (ports.get(host) ?? new Set()).add(target.port));
    }
    byHost = ports;
    startupUpstreamsCache.set(passes, byHost);
  }
  return byHost;
}

function addressSource(written: WrittenHost, defaultPorts: readonly number[], lookup: DestinationLookup): AddressSource | null {
  const { host, port, portFromVariable } = written;
  if (port === null && !portFromVariable && lookup.upstreamNamed(host)) return 'upstream-block';
  const ports = port === null ? defaultPorts : [port];
  const startupPorts = startupUpstreams(lookup.proxyPasses).get(host.toLowerCase());
  // A port held in a variable may be the start-up upstream's: the benefit of the doubt.
  if (startupPorts && (portFromVariable || ports.some((candidate) => startupPorts.has(candidate)))) return 'startup-upstream';
  if (isIpAddress(host)) return 'ip-address';
  // Without a port, FastCGI, uwsgi, SCGI and gRPC fail before any lookup ("no port in upstream"), another problem.
  if (!portFromVariable && ports.length === 0) return null;
  return 'resolver';
}

interface ParsedScheme {
  /** Null for FastCGI and SCGI, and when a variable holds it. */
  readonly scheme: PassScheme | null;
  /** The ports nginx connects to when the address has none. */
  readonly defaultPorts: readonly number[];
  /** Where the address starts. */
  readonly addressStart: number;
}

/** `http://`, `grpcs://`, or a variable holding the scheme: `proxy_pass $scheme://app$request_uri`. */
const SCHEME_PREFIX = /^([A-Za-z]+|\$(?:\{[A-Za-z0-9_]+\}|[A-Za-z0-9_]+)):\/\//;

/**
 * The scheme a value starts with, else the pass's own. Null where nginx refuses the value: proxy_pass needs
 * `http://` or `https://` ("invalid URL prefix", 500); the other modules read a value without one as the address.
 */
function schemeOf(url: string, pass: ProxyPass): ParsedScheme | null {
  const prefix = SCHEME_PREFIX.exec(url);
  if (!prefix) return pass.module === 'proxy' ? null : { scheme: pass.scheme, defaultPorts: [], addressStart: 0 };
  const addressStart = prefix[0].length;
  // Only proxy_pass evaluates a scheme per request, and it can only be one of its two.
  if (prefix[1]!.startsWith('$')) return pass.module === 'proxy' ? { scheme: null, defaultPorts: [...DEFAULT_PORTS.values()], addressStart } : null;
  const scheme = PASS_SCHEMES.find((name) => name === prefix[1]!.toLowerCase());
  if (scheme === undefined) return null;
  const defaultPort = DEFAULT_PORTS.get(scheme);
  return { scheme, defaultPorts: defaultPort === undefined ? [] : [defaultPort], addressStart };
}

/**
 * The destinations of a pass with variables whose host the configuration tells: one per candidate value, or the
 * argument itself when its variables leave the host whole (`http://app:8080$request_uri`). Empty for other passes,
 * and when the host comes from a variable whose values are not known.
 */
export function variableDestinations(pass: ProxyPass, lookup: DestinationLookup): VariableDestination[] {
  const { target } = pass;
  if (target.kind !== 'variable') return [];
  const urls = target.candidates.length > 0 ? target.candidates : [target.expression];
  const destinations: VariableDestination[] = [];
  for (const url of urls) {
    const scheme = schemeOf(url, pass);
    const host = scheme && writtenHost(url.slice(scheme.addressStart), pass.module === 'proxy');
    if (!scheme || !host) continue;
    const addressFrom = addressSource(host, scheme.defaultPorts, lookup);
    const port = host.port ?? (!host.portFromVariable && scheme.defaultPorts.length === 1 ? scheme.defaultPorts[0]! : null);
    if (addressFrom) destinations.push({ url, scheme: scheme.scheme, host: host.host, port, addressFrom });
  }
  return destinations;
}
