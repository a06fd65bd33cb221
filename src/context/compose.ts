import path from 'node:path';
import type { Node } from 'yaml';
import { isInside, readRegularTextFile } from '../files.js';
import { ServiceFactsError } from './errors.js';
import {
  closesConnectionsFact,
  loopbackOnlyFact,
  commandWords,
  inferAppServer,
  lockedGemVersion,
  daemonStarted,
  scriptExec,
  unwrapInit,
  type InferredValue,
  type ProcessSpec,
} from './app-servers.js';
import { builtImageOf, type BuiltImage, type DockerCommand } from './dockerfile.js';
import { dotenv, interpolate, MAX_ENV_FILE_BYTES, projectVariables } from './compose-variables.js';
import { containerFileReader, containerFolderLister, inPlaceEdits } from './container-files.js';
import type { OriginFactory } from './origin.js';
import { repoPathOf, type PathMapping } from '../load/container-view.js';
import { isShellScript } from './repository-scripts.js';
import { portFact, readYamlApplicationFacts } from './facts.js';
import { parsePortMapping, parsePortRange, UNRESOLVED } from './ports.js';
import type { PortMapping, PortRange } from './ports.js';
import type { Fact, PortFact, ServiceAddressing, ServiceFacts } from './types.js';
import type { YamlDocument } from './yaml.js';

/** The per-service extension key under which users state application facts in a Compose file. */
export const COMPOSE_EXTENSION_KEY = 'x-nginx-lint';

/** Collects a service's ports as the Compose file states them. */
class PortCollector {
  readonly ports: PortFact[] = [];
  readonly unresolved: Fact<string>[] = [];

  constructor(
    private readonly document: YamlDocument,
    private readonly errors: ServiceFactsError[],
  ) {}

  add(node: Node, text: string, parsed: PortRange | PortMapping | typeof UNRESOLVED | null, expected: string): void {
    const origin = this.document.origin(node);
    if (parsed === UNRESOLVED) this.unresolved.push({ value: text, text, origin });
    else if (parsed === null) this.errors.push(new ServiceFactsError(origin, `"${text}" is not ${expected}`));
    else this.ports.push(portFact(parsed, text, origin));
  }
}

/**
 * The services of a Compose file (`services:` at the top). Hosts: the service name, `container_name`, `hostname`
 * and the `aliases` of each network. Ports: the container side of `ports` (short and long syntax) and `expose` —
 * the ports the application listens on, which nginx in the same network must use, whatever is published.
 */
