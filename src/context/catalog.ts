import path from 'node:path';
import { composeServices } from './compose.js';
import { declaredServices } from './declared.js';
import { expandServiceFiles, findComposeFiles } from './discovery.js';
import { ServiceFactsError } from './errors.js';
import { kubernetesServices, kubernetesWorkloads, withWorkloadFacts, workloadsSelectedBy, type Workload } from './kubernetes.js';
import { keyPath, OriginFactory } from './origin.js';
import type { ApplicationFactKey } from './facts.js';
import type { DeclaredService, Fact, PortFact, ProxyTarget, ServiceFacts, ServiceMatch } from './types.js';
import { readYamlFile } from './yaml.js';
import type { YamlDocument } from './yaml.js';

export interface ServiceCatalogOptions {
  /** Directory of the nginx config being linted: Compose discovery starts here, and origins are labelled from here. */
  readonly nginxConfigDir: string;
  /** Where the upward search for Compose files stops. Default: the nearest directory holding `.git`. */
  readonly repoRoot?: string;
  /** The linter config's `services` key. Checked again here, so an unvalidated config cannot crash the catalog. */
  readonly declared?: Readonly<Record<string, DeclaredService>>;
  /**
   * Path of the linter config file that `declared` and `serviceFiles` come from, for origins and errors.
   * Default: `.nginx-lint.json` in `configDir`.
   */
  readonly declaredOrigin?: string;
  /**
   * The Compose files the nginx service was found in when they are not the default ones (a variant such as
   * `docker-compose.prod.yml`, see src/context/nginx-service.ts): read in place of those found from `nginxConfigDir`
   * up, so that the app services come from the same file as nginx.
   */
  readonly composeFiles?: readonly string[];
  /** The linter config's `serviceFiles` globs: more Compose files and Kubernetes manifests. */
  readonly serviceFiles?: readonly string[];
  /** Whether a file may be read (src/load/file-access.ts): a Compose file or manifest linking out of the repository is not. */
  readonly canRead?: (file: string) => boolean;
  /** Directory `serviceFiles` are relative to. Default: that of `declaredOrigin`, else the working directory. */
  readonly configDir?: string;
}

