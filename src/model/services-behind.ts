/**
 * The known services behind a `*_pass` or an `upstream` block: every address nginx connects to — the pass's own host
 * and port, or each `server` of its upstream block — as the service catalog matches it. Rules compare nginx's
 * settings with the facts of these services (P99, idle timeout, header size, ports), so they all read them here.
 */
import type { ProxyTarget, ServiceCatalog, ServiceMatch } from '../context/index.js';
import type { ProxyPass } from './passes.js';
import type { Upstream, UpstreamServer } from './upstreams.js';

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

/** In the order of the `server` lines; `down` servers too, so each rule decides whether they count. */
export function servicesBehindUpstream(upstream: Upstream, catalog: ServiceCatalog): ServiceBehindServer[] {
  return upstream.servers.flatMap((server) => {
    if (server.host === null || server.port === null) return [];
    const address = { host: server.host, port: server.port, upstreamName: upstream.name };
    const match = catalog.match(address);
    return match ? [{ ...match, address, server }] : [];
  });
}

/**
 * A pass to an upstream block reaches the services of its servers, even with a port nginx refuses after the name;
 * a pass to a host reaches at most one, and so does one whose variables are only in the URI. Sockets, variables in
 * the address and addresses nginx refuses reach none that is known.
 */
export function servicesBehindPass(pass: ProxyPass, catalog: ServiceCatalog): ServiceBehind[] {
  const { target } = pass;
  if (target.kind === 'upstream') return servicesBehindUpstream(target.upstream, catalog);
  const written = target.kind === 'host' ? target : target.kind === 'variable' ? target.address : null;
  if (written === null || written.port === null) return [];
  const address = { host: written.host, port: written.port };
  const match = catalog.match(address);
  return match ? [{ ...match, address, server: null }] : [];
}