export function composeServices(
  document: YamlDocument,
  errors: ServiceFactsError[],
  origins: OriginFactory,
  repoRoot: string | undefined,
): ServiceFacts[] {
  const services = document.entries(document.at(document.root, 'services'));
  const sharedNamespaces = new Set(
    services.flatMap(({ value }) => /^service:(.+)$/.exec(document.text(document.at(value, 'network_mode')) ?? '')?.[1] ?? []),
  );
  return services.map(({ key: name, keyNode, value: service }) => {
    const origin = document.origin(keyNode);
    const hosts: Fact<string>[] = [{ value: name.toLowerCase(), text: name, origin }];
    const addHost = (node: Node | null): void => {
      const host = document.text(node);
      if (node && host) hosts.push({ value: host.toLowerCase(), text: host, origin: document.origin(node) });
    };
    addHost(document.at(service, 'container_name'));
    addHost(document.at(service, 'hostname'));
    // `networks` is either a list of network names (no aliases) or a map of network settings.
    let fixedAddress: Node | null = null;
    for (const network of document.entries(document.at(service, 'networks'))) {
      for (const alias of document.items(document.at(network.value, 'aliases'))) addHost(alias);
      fixedAddress ??= document.at(network.value, 'ipv4_address') ?? document.at(network.value, 'ipv6_address');
    }
    const addressing: ServiceAddressing = fixedAddress
      ? { value: 'fixed', text: document.text(fixedAddress) ?? '', origin: document.origin(fixedAddress) }
      : { value: 'container', text: name, origin };

    const ports = new PortCollector(document, errors);
    for (const item of document.items(document.at(service, 'ports'))) {
      const text = document.text(item);
      if (text !== null) {
        ports.add(item, text, parsePortMapping(text), 'a port mapping such as "8080:80" or "3000"');
        continue;
      }
      // Long syntax: `{ target: 80, published: "8080", protocol: tcp }`.
      const target = document.text(document.at(item, 'target'));
      if (target === null) {
        errors.push(new ServiceFactsError(document.origin(item), 'port has no `target`: the port the app listens on'));
        continue;
      }
      const protocol = document.text(document.at(item, 'protocol'));
      const published = document.text(document.at(item, 'published'));
      const spec = protocol === null ? target : `${target}/${protocol}`;
      const range = parsePortRange(spec);
      const written = published === null ? spec : `${published}:${spec}`;
      ports.add(item, written, range === null || range === UNRESOLVED ? range : { ...range, published }, 'a port');
    }
    for (const item of document.items(document.at(service, 'expose'))) {
      const text = document.text(item) ?? '';
      ports.add(item, text, parsePortRange(text), 'a port or range such as "3000" or "3000-3005"');
    }

    const facts = readYamlApplicationFacts(
      document,
      document.at(service, COMPOSE_EXTENSION_KEY),
      { keyPrefix: '', messagePrefix: `${COMPOSE_EXTENSION_KEY}.` },
      errors,
    );

    // With nothing declared, what the service's command and image say about its server: Compose's `entrypoint` and
    // `command` replace the image's ENTRYPOINT and CMD, which a service with `build:` has in its Dockerfile.
    const built = builtImageOf(document, service, origins, repoRoot ?? path.dirname(document.file));
    const entrypointNode = document.at(service, 'entrypoint');
    const commandNode = document.at(service, 'command');
    const entrypoint = entrypointNode
      ? { words: commandWords(valueOf(document, entrypointNode)), origin: document.origin(entrypointNode) }
      : (built?.entrypoint ?? null);
    const given = commandNode
      ? { words: commandWords(valueOf(document, commandNode)), origin: document.origin(commandNode) }
      : (built?.command ?? null);
    const environment = { ...built?.environment, ...composeEnvironment(document, service) };
    // A start script of the repository that the container runs first and that execs the server in the end says what
    // the server is (CTFd's docker-entrypoint.sh: `exec gunicorn … --worker-class "$WORKER_CLASS"`).
    const script = startScript(document, service, built, entrypoint ?? given, environment, origins, repoRoot);
    const started = script?.exec ?? null;
    const command = started ?? given;
    const composeDir = path.dirname(document.file);
    const mounted = document.items(document.at(service, 'volumes')).flatMap((item) => volumeMapping(document, item, composeDir, origins) ?? []);
    // A script that also leaves another process running (its own nginx, a daemon, a background job) listens where
    // the server it execs does not: nothing is inferred, so that no port or idle timeout of another process is claimed.
    const inferred = script?.besides
      ? null
      : inferAppServer({
          // A server's own configuration file (uWSGI's --ini) where the service's volumes or its image's COPYs put it.
          readFile: containerFileReader(
            [...mounted, ...(built?.copies ?? [])],
            repoRoot ?? composeDir,
            (file) => origins.file(file).label,
            // What the image's build and the start script edit in place (`sed -i … www.conf`) is not the repository's copy.
            () => [built?.dockerfile, script?.file].flatMap((file) => (file ? inPlaceEdits(readOrEmpty(file)) : [])),
          ),
          listFiles: containerFolderLister([...mounted, ...(built?.copies ?? [])], repoRoot ?? composeDir),
          // A start script may `cd` before it execs the server.
          ...(started ? {} : knownWorkingDir(document, service, built, mounted)),
          image: document.text(document.at(service, 'image')) ?? built?.baseImage ?? null,
          words: started ? started.words : [...(entrypoint?.words ?? []), ...(command?.words ?? [])],
          environment,
          builds: built !== null || document.at(service, 'build') !== null,
          ...(built ? { buildSteps: { runs: built.runs, copiedTo: built.copiedTo } } : {}),
          mountTargets: document.items(document.at(service, 'volumes')).flatMap((item) => volumeTarget(document, item) ?? []),
          pumaVersion: pumaVersionOf(document, service),
        });
    const imageNode = document.at(service, 'image');
    const evidence = command?.origin ?? entrypoint?.origin ?? document.origin(imageNode ?? keyNode);
    const inferredFact = (inferredValue: InferredValue, text: string) => ({
      value: inferredValue.value,
      text,
      basis: inferredValue.basis,
      origin: { ...evidence, label: `${evidence.label} ${inferredValue.evidence}` },
    });
    const keepAliveTimeout =
      facts.keepAliveTimeout ??
      (inferred?.keepAliveTimeout ? inferredFact(inferred.keepAliveTimeout, `${inferred.keepAliveTimeout.value / 1000}s`) : null);
    const inferredPorts =
      ports.ports.length === 0 && ports.unresolved.length === 0 && inferred?.port ? [inferred.port, ...(inferred.otherPorts ?? [])] : [];

    return {
      name,
      origin,
      definitions: [origin],
      hosts,
      ports:
        inferredPorts.length > 0
          ? inferredPorts.map((port) => ({
              ...inferredFact(port, String(port.value)),
              lastPort: port.value,
              protocol: 'tcp' as const,
              published: null,
            }))
          : ports.ports,
      unresolvedPorts: ports.unresolved,
      ...facts,
      keepAliveTimeout,
      ...(inferred ? { server: inferred.server } : {}),
      // A declared keepAliveTimeout says the application does keep connections: it wins over what the command says.
      ...(inferred?.closesConnections && !facts.keepAliveTimeout
        ? { closesConnections: closesConnectionsFact(inferred.closesConnections, evidence) }
        : {}),
      ...(inferred?.requestTimeout ? { requestTimeout: inferredFact(inferred.requestTimeout, `${inferred.requestTimeout.value / 1000}s`) } : {}),
      // Unless another service shares its network namespace (`network_mode: service:NAME`) and may listen for it.
      ...(inferred?.loopbackOnly && !sharedNamespaces.has(name) ? { loopbackOnly: loopbackOnlyFact(inferred.loopbackOnly, evidence) } : {}),
      ...(inferred?.unreadHeaders
        ? {
            unreadHeaders: {
              value: inferred.unreadHeaders.headers,
              text: inferred.unreadHeaders.headers.join(', '),
              basis: 'flag' as const,
              origin: { ...evidence, label: `${evidence.label} ${inferred.unreadHeaders.evidence}` },
            },
          }
        : {}),
      addressing,
    };
  });
}

