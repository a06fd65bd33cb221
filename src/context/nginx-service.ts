/**
 * The Compose service that runs nginx with a given config: the one whose volumes mount that file, or the directory
 * holding it, into the container. Its volumes say where every repository path is in the container (so includes
 * resolve as they do there), and its image tag says which nginx runs.
 */
import { readdirSync } from 'node:fs';
import { isInside, readRegularTextFile } from '../files.js';
import path from 'node:path';
import type { Node } from 'yaml';
import { orderMappings, type ContainerView, type PathMapping } from '../load/container-view.js';
import { lazyRequire } from '../lazy-require.js';
import { imageName } from './app-servers.js';
import { composeEnvironment } from './compose.js';
import { findComposeFiles } from './discovery.js';
import { ServiceFactsError } from './errors.js';
import { OriginFactory } from './origin.js';
import { readYamlFile, type YamlDocument } from './yaml.js';

const tinyglobby = lazyRequire<typeof import('tinyglobby')>('tinyglobby');
/** A repository with more files than this is not searched by file name. */
const MAX_REPOSITORY_FILES = 20_000;

export interface NginxService {
  readonly name: string;
  readonly composeFile: string;
  /** `nginx:1.27-alpine`, as written; null when the service builds its own image. */
  readonly image: string | null;
  /** `compose.yaml:5`, for saying where the image (and so the nginx version) came from. */
  readonly imageOrigin: string | null;
  readonly mappings: readonly PathMapping[];
  /** Where the linted file is inside the container. */
  readonly entryContainerPath: string | null;
  /** The service's `environment`, for rendering `*.template` files as the image's entrypoint does. */
  readonly environment: Readonly<Record<string, string>>;
  /** `depends_on` of the nginx service: each service, the condition it waits for, and the 1-based line. */
  readonly dependsOn: readonly { readonly service: string; readonly condition: string; readonly line: number }[];
  /** The services of the same Compose file that define a `healthcheck` (not `disable: true`). */
  readonly healthchecked: ReadonlySet<string>;
}

/** `./nginx/conf.d:/etc/nginx/conf.d:ro` or `{ type: bind, source, target }`; named volumes map nothing. */
function volumeMapping(document: YamlDocument, item: Node, composeDir: string, origins: OriginFactory): PathMapping | null {
  const origin = origins.yaml(document.file, document.origin(item).line ?? 0).label;
  const text = document.text(item);
  let source: string | null;
  let target: string | null;
  if (text !== null) {
    const parts = text.split(':');
    // `SOURCE:TARGET[:MODE]`; a lone target is an anonymous volume.
    if (parts.length < 2) return null;
    [source, target] = [parts[0]!, parts[1]!];
  } else {
    if ((document.text(document.at(item, 'type')) ?? 'bind') !== 'bind') return null;
    source = document.text(document.at(item, 'source'));
    target = document.text(document.at(item, 'target'));
  }
  // Only bind mounts of repository paths: `./x`, `../x`, absolute paths. A bare name is a named volume.
  if (!source || !target || !/^(\.{1,2}(\/|$)|\/)/.test(source) || !target.startsWith('/')) return null;
  return { container: path.posix.normalize(target), repo: path.resolve(composeDir, source), origin };
}

/** What a service's Dockerfile says: the image it builds FROM and the files it COPYs in. */
interface BuiltImage {
  readonly baseImage: string | null;
  readonly origin: string;
  readonly copies: PathMapping[];
}

/**
 * Reads the Dockerfile of a service with `build:` — `FROM` (the last stage's, which runs) and the `COPY`/`ADD` of
 * local files into the image, which map container paths to the repository as volumes do. Multi-stage copies
 * (`--from`), URLs and globs are left out: they name nothing in the repository one to one.
 */
