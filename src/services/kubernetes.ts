import { ServiceFactsError } from './errors.js';
import { portFact, readApplicationFacts } from './facts.js';
import { parsePortRange, UNRESOLVED } from './ports.js';
import type { Fact, PortFact, ServiceFacts } from './types.js';
import type { YamlDocument } from './yaml.js';

/** Annotations on a Service that state application facts: `nginx-lint/p99: "2s"`. */
export const ANNOTATION_PREFIX = 'nginx-lint/';

const DEFAULT_NAMESPACE = 'default';
const CLUSTER_DOMAIN = 'cluster.local';

/**
 * The Services of one Kubernetes manifest document (or of the `items` of a `List`). A Service `orders` in namespace
 * `shop` answers to `orders`, `orders.shop`, `orders.shop.svc` and `orders.shop.svc.cluster.local`, on each
 * `spec.ports[].port` — the Service port, which kube-proxy forwards to the pods' `targetPort`.
 */
export function kubernetesServices(
  document: YamlDocument,
  errors: ServiceFactsError[],
  manifest = document.root,
): ServiceFacts[] {
  const kind = document.text(document.get(manifest, 'kind')?.value ?? null);
  if (kind?.endsWith('List')) {
    const items = document.items(document.get(manifest, 'items')?.value ?? null);
    return items.flatMap((item) => kubernetesServices(document, errors, item));
  }
  if (kind !== 'Service') return [];

  const metadata = document.get(manifest, 'metadata')?.value ?? null;
  const nameNode = document.get(metadata, 'name')?.value ?? null;
  const name = document.text(nameNode);
  if (nameNode === null || name === null) return [];
  const namespace = document.text(document.get(metadata, 'namespace')?.value ?? null) ?? DEFAULT_NAMESPACE;
  const origin = document.origin(nameNode);
  const hosts: Fact<string>[] = [name, `${name}.${namespace}`, `${name}.${namespace}.svc`, `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`]
    .map((host) => ({ value: host.toLowerCase(), text: host, origin }));

  const spec = document.get(manifest, 'spec')?.value ?? null;
  const ports: PortFact[] = [];
  const unresolvedPorts: Fact<string>[] = [];
  // An ExternalName Service is a DNS alias for a host elsewhere: its ports say nothing about where that host listens.
  if (document.text(document.get(spec, 'type')?.value ?? null) !== 'ExternalName') {
    // A headless Service has no proxy: its name resolves to the pods, so clients must use the pods' port.
    const headless = document.text(document.get(spec, 'clusterIP')?.value ?? null) === 'None';
    for (const entry of document.items(document.get(spec, 'ports')?.value ?? null)) {
      const portEntry = document.get(entry, headless ? 'targetPort' : 'port') ?? document.get(entry, 'port');
      const text = document.text(portEntry?.value ?? null);
      if (!portEntry?.value || text === null) continue;
      const portOrigin = document.origin(portEntry.value);
      const protocol = (document.text(document.get(entry, 'protocol')?.value ?? null) ?? 'TCP').toLowerCase();
      const range = /^\d+$/.test(text) ? parsePortRange(`${text}/${protocol}`) : null;
      if (range !== null && range !== UNRESOLVED) {
        ports.push(portFact(range, text, portOrigin));
      } else if (headless && portEntry.key === 'targetPort' && /^[a-z][-a-z0-9]*$/.test(text)) {
        // A named container port: its number is in the pod template, which we do not read.
        unresolvedPorts.push({ value: text, text, origin: portOrigin });
      } else {
        errors.push(new ServiceFactsError(portOrigin, `Service ${portEntry.key} "${text}" is not a port`));
      }
    }
  }

  const annotations = document.get(metadata, 'annotations')?.value ?? null;
  const facts = readApplicationFacts((key) => {
    const entry = document.get(annotations, `${ANNOTATION_PREFIX}${key}`);
    if (!entry?.value) return undefined;
    return {
      value: document.value(entry.value),
      origin: document.origin(entry.value),
      writtenAs: `annotation ${ANNOTATION_PREFIX}${key}`,
    };
  }, errors);

  return [{ name, origin, definitions: [origin], hosts, ports, unresolvedPorts, ...facts }];
}
