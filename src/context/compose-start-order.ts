/**
 * Which services of a Compose project `docker compose up` starts with no order against the service running nginx.
 *
 * Compose starts a service only after the services it depends on, and its dependencies are `depends_on` plus the
 * implicit ones compose-go's loader adds as `condition: service_started`: `links`, `volumes_from` and a
 * `network_mode`, `ipc`, `pid`, `uts` or `cgroup` of `service:NAME` (compose-spec/compose-go loader/normalize.go,
 * `inferImplicitDependencies`). Nothing else orders the start: services are started as soon as what they depend on
 * is (docker/compose pkg/compose/dependencies.go: the graph's leaves at once, each in its own goroutine), so two
 * services with no path between them may start in either order.
 *
 * Docker's embedded DNS server (127.0.0.11) answers for a container's names from the moment the container joins its
 * networks, which the daemon does as it starts the container (moby daemon/start.go `initializeNetworking`, libnetwork
 * endpoint.go `sbJoin` → `updateSvcRecord`), and forgets them when it stops. A name nginx resolves while loading its
 * configuration must therefore belong to a container that has started: one started in parallel may not have.
 */
import type { Node } from 'yaml';
import type { YamlDocument } from './yaml.js';

/** A Compose service that starts with no order against nginx's, and whose name nginx may look up. */
export interface UnorderedStart {
  /** The nginx service: `proxy`, or a replica running the same config. */
  readonly declaredBy: string;
  /** The Compose file and 1-based line of its name, where a `depends_on` would go. */
  readonly file: string;
  readonly line: number;
  /** Its `restart` policy as written (`always`, `unless-stopped`, `on-failure`), null when none (Compose's `no`). */
  readonly restart: string | null;
  /** The services of its project that Compose may start after it (no earlier in its order) and that share a network with it. */
  readonly services: ReadonlySet<string>;
  /** Of those, the ones later in Compose's order than nginx (behind more dependencies): nginx is usually first. */
  readonly later: ReadonlySet<string>;
  /** Host names its `extra_hosts` writes into its /etc/hosts, lower case: nginx finds those without DNS. */
  readonly extraHosts: ReadonlySet<string>;
}

/** One layer of a service: its definition in one of the project's files. */
export interface ComposeLayer {
  readonly document: YamlDocument;
  readonly service: Node | null;
}

interface ServiceStart {
  /** What Compose starts first, with the condition it waits for: depends_on and the implicit dependencies. */
  readonly after: Map<string, string>;
  profiles: boolean;
  networkMode: boolean;
  readonly networks: Set<string>;
  extendsOther: boolean;
  notStarted: boolean;
}

const STARTED = 'service_started';

/** `service:NAME` of `network_mode`, `ipc`, `pid`, `uts`, `cgroup`: NAME; null for anything else. */
function serviceReference(text: string | null): string | null {
  return text?.startsWith('service:') ? text.slice('service:'.length) : null;
}

function readLayer({ document, service }: ComposeLayer, into: ServiceStart): void {
  const dependsOn = document.at(service, 'depends_on');
  for (const item of document.items(dependsOn)) {
    const name = document.text(item);
    if (name) into.after.set(name, STARTED);
  }
  // The long form merges entry by entry over the files, a later file's entry winning.
  for (const { key, value } of document.entries(dependsOn)) into.after.set(key, document.text(document.at(value, 'condition')) ?? STARTED);
  // Implicit dependencies are added only where depends_on has no entry for the service (compose-go's setIfMissing).
  const implicit = (name: string): void => {
    if (!into.after.has(name)) into.after.set(name, STARTED);
  };
  for (const item of document.items(document.at(service, 'links'))) {
    const link = document.text(item);
    if (link) implicit(link.split(':')[0]!);
  }
  for (const item of document.items(document.at(service, 'volumes_from'))) {
    const source = document.text(item);
    if (source && !source.startsWith('container:')) implicit(source.split(':')[0]!);
  }
  for (const key of ['network_mode', 'ipc', 'pid', 'uts', 'cgroup']) {
    const named = serviceReference(document.text(document.at(service, key)));
    if (named) implicit(named);
  }
  if (document.at(service, 'network_mode') !== null) into.networkMode = true;
  if (document.items(document.at(service, 'profiles')).length > 0) into.profiles = true;
  if (document.at(service, 'extends') !== null) into.extendsOther = true;
  const networks = document.at(service, 'networks');
  for (const item of document.items(networks)) {
    const network = document.text(item);
    if (network) into.networks.add(network);
  }
  for (const { key } of document.entries(networks)) into.networks.add(key);
  const replicas = document.text(document.at(document.at(service, 'deploy'), 'replicas')) ?? document.text(document.at(service, 'scale'));
  if (replicas === '0') into.notStarted = true;
}

/**
 * The services of a project, each merged over the files that define it (main file then override, or a variant's
 * main file then the variant): what each waits for, and what decides whether nginx can look its name up.
 */
