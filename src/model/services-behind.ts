/**
 * The known services behind a `*_pass` or an `upstream` block: every address nginx connects to — the pass's own host
 * and port, or each `server` of its upstream block — as the service catalog matches it. Rules compare nginx's
 * settings with the facts of these services (P99, idle timeout, header size, ports), so they all read them here.
 */
import type { ProxyTarget, ServiceCatalog, ServiceFacts, ServiceMatch } from '../context/index.js';
import { isLoopbackHost } from '../context/index.js';
import type { ProxyPass } from './passes.js';
import type { Upstream, UpstreamServer } from './upstreams.js';
import { type DestinationLookup, variableDestinations } from './variable-destinations.js';

/** A service the catalog knows at an address nginx connects to. */
export interface ServiceBehind extends ServiceMatch {
  /** The address the catalog matched, with the upstream block it is reached through. */
  readonly address: ProxyTarget;
  /** The upstream `server` line with that address; null when the pass names the host itself. */
  readonly server: UpstreamServer | null;
}

/** A service behind one `server` line of an upstream block. */
export interface ServiceBehindServer extends ServiceBehind {
  readonly server: UpstreamServer;
}

/** The programs supervisord starts in nginx's own container, as service facts (read only when asked). */
export type ServicesBesideNginx = () => readonly ServiceFacts[];

/**
 * The program beside nginx a loopback address reaches: the one whose port is the address's. When none is, a mismatch
 * only when supervisord starts one program beside nginx and its port is known: a program whose port nginx-lint cannot
 * read may be the one listening there, and with several, which one nginx meant is not known. Unix sockets are not
 * matched here (see matchSocket).
 */
function matchBesideNginx(address: ProxyTarget, beside: ServicesBesideNginx): ServiceMatch | null {
  if ((address.protocol ?? 'tcp') !== 'tcp' || !isLoopbackHost(address.host)) return null;
  const programs = beside();
  if (programs.length === 0) return null;
  const onPort = programs.find((program) => program.ports.some((port) => port.value <= address.port && address.port <= port.lastPort));
  if (onPort) {
    const port = onPort.ports.find((fact) => fact.value <= address.port && address.port <= fact.lastPort)!;
    return { service: onPort, matchedBy: 'loopback', portKnown: true, port, portMismatch: false, alternatives: [] };
  }
  if (programs.length !== 1 || programs[0]!.ports.length === 0) return null;
  return { service: programs[0]!, matchedBy: 'loopback', portKnown: false, port: null, portMismatch: true, alternatives: [] };
}

/**
 * The program beside nginx listening on a unix socket: the one whose socket is the path nginx connects to, written
 * alike. The address is `unix:PATH` with port 0, as nginx has no port for it; no port is claimed either way.
 */
function matchSocket(socketPath: string, beside: ServicesBesideNginx | undefined): { address: ProxyTarget; match: ServiceMatch } | null {
  const service = beside?.().find((program) => program.sockets?.some((socket) => socket.value === socketPath));
  if (!service) return null;
  const match: ServiceMatch = { service, matchedBy: 'loopback', portKnown: false, port: null, portMismatch: false, alternatives: [] };
  return { address: { host: `unix:${socketPath}`, port: 0 }, match };
}

function matchAddress(address: ProxyTarget, catalog: ServiceCatalog | null, beside: ServicesBesideNginx | undefined): ServiceMatch | null {
  return catalog?.match(address) ?? (beside ? matchBesideNginx(address, beside) : null);
}

/** In the order of the `server` lines; `down` servers too, so each rule decides whether they count. */
export function servicesBehindUpstream(upstream: Upstream, catalog: ServiceCatalog | null, beside?: ServicesBesideNginx): ServiceBehindServer[] {
  return upstream.servers.flatMap((server) => {
    if (server.unix !== null) {
      const found = matchSocket(server.unix, beside);
      return found ? [{ ...found.match, address: { ...found.address, upstreamName: upstream.name }, server }] : [];
    }
    if (server.host === null || server.port === null) return [];
    const address = { host: server.host, port: server.port, upstreamName: upstream.name };
    const match = matchAddress(address, catalog, beside);
    return match ? [{ ...match, address, server }] : [];
  });
}

/**
 * A pass to an upstream block reaches the services of its servers, even with a port nginx refuses after the name;
 * a pass to a host reaches at most one, and so does one whose variables are only in the URI. A socket reaches the
 * program beside nginx listening on it, if any. A pass whose address is a variable reaches what each value a `set` or
 * `map` gives it reaches (`set $backend app; proxy_pass http://$backend:8080;`, the usual way to have a Compose
 * service's name looked up per request): an upstream block of that name, else the service at that host and port
 * (`lookup` finds them; without it, none). Addresses nginx refuses reach none.
 */
export function servicesBehindPass(
  pass: ProxyPass,
  catalog: ServiceCatalog | null,
  beside?: ServicesBesideNginx,
  lookup?: DestinationLookup,
): ServiceBehind[] {
  const { target } = pass;
  if (target.kind === 'upstream') return servicesBehindUpstream(target.upstream, catalog, beside);
  if (target.kind === 'unix') {
    const found = matchSocket(target.path, beside);
    return found ? [{ ...found.match, address: found.address, server: null }] : [];
  }
  if (target.kind === 'variable' && target.address === null) {
    if (!lookup) return [];
    return variableDestinations(pass, lookup).flatMap((destination): ServiceBehind[] => {
      const upstream = destination.addressFrom === 'upstream-block' ? lookup.upstreamNamed(destination.host) : null;
      if (upstream) return servicesBehindUpstream(upstream, catalog, beside);
      if (destination.port === null) return [];
      const address = { host: destination.host, port: destination.port };
      const match = matchAddress(address, catalog, beside);
      return match ? [{ ...match, address, server: null }] : [];
    });
  }
  const written = target.kind === 'host' ? target : target.kind === 'variable' ? target.address : null;
  if (written === null || written.port === null) return [];
  const address = { host: written.host, port: written.port };
  const match = matchAddress(address, catalog, beside);
  return match ? [{ ...match, address, server: null }] : [];
}
