/**
 * Port specifications as Compose, Kubernetes and the linter config write them, reduced to the ports the application
 * listens on inside its network — the ports nginx must connect to.
 */

export interface PortRange {
  readonly first: number;
  readonly last: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
}

/** The container side of a Compose short-syntax mapping, with the host side it is published on. */
export interface PortMapping extends PortRange {
  /** The host port (or range) as written, when the mapping publishes one. */
  readonly published: string | null;
}

/** A port written with a `${VARIABLE}`: its number depends on the environment Compose runs in. */
export const UNRESOLVED = Symbol('unresolved port');

const PORT_RANGE = /^(\d+)(?:-(\d+))?$/;
const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

/**
 * A port or range with an optional protocol: `3000`, `"3000"`, `"3000-3005"`, `"53/udp"` — Compose's `expose`, the
 * container side of `ports`, the linter config's `port`/`ports`. Null when it is none of these.
 */
export function parsePortRange(spec: string | number): PortRange | typeof UNRESOLVED | null {
  if (typeof spec === 'number') return isPort(spec) ? { first: spec, last: spec, protocol: 'tcp' } : null;
  if (spec.includes('$')) return UNRESOLVED;
  const slash = spec.lastIndexOf('/');
  const protocol = slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase();
  if (!PROTOCOLS.has(protocol)) return null;
  const match = PORT_RANGE.exec(slash === -1 ? spec : spec.slice(0, slash));
  if (!match) return null;
  const first = Number(match[1]);
  const last = match[2] === undefined ? first : Number(match[2]);
  if (!isPort(first) || !isPort(last) || last < first) return null;
  return { first, last, protocol: protocol as PortRange['protocol'] };
}

/**
 * A Compose short-syntax `ports` entry, `[[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`: `3000`, `"9000:9001"`,
 * `"127.0.0.1:8080:80/tcp"`, `"[::1]:6001:6001"`, `"9090-9091:8080-8081"`. The container port is what follows the
 * last colon (an IPv6 host address has colons of its own), and the host port what lies between the last two.
 */
export function parsePortMapping(spec: string | number): PortMapping | typeof UNRESOLVED | null {
  const text = String(spec);
  // Colons inside `${HOST_PORT:-8080}` do not separate anything; blank them out (keeping offsets) before splitting.
  const separators = text.replace(/\$\{[^}]*\}/g, (variable) => variable.replaceAll(':', ' '));
  const lastColon = separators.lastIndexOf(':');
  const container = parsePortRange(lastColon === -1 ? spec : text.slice(lastColon + 1));
  if (container === UNRESOLVED || container === null) return container;
  const hostSide = lastColon === -1 ? '' : text.slice(separators.lastIndexOf(':', lastColon - 1) + 1, lastColon);
  return { ...container, published: hostSide === '' ? null : hostSide };
}
