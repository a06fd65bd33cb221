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
  const headless = document.text(document.at(spec, 'clusterIP')) === 'None';
  const ports: PortFact[] = [];
  const unresolvedPorts: Fact<string>[] = [];
  // An ExternalName Service is a DNS alias for a host elsewhere: its ports say nothing about where that host listens.
  if (document.text(document.at(spec, 'type')) !== 'ExternalName') {
    // A headless Service has no proxy: its name resolves to the pods, so clients must use the pods' port.
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
        // A named container port: its number is in the pod template (withWorkloadFacts looks it up there).
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
  const portsListed = document.items(document.at(spec, 'ports')).length > 0;
  const selector = Object.keys(selectorLabels).length > 0 ? { selector: { namespace, labels: selectorLabels, headless, portsListed } } : {};
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

/** A container's `ports[]` entry: `containerPort`, its optional `name` and `protocol`, and where it is written. */
export interface ContainerPort {
  readonly name: string | null;
  readonly port: number;
  readonly protocol: 'tcp' | 'udp' | 'sctp';
  readonly origin: FactOrigin;
}

/** A workload's pod template: where its pods run, what labels they carry, what each container runs. */
export interface Workload {
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly { readonly process: ProcessSpec; readonly origin: FactOrigin; readonly ports: readonly ContainerPort[] }[];
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
    const ports = document.items(document.at(container, 'ports')).flatMap((entry): ContainerPort[] => {
      const portNode = document.at(entry, 'containerPort');
      const range = parsePortRange(`${document.text(portNode) ?? ''}/${(document.text(document.at(entry, 'protocol')) ?? 'TCP').toLowerCase()}`);
      if (portNode === null || range === null || range === UNRESOLVED || range.first !== range.last) return [];
      return [{ name: document.text(document.at(entry, 'name')), port: range.first, protocol: range.protocol, origin: document.origin(portNode) }];
    });
    return {
      process: { image: document.text(document.at(container, 'image')), words: [...words('command'), ...words('args')], environment },
      origin: document.origin(evidence),
      ports,
    };
  });
  return [{ namespace, labels, containers }];
}

/**
 * The ports of a headless Service's pods, which nginx connects to directly: a named `targetPort` is looked up among
 * the containers' named `containerPort`s; a headless Service that lists no ports listens where its pods do — their
 * `containerPort`s, or, when no container lists any, the port a recognised server's flags or environment name
 * (`--port`, `-b host:port`, `PORT`), as for a Compose service with no `ports`/`expose`.
 */
function withPodPorts(service: ServiceFacts, containers: Workload['containers']): ServiceFacts {
  if (!service.selector?.headless || containers.length === 0) return service;
  const declared = containers.flatMap((container) => container.ports);
  const resolved: PortFact[] = [];
  const unresolvedPorts = service.unresolvedPorts.filter((named) => {
    const port = declared.find((candidate) => candidate.name === named.value);
    if (!port) return true;
    const range = { first: port.port, last: port.port, protocol: port.protocol };
    resolved.push(portFact(range, `${named.text} (${port.port})`, { ...port.origin, label: `${port.origin.label} containerPort ${named.text}` }));
    return false;
  });
  let ports = [...service.ports, ...resolved];
  if (!service.selector.portsListed) {
    ports = declared.map((port) => portFact({ first: port.port, last: port.port, protocol: port.protocol }, String(port.port), port.origin));
    if (ports.length === 0) {
      for (const { process, origin } of containers) {
        const inferred = inferAppServer(process)?.port;
        if (!inferred) continue;
        const range = { first: inferred.value, last: inferred.value, protocol: 'tcp' as const };
        ports = [{ ...portFact(range, String(inferred.value), { ...origin, label: `${origin.label} ${inferred.evidence}` }), basis: inferred.basis }];
        break;
      }
    }
  }
  return { ...service, ports, unresolvedPorts };
}

/**
 * With nothing declared, what the pods behind a Kubernetes Service run says how long they keep idle connections:
 * the first container whose server nginx-lint recognises, from its `command`, `args`, `env` and `image`. For a
 * headless Service they also say its ports (withPodPorts).
 */
export function withWorkloadFacts(service: ServiceFacts, workloads: readonly Workload[]): ServiceFacts {
  const { selector } = service;
  if (!selector) return service;
  const pods = workloads.filter(
    (workload) =>
      workload.namespace === selector.namespace && Object.entries(selector.labels).every(([key, value]) => workload.labels[key] === value),
  );
  const containers = pods.flatMap((workload) => workload.containers);
  const withPorts = withPodPorts(service, containers);
  if (withPorts.keepAliveTimeout) return withPorts;
  for (const { process, origin } of containers) {
    const inferred = inferAppServer(process);
    if (!inferred?.keepAliveTimeout) continue;
    const { value, evidence, basis } = inferred.keepAliveTimeout;
    return {
      ...withPorts,
      server: inferred.server,
      keepAliveTimeout: { value, text: `${value / 1000}s`, basis, origin: { ...origin, label: `${origin.label} ${evidence}` } },
    };
  }
  return withPorts;
}
