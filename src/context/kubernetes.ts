import type { Node } from 'yaml';
import { closesConnectionsFact, inferAppServer, type ProcessSpec } from './app-servers.js';
import { ServiceFactsError } from './errors.js';
import { portFact, readYamlApplicationFacts } from './facts.js';
import { parsePortRange, UNRESOLVED } from './ports.js';
import type { Fact, FactOrigin, PortFact, ServiceAddressing, ServiceFacts } from './types.js';
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
  const typeNode = document.at(spec, 'type');
  const clusterIpNode = document.at(spec, 'clusterIP');
  const addressing: ServiceAddressing =
    document.text(typeNode) === 'ExternalName'
      ? { value: 'external', text: 'type: ExternalName', origin: document.origin(typeNode!) }
      : document.text(clusterIpNode) === 'None'
        ? { value: 'pods', text: 'clusterIP: None', origin: document.origin(clusterIpNode!) }
        : { value: 'virtual', text: 'kind: Service', origin };

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
  return [{ name, origin, definitions: [origin], hosts, ports, unresolvedPorts, ...facts, ...selector, addressing }];
}

function stringMap(document: YamlDocument, node: Node | null): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { key, value } of document.entries(node)) {
    const text = document.text(value);
    if (text !== null) map[key] = text;
  }
  return map;
}

/** One container of a pod template. */
export interface WorkloadContainer {
  readonly name: string | null;
  readonly process: ProcessSpec;
  /** The container's command, args or image, where facts read from what it runs come from. */
  readonly origin: FactOrigin;
  /** The container's entry in `containers` (its first key, usually `name`). */
  readonly entry: FactOrigin;
  /**
   * Its `readinessProbe`, else its `startupProbe`: either keeps the pod out of the Service's endpoints until it
   * passes (a startup probe only once, at start). Null when it has neither.
   */
  readonly readinessGate: FactOrigin | null;
  /** Its `lifecycle.preStop` hook, whatever the hook does; null when it has none. */
  readonly preStop: FactOrigin | null;
  /** Its `ports[]`, for a headless Service's named `targetPort`. */
  readonly ports: readonly ContainerPort[];
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
  /** `Deployment`, `StatefulSet`, `DaemonSet`, `ReplicaSet` or `Pod`. */
  readonly kind: string;
  readonly name: string | null;
  /** The workload's `metadata.name`, else its `kind`. */
  readonly origin: FactOrigin;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly containers: readonly WorkloadContainer[];
  /** The pod template's `terminationGracePeriodSeconds`; null when not written (Kubernetes uses 30). */
  readonly terminationGracePeriodSeconds: Fact<number> | null;
}

const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Pod']);