/**
 * The folder a service's process starts in (`working_dir`, else the image's `WORKDIR`), when its files are all the
 * repository's: an image built on a runtime or distribution image, with no volume over that folder other than a
 * folder of the repository (`mounted`).
 */
function knownWorkingDir(
  document: YamlDocument,
  service: Node | null,
  built: BuiltImage | null,
  mounted: readonly PathMapping[],
): { knownWorkingDir?: string } {
  if (!built?.onBareImage) return {};
  const folder = path.posix.resolve(built.workdir, document.text(document.at(service, 'working_dir')) ?? '.');
  const unknownOver = document.items(document.at(service, 'volumes')).some((item) => {
    const target = volumeTarget(document, item);
    const covers = target !== null && (folder === target || folder.startsWith(`${target.replace(/\/$/, '')}/`));
    return covers && !mounted.some((mapping) => mapping.container === target);
  });
  return unknownOver ? {} : { knownWorkingDir: folder };
}

/** Start scripts larger than this are not read. */
const MAX_START_SCRIPT_BYTES = 256 * 1024;

/**
 * The service's first program when it is a shell script of the repository — run directly, through an init (`tini
 * --`, `dumb-init`) or a shell (`sh /app/start.sh`) — at an absolute path the Dockerfile's COPY or a bind mount of the
 * service puts there (the most specific wins), read when it is inside the project root (else the Compose file's
 * folder): the one command it `exec`s that is not its arguments (see `scriptExec`), whose words are then the process,
 * and the first command that leaves another process running beside it (`daemonStarted`). Null when the first program
 * is no such script.
 */