function projectServices(documents: readonly YamlDocument[]): Map<string, ServiceStart> {
  const services = new Map<string, ServiceStart>();
  for (const document of documents) {
    for (const { key, value } of document.entries(document.at(document.root, 'services'))) {
      let start = services.get(key);
      if (!start) {
        start = { after: new Map(), profiles: false, networkMode: false, networks: new Set(), extendsOther: false, notStarted: false };
        services.set(key, start);
      }
      readLayer({ document, service: value }, start);
    }
  }
  // A service attached to no network and with no network_mode is on the project's `default` network.
  for (const start of services.values()) if (start.networks.size === 0 && !start.networkMode) start.networks.add('default');
  return services;
}

/** A wait for a health check or a job's completion: seconds, against the moment a container takes to start. */
const WAIT_STEP = 1000;

/**
 * How late Compose starts a service, in steps: 0 with no dependency; else one step after the latest dependency that
 * only has to be running, or WAIT_STEP after one it waits to be healthy or to complete. Services on the same step start
 * in the same moment; one a step later only after another container has started; one behind a wait, seconds later.
 */
function startSteps(services: ReadonlyMap<string, ServiceStart>): Map<string, number> {
  const steps = new Map<string, number>();
  const visiting = new Set<string>();
  const stepOf = (name: string): number => {
    const known = steps.get(name);
    if (known !== undefined) return known;
    const start = services.get(name);
    // A cycle makes Compose refuse the project: there is no order to reason about.
    if (!start || visiting.has(name)) return 0;
    visiting.add(name);
    let step = 0;
    for (const [dependency, condition] of start.after) step = Math.max(step, stepOf(dependency) + (condition === STARTED ? 1 : WAIT_STEP));
    visiting.delete(name);
    steps.set(name, step);
    return step;
  };
  for (const name of services.keys()) stepOf(name);
  return steps;
}

/**
 * For the Compose service `name` running nginx: the services of its project that Compose starts no earlier in its
 * order than nginx and with nothing ordering them, and whose names nginx can resolve through the embedded DNS. Null
 * when that cannot be said: the service `extends` another (which may hold its `depends_on`), the project is a swarm
 * stack (an `overlay` network), or the service is not found. Left out:
 * services earlier in the order (nginx's dependencies, direct or not, among them), services with `profiles` (which
 * may not run at all: a different problem), scaled to zero, or with no network in common with nginx — a
 * `network_mode` (the host's network, or another container's) attaches a service to none of the project's networks.
 */
export function unorderedStart(
  name: string,
  keyNode: Node,
  layer: ComposeLayer & { readonly file: string },
  documents: readonly YamlDocument[],
): UnorderedStart | null {
  // An overlay network makes the file a swarm stack (`docker stack deploy`), which ignores depends_on and gives services
  // names of its own (a virtual IP per service): another start-up than the one judged here.
  const swarm = documents.some((each) =>
    each.entries(each.at(each.root, 'networks')).some(({ value }) => each.text(each.at(value, 'driver')) === 'overlay'),
  );
  const services = projectServices(documents);
  const nginx = services.get(name);
  if (swarm || !nginx || nginx.extendsOther) return null;
  const steps = startSteps(services);
  const nginxStep = steps.get(name)!;
  const unordered = new Set<string>();
  const later = new Set<string>();
  for (const [other, start] of services) {
    if (other === name || start.profiles || start.notStarted) continue;
    // Started in an earlier moment than nginx: what nginx depends on, directly or not, and what starts beside it
    // (robot-shop's cart beside the services web waits for, or any service while nginx waits for a health check),
    // which runs before nginx looks its name up though nothing says it must.
    const step = steps.get(other)!;
    if (step < nginxStep) continue;
    if (![...start.networks].some((network) => nginx.networks.has(network))) continue;
    unordered.add(other);
    if (step > nginxStep) later.add(other);
  }
  const { document, service } = layer;
  const restart =
    documents
      .map((each) => each.text(each.at(each.get(each.at(each.root, 'services'), name)?.value ?? null, 'restart')))
      .filter((value): value is string => value !== null)
      .pop() ??
    document.text(document.at(document.at(document.at(service, 'deploy'), 'restart_policy'), 'condition')) ??
    null;
  const extraHosts = new Set<string>();
  for (const each of documents) {
    const extra = each.at(each.get(each.at(each.root, 'services'), name)?.value ?? null, 'extra_hosts');
    // `- "api:10.0.0.5"`, `- "api=10.0.0.5"`, or a map `api: 10.0.0.5`.
    for (const item of each.items(extra)) {
      const entry = each.text(item);
      if (entry) extraHosts.add(entry.split(/[:=]/)[0]!.trim().toLowerCase());
    }
    for (const { key } of each.entries(extra)) extraHosts.add(key.toLowerCase());
  }
  return {
    declaredBy: name,
    file: layer.file,
    line: document.origin(keyNode).line ?? 0,
    restart: restart === 'no' || restart === 'none' ? null : restart,
    services: unordered,
    later,
    extraHosts,
  };
}