/** The workloads of one manifest document (or of a `List`'s items). */
export function kubernetesWorkloads(document: YamlDocument, manifest = document.root): Workload[] {
  const kind = document.text(document.at(manifest, 'kind'));
  if (kind?.endsWith('List')) return document.items(document.at(manifest, 'items')).flatMap((item) => kubernetesWorkloads(document, item));
  if (kind === null || !WORKLOAD_KINDS.has(kind)) return [];
  const metadata = document.at(manifest, 'metadata');
  const namespace = document.text(document.at(metadata, 'namespace')) ?? DEFAULT_NAMESPACE;
  const nameNode = document.at(metadata, 'name');
  const template = kind === 'Pod' ? manifest : document.at(document.at(manifest, 'spec'), 'template');
  const podSpec = document.at(template, 'spec');
  const labels = stringMap(document, document.at(document.at(template, 'metadata'), 'labels'));
  const present = (node: Node | null): FactOrigin | null => (node === null ? null : document.origin(node));
  const containers = document.items(document.at(podSpec, 'containers')).map((container): WorkloadContainer => {
    const words = (key: string) => document.items(document.at(container, key)).flatMap((item) => document.text(item) ?? []);
    const environment: Record<string, string> = {};
    for (const entry of document.items(document.at(container, 'env'))) {
      const envName = document.text(document.at(entry, 'name'));
      const value = document.text(document.at(entry, 'value'));
      if (envName !== null && value !== null) environment[envName] = value;
    }
    const evidence = document.at(container, 'args') ?? document.at(container, 'command') ?? document.at(container, 'image') ?? container;
    const firstKey = document.entries(container)[0]?.keyNode ?? container;
    const ports = document.items(document.at(container, 'ports')).flatMap((entry): ContainerPort[] => {
      const portNode = document.at(entry, 'containerPort');
      const range = parsePortRange(`${document.text(portNode) ?? ''}/${(document.text(document.at(entry, 'protocol')) ?? 'TCP').toLowerCase()}`);
      if (portNode === null || range === null || range === UNRESOLVED || range.first !== range.last) return [];
      return [{ name: document.text(document.at(entry, 'name')), port: range.first, protocol: range.protocol, origin: document.origin(portNode) }];
    });
    return {
      name: document.text(document.at(container, 'name')),
      process: { image: document.text(document.at(container, 'image')), words: [...words('command'), ...words('args')], environment },
      origin: document.origin(evidence),
      entry: document.origin(firstKey),
      readinessGate: present(document.at(container, 'readinessProbe') ?? document.at(container, 'startupProbe')),
      preStop: present(document.at(document.at(container, 'lifecycle'), 'preStop')),
      ports,
    };
  });
  const graceNode = document.at(podSpec, 'terminationGracePeriodSeconds');
  const graceText = document.text(graceNode);
  const terminationGracePeriodSeconds =
    graceNode !== null && graceText !== null && /^\d+$/.test(graceText)
      ? { value: Number(graceText), text: graceText, origin: document.origin(graceNode) }
      : null;
  return [
    {
      kind,
      name: document.text(nameNode),
      origin: document.origin(nameNode ?? document.at(manifest, 'kind')!),
      namespace,
      labels,
      containers,
      terminationGracePeriodSeconds,
    },
  ];
}

/** The workloads whose pods a Service's selector picks: same namespace, every selector label on the pod template. */
export function workloadsSelectedBy(service: ServiceFacts, workloads: readonly Workload[]): Workload[] {
  const { selector } = service;
  if (!selector) return [];
  return workloads.filter(
    (workload) =>
      workload.namespace === selector.namespace && Object.entries(selector.labels).every(([key, value]) => workload.labels[key] === value),
  );
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
        const inferred = inferAppServer(process);
        if (!inferred?.port) continue;
        // Every address the server binds (gunicorn's several --bind, uWSGI's sockets), not only the first.
        ports = [inferred.port, ...(inferred.otherPorts ?? [])].map((port) => ({
          ...portFact({ first: port.value, last: port.value, protocol: 'tcp' }, String(port.value), {
            ...origin,
            label: `${origin.label} ${port.evidence}`,
          }),
          basis: port.basis,
        }));
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
  const containers = workloadsSelectedBy(service, workloads).flatMap((workload) => workload.containers);
  const withPorts = withPodPorts(service, containers);
  if (withPorts.keepAliveTimeout) return withPorts;
  for (const { process, origin } of containers) {
    const inferred = inferAppServer(process);
    if (inferred?.closesConnections) {
      // gunicorn's sync worker: it keeps no connection, so there is no idle timeout to race, and no pool to fill; its
      // arbiter kills a request that runs past --timeout (the default 30 s is not assumed here: nothing lists the
      // image's files, among which a gunicorn.conf.py may set another).
      const timeout = inferred.requestTimeout;
      return {
        ...withPorts,
        server: inferred.server,
        closesConnections: closesConnectionsFact(inferred.closesConnections, origin),
        ...(timeout
          ? {
              requestTimeout: {
                value: timeout.value,
                text: `${timeout.value / 1000}s`,
                basis: timeout.basis,
                origin: { ...origin, label: `${origin.label} ${timeout.evidence}` },
              },
            }
          : {}),
      };
    }
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