function startScript(
  document: YamlDocument,
  service: Node | null,
  built: BuiltImage | null,
  first: DockerCommand | { readonly words: readonly string[] } | null,
  environment: Readonly<Record<string, string>>,
  origins: OriginFactory,
  repoRoot: string | undefined,
): { file: string; exec: DockerCommand | null; besides: { line: number; text: string } | null } | null {
  const program = unwrapInit(first?.words ?? [])[0];
  if (program === undefined || !program.startsWith('/')) return null;
  const composeDir = path.dirname(document.file);
  const boundary = repoRoot ?? composeDir;
  const mounted = document.items(document.at(service, 'volumes')).flatMap((item) => volumeMapping(document, item, composeDir, origins) ?? []);
  const script = repoPathOf([...mounted, ...(built?.copies ?? [])], program);
  if (script === null) return null;
  let text: string;
  try {
    if (!isInside(script, boundary)) return null;
    text = readRegularTextFile(script, MAX_START_SCRIPT_BYTES);
  } catch {
    return null;
  }
  if (!isShellScript(script, text)) return null;
  const exec = scriptExec(text, environment);
  return { file: script, exec: exec ? { words: exec.words, origin: origins.yaml(script, exec.line) } : null, besides: daemonStarted(text) };
}

/** A Dockerfile's or script's text, or nothing when it cannot be read. */
function readOrEmpty(file: string): string {
  try {
    return readRegularTextFile(file, MAX_START_SCRIPT_BYTES);
  } catch {
    return '';
  }
}

/**
 * A volume's source and target as Compose reads them: `SOURCE:TARGET[:MODE]` (a lone target is an anonymous volume),
 * or the long form's `source` and `target` when its `type` is `type` (`bind` when it has none). `text` is the short
 * form after any interpolation.
 */
function volumeEnds(document: YamlDocument, item: Node, text: string | null, type: 'bind' | 'volume'): { source: string; target: string } | null {
  let source: string | null;
  let target: string | null;
  if (text !== null) {
    const parts = text.split(':');
    if (parts.length < 2) return null;
    [source, target] = [parts[0]!, parts[1]!];
  } else {
    if ((document.text(document.at(item, 'type')) ?? 'bind') !== type) return null;
    source = document.text(document.at(item, 'source'));
    target = document.text(document.at(item, 'target'));
  }
  return source && target?.startsWith('/') ? { source, target } : null;
}

/** `./nginx/conf.d:/etc/nginx/conf.d:ro` or `{ type: bind, source, target }`; named volumes map nothing. */
export function volumeMapping(document: YamlDocument, item: Node, composeDir: string, origins: OriginFactory): PathMapping | null {
  const origin = origins.yaml(document.file, document.origin(item).line ?? 0).label;
  const written = document.text(item);
  // Compose interpolates the volume before it splits it: `${NGINX_FILES_PATH:-./data}/conf.d:/etc/nginx/conf.d` is
  // `./data/conf.d` when the project's .env does not set the variable (its `:-` is no separator).
  const text = written !== null && written.includes('$') ? (interpolate(written, projectVariables(composeDir)) ?? written) : written;
  const ends = volumeEnds(document, item, text, 'bind');
  // Only bind mounts of repository paths: `./x`, `../x`, absolute paths. A bare name is a named volume.
  if (!ends || !/^(\.{1,2}(\/|$)|\/)/.test(ends.source)) return null;
  return { container: path.posix.normalize(ends.target), repo: path.resolve(composeDir, ends.source), origin };
}

