import { ServiceFactsError } from './errors.js';
import { portFact, readApplicationFacts } from './facts.js';
import { keyPath } from './origin.js';
import type { OriginFactory } from './origin.js';
import { parsePortRange, UNRESOLVED } from './ports.js';
import type { Fact, FactOrigin, PortFact, ServiceFacts } from './types.js';
import { isRecord } from '../files.js';

/** The linter config key the services are declared under. */
const SERVICES_KEY = 'services';

/**
 * The services of the linter config's `services` key. Values are checked here as well as by the config schema, since
 * the catalog may be built from a config that was never validated (the API accepts plain objects).
 */
export function declaredServices(
  declared: Readonly<Record<string, unknown>>,
  configFile: string,
  origins: OriginFactory,
  errors: ServiceFactsError[],
): ServiceFacts[] {
  const services: ServiceFacts[] = [];
  for (const [name, service] of Object.entries(declared)) {
    const at = (...segments: (string | number)[]): FactOrigin => origins.configKey(configFile, keyPath(SERVICES_KEY, name, ...segments));
    const origin = at();
    if (!isRecord(service)) {
      errors.push(new ServiceFactsError(origin, 'must be an object such as { "port": 3000 }'));
      continue;
    }

    /** The items of a list-valued key, each with its own origin. */
    const listAt = (key: 'hosts' | 'ports'): [unknown, FactOrigin][] => {
      const list = service[key];
      if (list === undefined) return [];
      if (Array.isArray(list)) return list.map((item: unknown, index) => [item, at(key, index)]);
      errors.push(new ServiceFactsError(at(key), 'must be a list'));
      return [];
    };

    const hosts: Fact<string>[] = [{ value: name.toLowerCase(), text: name, origin }];
    for (const [host, hostOrigin] of listAt('hosts')) {
      if (typeof host === 'string' && host !== '') {
        hosts.push({ value: host.toLowerCase(), text: host, origin: hostOrigin });
      } else {
        errors.push(new ServiceFactsError(hostOrigin, `${JSON.stringify(host)} is not a host name`));
      }
    }

    const ports: PortFact[] = [];
    const single: [unknown, FactOrigin][] = service['port'] === undefined ? [] : [[service['port'], at('port')]];
    const portSpecs = [...single, ...listAt('ports')];
    for (const [spec, portOrigin] of portSpecs) {
      const range = typeof spec === 'number' || typeof spec === 'string' ? parsePortRange(spec) : null;
      // A variable means nothing in the linter config, so `${PORT}` is as wrong here as any other non-port.
      if (range === null || range === UNRESOLVED) {
        const reason = `${JSON.stringify(spec)} is not a port such as 3000 or "3000-3005"`;
        errors.push(new ServiceFactsError(portOrigin, reason));
      } else {
        ports.push(portFact(range, String(spec), portOrigin));
      }
    }

    const facts = readApplicationFacts((key) => {
      if (service[key] === undefined) return undefined;
      return { value: service[key], origin: at(key) };
    }, errors);

    services.push({ name, origin, definitions: [origin], hosts, ports, unresolvedPorts: [], ...facts });
  }
  return services;
}
