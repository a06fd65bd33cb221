import type { Node } from 'yaml';
import { inferAppServer, type ProcessSpec } from './app-servers.js';
import { ServiceFactsError } from './errors.js';
import { portFact, readYamlApplicationFacts } from './facts.js';
import { parsePortRange, UNRESOLVED } from './ports.js';
import type { Fact, FactOrigin, PortFact, ServiceFacts } from './types.js';
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
export function kubernetesServices(document: YamlDocument, errors: ServiceFactsError[], manifest = document.root): ServiceFacts[] {
  const kind = document.text(document.at(manifest, 'kind'));
  if (kind?.endsWith('List')) {
    const items = document.items(document.at(manifest, 'items'));
    return items.flatMap((item) => kubernetesServices(document, errors, item));
  }
  if (kind !== 'Service') return [];

  const metadata = document.at(manifest, 'metadata');
  const nameNode = document.at(metadata, 'name');
  const name = document.text(nameNode);
  if (nameNode === null || name === null) return [];
  const namespace = document.text(document.at(metadata, 'namespace')) ?? DEFAULT_NAMESPACE;
  const origin = document.origin(nameNode);
  const qualified = `${name}.${namespace}`;
  const hosts: Fact<string>[] = [name, qualified, `${qualified}.svc`, `${qualified}.svc.${CLUSTER_DOMAIN}`].map((host) => ({
    value: host.toLowerCase(),
    text: host,
    origin,
  }));

  const spec = document.at(manifest, 'spec');
  const ports: PortFact[] = [];
  const unresolvedPorts: Fact<string>[] = [];
  // An ExternalName Service is a DNS alias for a host elsewhere: its ports say nothing about where that host listens.
  if (document.text(document.at(spec, 'type')) !== 'ExternalName') {
    // A headless Service has no proxy: its name resolves to the pods, so clients must use the pods' port.
    const headless = document.text(document.at(spec, 'clusterIP')) === 'None';
    for (const entry of document.items(document.at(spec, 'ports'))) {
      // `targetPort` defaults to `port`.
      const key = headless && document.at(entry, 'targetPort') !== null ? 'targetPort' : 'port';
      const portNode = document.at(entry, key);
      const text = document.text(portNode);
      if (portNode === null || text === null) continue;
      const portOrigin = document.origin(portNode);
      const protocol = (document.text(document.at(entry, 'protocol')) ?? 'TCP').toLowerCase();
      const range = /^\d+$/.test(text) ? parsePortRange(`${text}/${protocol}`) : null;
      if (range !== null && range !== UNRESOLVED) {
        ports.push(portFact(range, text, portOrigin));
      } else if (key === 'targetPort' && /^[a-z][-a-z0-9]*$/.test(text)) {
        // A named container port: its number is in the pod template, which we do not read.
        unresolvedPorts.push({ value: text, text, origin: portOrigin });
      } else {
        errors.push(new ServiceFactsError(portOrigin, `Service ${key} "${text}" is not a port`));
      }
    }
  }

  const facts = readYamlApplicationFacts(
    document,
    document.at(metadata, 'annotations'),
    { keyPrefix: ANNOTATION_PREFIX, messagePrefix: `annotation ${ANNOTATION_PREFIX}` },
    errors,
  );

  const selectorLabels = stringMap(document, document.at(spec, 'selector'));
  const selector = Object.keys(selectorLabels).length > 0 ? { selector: { namespace, labels: selectorLabels } } : {};
  return [{ name, origin, definitions: [origin], hosts, ports, unresolvedPorts, ...facts, ...selector }];
}

function stringMap(document: YamlDocument, node: Node | null): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { key, value } of document.entries(node)) {
    const text = document.text(value);
    if (text !== null) map[key] = text;
  }
  return map;
}

/** A workload's pod template: where its pods run, what labels they carry, what each container runs. */
export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly { readonly process: ProcessSpec; readonly origin: FactOrigin }[];
}

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']);

/** The workloads of one manifest document (or of a `List`'s items). */
export function kubernetesWorkloads(document: YamlDocument, manifest = document.root): Workload[] {
  const kind = document.text(document.at(manifest, 'kind'));
  if (kind?.endsWith('List')) return document.items(document.at(manifest, 'items')).flatMap((item) => kubernetesWorkloads(document, item));
  if (kind === null || !WORKLOAD_KINDS.has(kind)) return [];
  const namespace = document.text(document.at(document.at(manifest, 'metadata'), 'namespace')) ?? DEFAULT_NAMESPACE;
  const template = kind === 'Pod' ? manifest : document.at(document.at(manifest, 'spec'), 'template');
  const labels = stringMap(document, document.at(document.at(template, 'metadata'), 'labels'));
  const containers = document.items(document.at(document.at(template, 'spec'), 'containers')).map((container) => {
    const words = (key: string) => document.items(document.at(container, key)).flatMap((item) => document.text(item) ?? []);
    const environment: Record<string, string> = {};
    for (const entry of document.items(document.at(container, 'env'))) {
      const envName = document.text(document.at(entry, 'name'));
      const value = document.text(document.at(entry, 'value'));
      if (envName !== null && value !== null) environment[envName] = value;
    }
    const evidence = document.at(container, 'args') ?? document.at(container, 'command') ?? document.at(container, 'image') ?? container;
    return {
      process: { image: document.text(document.at(container, 'image')), words: [...words('command'), ...words('args')], environment },
      origin: document.origin(evidence),
    };
  });
  return [{ namespace, labels, containers }];
}

/**
 * With nothing declared, what the pods behind a Kubernetes Service run says how long they keep idle connections:
 * the first container whose server nginx-lint recognises, from its `command`, `args`, `env` and `image`.
 */
export function withWorkloadFacts(service: ServiceFacts, workloads: readonly Workload[]): ServiceFacts {
  const { selector } = service;
  if (!selector || service.keepAliveTimeout) return service;
  const pods = workloads.filter(
    (workload) =>
      workload.namespace === selector.namespace && Object.entries(selector.labels).every(([key, value]) => workload.labels[key] === value),
  );
  for (const { process, origin } of pods.flatMap((workload) => workload.containers)) {
    const inferred = inferAppServer(process);
    if (!inferred?.keepAliveTimeout) continue;
    const { value, evidence, basis } = inferred.keepAliveTimeout;
    return {
      ...service,
      server: inferred.server,
      keepAliveTimeout: { value, text: `${value / 1000}s`, basis, origin: { ...origin, label: `${origin.label} ${evidence}` } },
    };
  }
  return service;
}