/**
 * The container path a named volume is mounted at (`certbot-etc:/etc/letsencrypt`, `{ type: volume, source, target }`):
 * what is there comes from the volume at run time (another container writes it, or the image's files seed it), not
 * from the repository. Null for a bind mount, an anonymous volume or a tmpfs.
 */
export function namedVolumeTarget(document: YamlDocument, item: Node): string | null {
  const ends = volumeEnds(document, item, document.text(item), 'volume');
  // A volume's name: letters, digits, `_.-`, no path and no variable.
  return ends && /^[A-Za-z0-9][\w.-]*$/.test(ends.source) ? path.posix.normalize(ends.target) : null;
}

/** The container path of a volume: `./conf:/usr/local/etc/php-fpm.d:ro`, a lone `/data`, or `{ target }`. */
function volumeTarget(document: YamlDocument, item: Node): string | null {
  const text = document.text(item);
  if (text === null) return document.text(document.at(item, 'target'));
  const parts = text.split(':');
  return (parts.length >= 2 ? parts[1] : parts[0]) ?? null;
}

/**
 * The Puma version a service bundles: `puma (x.y.z)` in the `Gemfile.lock` of its build context, else of the Compose
 * file's folder. Only folders inside the Compose file's own are read.
 */
function pumaVersionOf(document: YamlDocument, service: Node | null): ProcessSpec['pumaVersion'] {
  const composeDir = path.dirname(document.file);
  const build = document.at(service, 'build');
  const context = build === null ? null : (document.text(build) ?? document.text(document.at(build, 'context')) ?? '.');
  const folders = [...(context === null ? [] : [path.resolve(composeDir, context)]), composeDir];
  for (const folder of folders) {
    if (!isInside(folder, composeDir)) continue;
    const lockFile = path.join(folder, 'Gemfile.lock');
    let text: string;
    try {
      text = readRegularTextFile(lockFile);
    } catch {
      continue;
    }
    const locked = lockedGemVersion(text, 'puma');
    if (locked) return { version: locked.version, origin: `${path.relative(composeDir, lockFile).split(path.sep).join('/')}:${locked.line}` };
  }
  return null;
}

function valueOf(document: YamlDocument, node: Node | null): unknown {
  return node === null ? null : document.value(node);
}

/**
 * A service's container environment: its `env_file`s (in order, later ones win), then its `environment` (a map or a
 * list of `NAME=value`), which wins over them, as Compose does, each value interpolated as Compose does; a value that
 * needs a variable only the shell sets is left out (unknown). An env file is read only inside the Compose file's
 * folder: its values reach rendered configs and so the report.
 */
export function composeEnvironment(document: YamlDocument, service: Node | null): Record<string, string> {
  const environment: Record<string, string> = {};
  const composeDir = path.dirname(document.file);
  const variables = projectVariables(composeDir);
  const set = (name: string, written: string) => {
    const interpolated = interpolate(written, variables);
    if (interpolated === null) delete environment[name];
    else environment[name] = interpolated;
  };
  const envFiles = document.at(service, 'env_file');
  const listed = document.text(envFiles) !== null ? [envFiles] : document.items(envFiles);
  for (const item of listed) {
    const name = document.text(item) ?? document.text(document.at(item, 'path'));
    if (!name) continue;
    const file = path.resolve(composeDir, name);
    if (!isInside(file, composeDir)) continue;
    try {
      for (const [name, written] of Object.entries(dotenv().parse(readRegularTextFile(file, MAX_ENV_FILE_BYTES)))) set(name, written);
    } catch {
      // A missing or unreadable env file (`required: false`, or created at deploy time) adds nothing.
    }
  }
  const value = valueOf(document, document.at(service, 'environment'));
  if (Array.isArray(value)) {
    for (const item of value) {
      const [name, ...rest] = String(item).split('=');
      if (name && rest.length > 0) set(name, rest.join('='));
    }
  } else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) if (item !== null && item !== undefined) set(name, String(item));
  }
  return environment;
}