function normalizeHost(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function uniqueBy<Item>(items: readonly Item[], key: (item: Item) => string): Item[] {
  const seen = new Map<string, Item>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}

function firstFact(group: readonly ServiceFacts[], key: ApplicationFactKey): Fact<number> | null {
  return group.find((definition) => definition[key] !== null)?.[key] ?? null;
}

/**
 * Merges the definitions of one service, given in priority order (linter config, `serviceFiles`, discovered Compose
 * files nearest first). Hosts add up. Ports declared in the linter config replace all others, since declaring them
 * is how a user corrects a stale or misleading file; otherwise the ports of every file add up. Each timing fact comes
 * from the first definition that has it.
 */
function mergeDefinitions(group: readonly [ServiceFacts, ...ServiceFacts[]]): ServiceFacts {
  const [first] = group;
  const declaredPorts = group.find((definition) => definition.origin.keyPath !== null && definition.ports.length > 0);
  const portSources = declaredPorts === undefined ? group : [declaredPorts];
  return {
    name: first.name,
    origin: first.origin,
    definitions: group.flatMap((definition) => definition.definitions),
    hosts: uniqueBy(
      group.flatMap((definition) => definition.hosts),
      (host) => host.value,
    ),
    ports: uniqueBy(
      portSources.flatMap((definition) => definition.ports),
      (port) => `${port.value}-${port.lastPort}/${port.protocol}`,
    ),
    unresolvedPorts: portSources.flatMap((definition) => definition.unresolvedPorts),
    p99: firstFact(group, 'p99'),
    keepAliveTimeout: firstFact(group, 'keepAliveTimeout'),
    maxResponseHeaderSize: firstFact(group, 'maxResponseHeaderSize'),
    restartInterval: firstFact(group, 'restartInterval'),
    ...(group.some((definition) => definition.server) ? { server: group.find((definition) => definition.server)!.server } : {}),
    // Only while no definition states a keep-alive timeout: a declared one says the application does keep connections.
    ...(firstFact(group, 'keepAliveTimeout') === null && group.some((definition) => definition.closesConnections)
      ? { closesConnections: group.find((definition) => definition.closesConnections)!.closesConnections! }
      : {}),
    ...(group.some((definition) => definition.requestTimeout)
      ? { requestTimeout: group.find((definition) => definition.requestTimeout)!.requestTimeout! }
      : {}),
    ...(group.some((definition) => definition.loopbackOnly)
      ? { loopbackOnly: group.find((definition) => definition.loopbackOnly)!.loopbackOnly! }
      : {}),
    ...(group.some((definition) => definition.unreadHeaders)
      ? { unreadHeaders: group.find((definition) => definition.unreadHeaders)!.unreadHeaders! }
      : {}),
    // From the first file that defines the service: the linter config says nothing about either.
    ...(group.some((definition) => definition.selector) ? { selector: group.find((definition) => definition.selector)!.selector } : {}),
    ...(group.some((definition) => definition.addressing) ? { addressing: group.find((definition) => definition.addressing)!.addressing } : {}),
  };
}

function portFor(service: ServiceFacts, port: number, protocol: string): PortFact | null {
  const contains = (fact: PortFact): boolean => fact.value <= port && port <= fact.lastPort;
  return service.ports.find((fact) => fact.protocol === protocol && contains(fact)) ?? null;
}

/** The application-side facts for one nginx config: which services exist, where they listen, how slow they are. */
export class ServiceCatalog {
  /** One entry per service name, in priority order. */
  readonly services: readonly ServiceFacts[];
  /** Sources that could not be read, and values that made no sense; the facts they held are missing. */
  readonly errors: readonly ServiceFactsError[];
  /** The YAML files read (or tried), absolute: `serviceFiles` matches first, then discovered Compose files. */
  readonly files: readonly string[];
  /** The Kubernetes workloads (Deployments, StatefulSets, …) of the files read. */
  readonly workloads: readonly Workload[];
  private readonly servicesByHost = new Map<string, ServiceFacts[]>();

  /** `definitions` in priority order; definitions with the same name are merged. */
  constructor(
    definitions: readonly ServiceFacts[],
    errors: readonly ServiceFactsError[],
    files: readonly string[],
    workloads: readonly Workload[] = [],
  ) {
    const groups = new Map<string, [ServiceFacts, ...ServiceFacts[]]>();
    for (const definition of definitions) {
      const name = definition.name.toLowerCase();
      const group = groups.get(name);
      if (group) group.push(definition);
      else groups.set(name, [definition]);
    }
    this.services = [...groups.values()].map(mergeDefinitions);
    this.errors = errors;
    this.files = files;
    this.workloads = workloads;
    for (const service of this.services) {
      for (const host of service.hosts) {
        const sharing = this.servicesByHost.get(host.value);
        if (sharing) sharing.push(service);
        else this.servicesByHost.set(host.value, [service]);
      }
    }
  }

  /** The workloads whose pods a Kubernetes Service forwards to (its selector's); empty for other services. */
  workloadsBehind(service: ServiceFacts): Workload[] {
    return workloadsSelectedBy(service, this.workloads);
  }

  get(name: string): ServiceFacts | undefined {
    return this.services.find((service) => service.name.toLowerCase() === name.toLowerCase());
  }

  /**
   * The service a proxy target reaches, or null when no known service answers to it. A target belongs to a service
   * when its host is one of the service's hosts, or else when its `upstream` block is named like one of them. When
   * several services answer to the host, the one listening on the target's port is picked, else the first.
   */
  match(target: ProxyTarget): ServiceMatch | null {
    // Without services (the usual case) every target misses; a large configuration asks once per address.
    if (this.servicesByHost.size === 0) return null;
    const protocol = target.protocol ?? 'tcp';
    let matchedBy: ServiceMatch['matchedBy'] = 'host';
    let candidates = this.servicesByHost.get(normalizeHost(target.host));
    if (candidates === undefined && target.upstreamName !== undefined) {
      matchedBy = 'upstream';
      candidates = this.servicesByHost.get(normalizeHost(target.upstreamName));
    }
    if (candidates === undefined) return null;

    const withPorts = candidates.map((service) => ({ service, port: portFor(service, target.port, protocol) }));
    const chosen = withPorts.find((candidate) => candidate.port !== null) ?? withPorts[0]!;
    // Wrong only if every service answering to the host is known, port by port, to listen elsewhere.
    const everyPortKnown = candidates.every(
      (service) => service.unresolvedPorts.length === 0 && service.ports.some((port) => port.protocol === protocol),
    );
    return {
      service: chosen.service,
      matchedBy,
      portKnown: chosen.port !== null,
      port: chosen.port,
      portMismatch: chosen.port === null && everyPortKnown,
      alternatives: candidates.filter((service) => service !== chosen.service),
    };
  }
}

/**
 * The service definitions in one YAML file: Kubernetes documents have a `kind`, Compose files have `services`. The
 * file's Kubernetes workloads go to `workloads`, for the facts their pods give the Services that select them.
 */
function servicesInFile(
  file: string,
  origins: OriginFactory,
  errors: ServiceFactsError[],
  workloads: Workload[],
  repoRoot: string | undefined,
): ServiceFacts[] {
  let documents: YamlDocument[];
  try {
    documents = readYamlFile(file, origins);
  } catch (error) {
    if (!(error instanceof ServiceFactsError)) throw error;
    errors.push(error);
    return [];
  }
  return documents.flatMap((document) => {
    if (document.get(document.root, 'kind') === undefined) return composeServices(document, errors, origins, repoRoot);
    workloads.push(...kubernetesWorkloads(document));
    return kubernetesServices(document, errors);
  });
}

/**
 * Gathers the service facts for one nginx config: the linter config's `services`, then the files its `serviceFiles`
 * globs match, then the Compose files found from the nginx config's directory up to the repository root (or the
 * variant the nginx service comes from, `composeFiles`). Never
 * throws for bad input: unreadable sources end up in `errors`, the rest of the facts remain.
 */
export function loadServiceCatalog(options: ServiceCatalogOptions): ServiceCatalog {
  const origins = new OriginFactory(path.resolve(options.nginxConfigDir));
  const configFile = path.resolve(options.declaredOrigin ?? path.join(options.configDir ?? process.cwd(), '.nginx-lint.json'));
  const configDir = path.resolve(options.configDir ?? path.dirname(configFile));
  const errors: ServiceFactsError[] = [];
  const definitions = declaredServices(options.declared ?? {}, configFile, origins, errors);

  const files: string[] = [];
  for (const { pattern, index, files: matched } of expandServiceFiles(options.serviceFiles ?? [], configDir)) {
    if (matched.length === 0) {
      const origin = origins.configKey(configFile, keyPath('serviceFiles', index));
      errors.push(new ServiceFactsError(origin, `"${pattern}" matches no file in ${configDir}`));
    }
    files.push(...matched);
  }
  files.push(...(options.composeFiles ?? findComposeFiles(options.nginxConfigDir, options.repoRoot)));
  const uniqueFiles = [...new Set(files)];
  const workloads: Workload[] = [];
  const found: ServiceFacts[] = [];
  for (const file of uniqueFiles) {
    if (options.canRead && !options.canRead(file)) {
      errors.push(new ServiceFactsError(origins.file(file), 'leads outside the project root: not read'));
      continue;
    }
    found.push(...servicesInFile(file, origins, errors, workloads, options.repoRoot));
  }
  // Workloads may sit in other files than the Services that select them: matched once every file is read.
  definitions.push(...found.map((service) => withWorkloadFacts(service, workloads)));
  return new ServiceCatalog(definitions, errors, uniqueFiles, workloads);
}