function dockerfileOf(
  document: YamlDocument,
  service: Node | null,
  composeDir: string,
  origins: OriginFactory,
  repoRoot?: string,
): BuiltImage | null {
  const build = document.at(service, 'build');
  if (build === null) return null;
  const context = path.resolve(composeDir, document.text(build) ?? document.text(document.at(build, 'context')) ?? '.');
  const dockerfile = path.resolve(context, document.text(document.at(build, 'dockerfile')) ?? 'Dockerfile');
  let text: string;
  try {
    // A build context of ../../etc, or a Dockerfile linking out of the repository, is not read (docs/security.md).
    if (repoRoot !== undefined && !isInside(dockerfile, repoRoot)) return null;
    text = readRegularTextFile(dockerfile);
  } catch {
    return null;
  }
  let baseImage: string | null = null;
  let fromLine = 0;
  let workdir = '/';
  let copies: PathMapping[] = [];
  // Line continuations join instructions; comments are whole lines.
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
  lines.forEach((line, index) => {
    const words = line.trim().split(/\s+/);
    const instruction = words[0]?.toUpperCase();
    if (instruction === 'FROM') {
      baseImage = words.find((word, position) => position > 0 && !word.startsWith('--')) ?? null;
      fromLine = index + 1;
      copies = [];
    } else if (instruction === 'WORKDIR' && words[1]) {
      workdir = path.posix.resolve(workdir, words[1]);
    } else if ((instruction === 'COPY' || instruction === 'ADD') && !words.some((word) => word.startsWith('--from'))) {
      const operands = words.slice(1).filter((word) => !word.startsWith('--'));
      const target = operands.pop();
      if (!target || operands.length === 0) return;
      const destination = path.posix.resolve(workdir, target);
      for (const source of operands) {
        if (/[*?[]|:\/\//.test(source)) continue;
        const into = operands.length > 1 || target.endsWith('/') ? path.posix.join(destination, path.posix.basename(source)) : destination;
        copies.push({ container: into, repo: path.resolve(context, source), origin: `${origins.file(dockerfile).label}:${index + 1}` });
      }
    }
  });
  return { baseImage, origin: `${origins.file(dockerfile).label}:${fromLine}`, copies };
}

/** `depends_on: [api]` (waits for the container to start) or `depends_on: { api: { condition: … } }`. */
function dependsOnOf(document: YamlDocument, service: Node | null): NginxService['dependsOn'] {
  const node = document.at(service, 'depends_on');
  const listed = document.items(node).flatMap((item) => {
    const name = document.text(item);
    return name ? [{ service: name, condition: 'service_started', line: document.origin(item).line ?? 0 }] : [];
  });
  const mapped = document.entries(node).map(({ key, keyNode, value }) => ({
    service: key,
    condition: document.text(document.at(value, 'condition')) ?? 'service_started',
    line: document.origin(keyNode).line ?? 0,
  }));
  return [...listed, ...mapped];
}

function isNginxImage(image: string | null): boolean {
  const name = imageName(image);
  return name === 'nginx' || name === 'nginx-unprivileged' || name.startsWith('nginx-');
}

/**
 * The nginx service for `entryPath` in the Compose files from its directory up to the repository root: the service
 * that mounts the file (or a directory above it), else the only service running an nginx image. Errors reading a
 * Compose file are left to the service catalog, which reports them.
 */
export function findNginxService(entryPath: string, repoRoot?: string): NginxService | null {
  const candidates: NginxService[] = [];
  for (const file of findComposeFiles(path.dirname(entryPath), repoRoot)) {
    if (repoRoot !== undefined && !isInside(file, repoRoot)) continue;
    const origins = new OriginFactory(path.dirname(entryPath));
    let documents: YamlDocument[];
    try {
      documents = readYamlFile(file, origins);
    } catch (error) {
      if (error instanceof ServiceFactsError) continue;
      throw error;
    }
    for (const document of documents) {
      for (const { key: name, value: service } of document.entries(document.at(document.root, 'services'))) {
        const built = dockerfileOf(document, service, path.dirname(file), origins, repoRoot);
        const mappings = [
          ...document.items(document.at(service, 'volumes')).flatMap((item) => volumeMapping(document, item, path.dirname(file), origins) ?? []),
          // Volumes are mounted over what the image has, so they come first and win over a COPY of the same path.
          ...(built?.copies ?? []),
        ];
        const imageNode = document.at(service, 'image');
        const image = built?.baseImage ?? document.text(imageNode);
        const mount = mappings.find((mapping) => mapping.repo === entryPath || entryPath.startsWith(mapping.repo + path.sep));
        const entryContainerPath = mount ? path.posix.join(mount.container, path.relative(mount.repo, entryPath).split(path.sep).join('/')) : null;
        if (!mount && !isNginxImage(image)) continue;
        candidates.push({
          name,
          composeFile: file,
          image,
          imageOrigin: built?.baseImage ? built.origin : imageNode ? origins.yaml(file, document.origin(imageNode).line ?? 0).label : null,
          mappings: orderMappings(mappings),
          entryContainerPath,
          environment: composeEnvironment(document, document.at(service, 'environment')),
          dependsOn: dependsOnOf(document, service),
          healthchecked: new Set(
            document
              .entries(document.at(document.root, 'services'))
              .filter(({ value }) => document.at(value, 'healthcheck') !== null && document.value(document.at(value, 'healthcheck')!) !== null)
              .filter(({ value }) => document.text(document.at(document.at(value, 'healthcheck'), 'disable')) !== 'true')
              .map(({ key }) => key),
          ),
        });
      }
    }
  }
  return candidates.find((candidate) => candidate.entryContainerPath !== null) ?? (candidates.length === 1 ? candidates[0]! : null);
}

/**
 * Where the official image's entrypoint writes the templates mounted into its template folder: each
 * `NAME.template` becomes `NAME` in the output folder (`/etc/nginx/templates` and `/etc/nginx/conf.d` unless
 * `NGINX_ENVSUBST_TEMPLATE_DIR`/`NGINX_ENVSUBST_OUTPUT_DIR` say otherwise), read from the repository's template.
 */
function renderedTemplates(mounted: readonly PathMapping[], environment: Readonly<Record<string, string>>): PathMapping[] {
  const templateDir = environment['NGINX_ENVSUBST_TEMPLATE_DIR'] ?? '/etc/nginx/templates';
  const outputDir = environment['NGINX_ENVSUBST_OUTPUT_DIR'] ?? '/etc/nginx/conf.d';
  const suffix = environment['NGINX_ENVSUBST_TEMPLATE_SUFFIX'] ?? '.template';
  return mounted.flatMap((mapping) => {
    const relative = path.posix.relative(templateDir, mapping.container);
    if (relative.startsWith('..') || path.posix.isAbsolute(relative)) return [];
    const files =
      relative === '' ? templateFilesIn(mapping.repo, suffix) : mapping.repo.endsWith(suffix) ? [{ name: relative, repo: mapping.repo }] : [];
    return files.map((file) => ({
      container: path.posix.join(outputDir, file.name.slice(0, -suffix.length)),
      repo: file.repo,
      origin: mapping.origin,
    }));
  });
}

function templateFilesIn(directory: string, suffix: string): { name: string; repo: string }[] {
  try {
    return readdirSync(directory)
      .filter((name) => name.endsWith(suffix))
      .map((name) => ({ name, repo: path.join(directory, name) }));
  } catch {
    return [];
  }
}

/** The repository's files by name, listed once on first use (node_modules and .git left out). */
function filesNamedIn(repoRoot: string): (name: string) => readonly string[] {
  let byName: Map<string, string[]> | undefined;
  return (name) => {
    if (!byName) {
      byName = new Map();
      const files = tinyglobby().globSync('**/*', {
        cwd: repoRoot,
        absolute: true,
        dot: true,
        onlyFiles: true,
        ignore: ['**/node_modules/**', '**/.git/**'],
        followSymbolicLinks: false,
      });
      for (const file of files.slice(0, MAX_REPOSITORY_FILES)) {
        const list = byName.get(path.basename(file));
        if (list) list.push(path.normalize(file));
        else byName.set(path.basename(file), [path.normalize(file)]);
      }
    }
    return byName.get(name) ?? [];
  };
}

/**
 * The container view for a config: the nginx service's mounts plus any `pathMap`, the official image's files when
 * the service runs an nginx image (or none is known), and the host's disk only outside any repository.
 */
export function containerViewFor(
  entryPath: string,
  options: { repoRoot: string | null; pathMap: readonly PathMapping[]; service: NginxService | null },
): ContainerView {
  const { service, pathMap, repoRoot } = options;
  const mounted = [...pathMap, ...(service?.mappings ?? [])];
  const mappings = orderMappings([...mounted, ...(service && isNginxImage(service.image) ? renderedTemplates(mounted, service.environment) : [])]);
  const mount = mappings.find((mapping) => mapping.repo === entryPath || entryPath.startsWith(mapping.repo + path.sep));
  const entryContainerPath =
    service?.entryContainerPath ?? (mount ? path.posix.join(mount.container, path.relative(mount.repo, entryPath).split(path.sep).join('/')) : null);
  return {
    mappings,
    entryContainerPath,
    // A custom image may ship other files, but the stock ones come from nginx's own packaging in every image we know.
    imageFiles: service === null || service.image === null || isNginxImage(service.image),
    runsInImage: service !== null && isNginxImage(service.image),
    ...(repoRoot !== null ? { filesNamed: filesNamedIn(repoRoot) } : {}),
    hostReadable: repoRoot === null,
    repoRoot,
  };
}
