/**
 * The Compose service that runs nginx with a given config: the one whose volumes mount that file, or the directory
 * holding it, into the container. Its volumes say where every repository path is in the container (so includes
 * resolve as they do there), and its image tag says which nginx runs.
 */
import { readdirSync, statSync } from 'node:fs';
import { isInside, readRegularTextFile } from '../files.js';
import path from 'node:path';
import type { Node } from 'yaml';
import { imagesBuiltByWorkflows } from './ci-builds.js';
import {
  globNameMatcher,
  IMAGE_CONF_DIR,
  OPENRESTY_CONF_DIR,
  containerPathIn,
  mapsRepoPath,
  orderMappings,
  repoPathOf,
  type ContainerView,
  type LineDeletion,
  type PathMapping,
  type RepositoryScripts,
} from '../load/container-view.js';
import { isShellScript, readRepositoryScripts, sedRegExp, withFunctionCallsExpanded } from './repository-scripts.js';
import { readSupervisedPrograms, runsNginx, type SupervisedProgram } from './supervisord.js';
import {
  commandWords,
  imageRepository,
  isModSecurityNginxImage,
  isNginxImage,
  isOpenRestyImage,
  programsStartedBesideNginx,
  unwrapInit,
} from './app-servers.js';
import { composeEnvironment, namedVolumeTarget, volumeMapping } from './compose.js';
import { projectVariables } from './compose-variables.js';
import { heredocFiles, renderHeredoc } from './compose-heredoc.js';
import type { RenderedTemplate } from '../load/templates.js';
import { textReadsAsNginx } from '../load/inputs.js';
import type { SourceFile } from '../syntax/ast.js';
import { buildOf, builtImageOf, echoedFiles, readDockerfileInItsContext, type BuiltImage, type NginxSourceBuild } from './dockerfile.js';
import { dockerRunsAbove, type BindMount, type DockerRun } from './docker-run.js';
import { unorderedStart, type UnorderedStart } from './compose-start-order.js';
import {
  composeProjectFiles,
  dockerfilesAbove,
  findComposeFiles,
  findComposeVariants,
  isProductionVariant,
  mainComposeFile,
  repositoryFiles,
} from './discovery.js';
import { ServiceFactsError } from './errors.js';
import { OriginFactory } from './origin.js';
import { readYamlFile, type YamlDocument } from './yaml.js';

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
  /** The repository path of the mount or COPY that puts the linted file there (null when none does). */
  readonly mountedFrom: string | null;
  /** nginx is Debian's or Ubuntu's package, installed by the image's Dockerfile (`proxy_params`, `snippets/` exist). */
  readonly debianPackage?: boolean;
  /** nginx is a distribution's package installed on this image (`debian:bookworm`): its release gives the version. */
  readonly nginxPackageImage?: string;
  /** nginx is compiled from source by the image's Dockerfile: its version, and the modules compiled in. */
  readonly nginxSourceBuild?: NginxSourceBuild;
  /** The release the image's package install pins (`nginx=1.31.3-1~noble`), and where. */
  readonly nginxPinnedPackage?: { readonly version: string; readonly origin: string };
  /**
   * The image nginx's own image is built on when that is not nginx's (`php:8.1-fpm-alpine` with nginx installed): its
   * programs run beside nginx, in the same container.
   */
  readonly builtOn?: string;
  /**
   * The images of the other containers of nginx's Kubernetes pod: they share its network, so `localhost` in nginx's
   * config reaches what they listen on.
   */
  readonly podImages?: readonly string[];
  /**
   * An app's image with nginx inside, known to run nginx because config is mounted into its /etc/nginx
   * (`quay.io/cilium/hubble-ui`): nginx's stock files are there, and it may ship files of its own.
   */
  readonly nginxInside?: boolean;
  /**
   * Container paths of the service's named volumes, or a pod's volumes other than ConfigMaps (read when asked): their
   * files come from the volume at run time.
   */
  readonly namedVolumes?: () => readonly string[];
  /** The service's `environment`, for rendering `*.template` files as the image's entrypoint does. */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * What the container starts with (the Compose service's `entrypoint` and `command`, else the image's `ENTRYPOINT`
   * and `CMD`) and the folder it starts in: a start script there may run programs beside nginx.
   */
  readonly startCommand?: { readonly words: readonly string[]; readonly workdir: string };
  /**
   * `depends_on` of the nginx service: each service, the condition it waits for, and the Compose file and 1-based line
   * that say so (an overlay variant's entries merged over its main file's, as Compose merges them).
   */
  readonly dependsOn: readonly {
    readonly service: string;
    readonly condition: string;
    /** The nginx service that says so: this one, or another running the same config (replicas `edge1`, `edge2`). */
    readonly declaredBy: string;
    readonly file: string;
    readonly line: number;
  }[];
  /**
   * The services of the same Compose file with a healthcheck: a `healthcheck` (not `disable: true`), or a
   * `HEALTHCHECK` in the Dockerfile they are built from.
   */
  readonly healthchecked: ReadonlySet<string>;
  /** Services that run a ready-made image with no `healthcheck` here: the image may define one, or not. */
  readonly healthcheckUnknown: ReadonlySet<string>;
  /**
   * For a Compose service: the services of its project Compose starts with no order against it (no `depends_on`,
   * `links`…), one entry for it and one for each replica running the same config (compose-start-order.ts).
   */
  readonly unorderedStarts?: readonly UnorderedStart[];
  /**
   * Set when the service comes from a Compose variant (`docker-compose.prod.yml`): the Compose files the app
   * services are read from in place of those found from the config's folder up, in priority order — the variant,
   * then the main file it overlays when it is an overlay (a service of it has neither image nor build).
   */
  readonly composeFiles?: readonly string[];
}

/**
 * An nginx config file written inside another file: a key of a Kubernetes ConfigMap (kubernetes-nginx.ts) or the
 * here-document of a Compose service's command (compose-heredoc.ts).
 */
export interface EmbeddedConfig {
  /** A path no file has: `<manifest>/<ConfigMap name>/<key>`, `<compose file>/<service>/<container path>`. Findings are reported on `manifest`. */
  readonly path: string;
  /** The file holding it: the Kubernetes manifest or the Compose file. */
  readonly manifest: string;
  /** The manifest's text with everything outside the config blanked: its lines are the manifest's own. */
  readonly text: string;
  /** Where `text` holds a value nginx-lint does not know (a variable set elsewhere): no check judges it. */
  readonly placeholders?: RenderedTemplate['placeholders'];
  /** Where a shell expanded an nginx variable to nothing (`SourceFile.expandedAway`). */
  readonly expandedAway?: SourceFile['expandedAway'];
  /** Where `text`, rendered, differs from the manifest as written (`SourceFile.writtenSpans`). */
  readonly writtenSpans?: SourceFile['writtenSpans'];
  /** The nginx container that reads it, with its mounts, image and environment. */
  readonly service: NginxService;
  /**
   * A key whose text cannot be mapped back to the manifest (not a literal block): `text` is its value as the container
   * has it, read for what it defines (an upstream, a map) and never reported on.
   */
  readonly contextOnly?: boolean;
  /**
   * A key mounted where nginx reads no configuration of its own accord (an entrypoint script, a page, ModSecurity
   * rules): read where a config includes it, never linted on its own.
   */
  readonly includedOnly?: boolean;
}

function healthchecks(document: YamlDocument, origins: OriginFactory, boundary: string): Pick<NginxService, 'healthchecked' | 'healthcheckUnknown'> {
  const healthchecked = new Set<string>();
  const healthcheckUnknown = new Set<string>();
  for (const { key, value } of document.entries(document.at(document.root, 'services'))) {
    const healthcheck = document.at(value, 'healthcheck');
    if (healthcheck !== null && document.value(healthcheck) !== null) {
      if (document.text(document.at(healthcheck, 'disable')) !== 'true') healthchecked.add(key);
    } else if (document.at(value, 'build') !== null) {
      if (builtImageOf(document, value, origins, boundary)?.healthcheck) healthchecked.add(key);
    } else healthcheckUnknown.add(key);
  }
  return { healthchecked, healthcheckUnknown };
}

/** `depends_on: [api]` (waits for the container to start) or `depends_on: { api: { condition: … } }`. */
function dependsOnOf(file: string, document: YamlDocument, service: Node | null, declaredBy: string): NginxService['dependsOn'] {
  const node = document.at(service, 'depends_on');
  const listed = document.items(node).flatMap((item) => {
    const name = document.text(item);
    return name ? [{ service: name, condition: 'service_started', declaredBy, file, line: document.origin(item).line ?? 0 }] : [];
  });
  const mapped = document.entries(node).map(({ key, keyNode, value }) => ({
    service: key,
    condition: document.text(document.at(value, 'condition')) ?? 'service_started',
    declaredBy,
    file,
    line: document.origin(keyNode).line ?? 0,
  }));
  return [...listed, ...mapped];
}

/** The same service in the main Compose file a variant overlays: its image, build and volumes count too. */
interface BaseService {
  readonly file: string;
  readonly document: YamlDocument;
  readonly service: Node | null;
}

function mergedDependsOn(own: NginxService['dependsOn'], overlaid: NginxService['dependsOn']): NginxService['dependsOn'] {
  const named = new Set(own.map((dependency) => dependency.service));
  return [...overlaid.filter((dependency) => !named.has(dependency.service)), ...own];
}

/** Compose files by the names `docker compose` and projects give them, anywhere in a repository. */
export const COMPOSE_FILE_GLOBS = [
  '**/{compose,docker-compose}.{yaml,yml}',
  '**/{compose,docker-compose}{.,-}*.{yaml,yml}',
  '**/production.{yaml,yml}',
];
/** At most this many Compose files are read for the images their services build. */
const MAX_COMPOSE_FILES = 200;

/** `mediacms/mediacms` and `mediacms/mediacms:latest` name one image; so do `docker.io/library/nginx` and `nginx`. */
function imageReference(image: string): string {
  const name = image
    .split('@')[0]!
    .replace(/^(?:index\.)?docker\.io\//, '')
    .replace(/^library\//, '');
  return name.split('/').pop()!.includes(':') ? name : `${name}:latest`;
}

/** The image a service of some Compose file of the repository builds, by the name its `image:` tags it with. */
type ImagesBuilt = (image: string) => BuiltImage | null;

/**
 * What the repository's Compose files build, by image name: a service with both `build:` and `image:` tags what it
 * builds with that name, so a service that only names the image runs that build (mediacms's web service runs
 * `mediacms/mediacms:latest`, which docker-compose/docker-compose-dev-updated.yaml builds from the Dockerfile at the
 * root). An official image (`nginx:1.27`, no namespace) is pulled, never looked up; one named through a variable
 * names nothing. The Compose files are found once, on first use.
 */
function imagesBuiltIn(repoRoot: string | undefined, origins: OriginFactory): ImagesBuilt {
  let builds: Map<string, BuiltImage> | undefined;
  const index = (): Map<string, BuiltImage> => {
    if (builds) return builds;
    builds = new Map();
    if (repoRoot === undefined) return builds;
    for (const file of repositoryFiles(repoRoot, COMPOSE_FILE_GLOBS, MAX_COMPOSE_FILES)) {
      for (const document of composeDocuments(file, origins)) {
        for (const { value } of document.entries(document.at(document.root, 'services'))) {
          const named = document.text(document.at(value, 'image'));
          if (named === null || named.includes('$') || document.at(value, 'build') === null) continue;
          const reference = imageReference(named);
          if (builds.has(reference)) continue;
          const built = builtImageOf(document, value, origins, repoRoot);
          if (built) builds.set(reference, built);
        }
      }
    }
    return builds;
  };
  let workflowBuilds: Map<string, BuiltImage> | undefined;
  return (image) => {
    const reference = imageReference(image);
    const fromCompose = image.includes('$') || !reference.includes('/') ? null : (index().get(reference) ?? null);
    if (fromCompose || repoRoot === undefined) return fromCompose;
    // Built by a workflow and pulled by name: any tag, `${tag}` included, is that build.
    const repository = imageRepository(image);
    if (repository.includes('$') || !repository.includes('/')) return null;
    return (workflowBuilds ??= imagesBuiltByWorkflows(repoRoot, origins)).get(repository) ?? null;
  };
}

/** The nginx service candidate a Compose service makes for `entryPath`: one that mounts it, or runs an nginx image. */
function candidateOf(
  file: string,
  document: YamlDocument,
  name: string,
  service: Node | null,
  entryPath: string,
  repoRoot: string | undefined,
  origins: OriginFactory,
  imagesBuilt: ImagesBuilt,
  base?: BaseService,
): NginxService | null {
  const boundary = repoRoot ?? path.dirname(file);
  const own = document.at(service, 'image') !== null || document.at(service, 'build') !== null;
  // An overlay's service without image or build runs what the main file's service of that name builds or pulls.
  const imageLayer = own || base === undefined ? { file, document, service } : base;
  const imageNode = imageLayer.document.at(imageLayer.service, 'image');
  const imageText = imageLayer.document.text(imageNode);
  const volumesOf = (layer: { file: string; document: YamlDocument; service: Node | null }): PathMapping[] =>
    layer.document
      .items(layer.document.at(layer.service, 'volumes'))
      .flatMap((item) => volumeMapping(layer.document, item, path.dirname(layer.file), origins) ?? []);
  const volumes = [...volumesOf({ file, document, service }), ...(base ? volumesOf(base) : [])];

  // A service that only names its image runs what another Compose service (or a workflow) of the repository builds
  // under that name: the build may COPY the config (librephotos' proxy image, built from ./proxy by its workflow).
  const built =
    builtImageOf(imageLayer.document, imageLayer.service, origins, boundary) ??
    (imageText !== null && imageLayer.document.at(imageLayer.service, 'build') === null ? imagesBuilt(imageText) : null);
  // Volumes are mounted over what the image has, so they come first and win over a COPY of the same path.
  const mappings = [...volumes, ...(built?.copies ?? [])];
  // nginx installed on a distribution image, or compiled on it: its tag is the distribution's, not nginx's version, so
  // no image is named.
  const image = (built?.installsNginx || built?.nginxSourceBuild) && !isNginxImage(built.baseImage) ? null : (built?.baseImage ?? imageText);
  const mount = mappings.find((mapping) => mapsRepoPath(mapping, entryPath));
  if (!mount && !isNginxImage(image)) return null;
  const rendered = renderedByScripts(mappings, boundary, built);
  const entryContainerPath = renderedPath(rendered, entryPath) ?? (mount ? containerPathIn(mount, entryPath) : null);
  const ownChecks = healthchecks(document, origins, boundary);
  const baseChecks = base ? healthchecks(base.document, origins, boundary) : null;
  const healthchecked = new Set([...ownChecks.healthchecked, ...(baseChecks?.healthchecked ?? [])]);
  const keyNode = document.get(document.at(document.root, 'services'), name)?.keyNode;
  const projectDocuments = base
    ? [base.document, document]
    : composeProjectFiles(file).flatMap((each) => (each === file ? [document] : composeDocuments(each, origins)));
  // Only a container that runs nginx starts it: a service mounting the whole repository (`.:/app`) may be the most
  // specific mount of a config another service's mount names through a variable (bookwyrm's dev overlay).
  const runsNginxItself =
    isNginxImage(image) ||
    Boolean(built?.installsNginx || built?.nginxSourceBuild) ||
    [IMAGE_CONF_DIR, OPENRESTY_CONF_DIR].some((folder) => entryContainerPath?.startsWith(`${folder}/`));
  const unordered = keyNode && runsNginxItself ? unorderedStart(name, keyNode, { file, document, service }, projectDocuments) : null;
  return {
    name,
    composeFile: file,
    image,
    imageOrigin: built?.baseImage
      ? built.origin
      : imageNode
        ? origins.yaml(imageLayer.file, imageLayer.document.origin(imageNode).line ?? 0).label
        : null,
    mappings: orderMappings([...mappings, ...rendered]),
    entryContainerPath,
    mountedFrom: mount?.repo ?? null,
    ...nginxOfImage(built),
    environment: {
      ...built?.environment,
      ...(base ? composeEnvironment(base.document, base.service) : {}),
      ...composeEnvironment(document, service),
    },
    ...startCommandOf(built, [base, { file, document, service }]),
    // Compose merges depends_on in its long form, a mapping: the variant's entry for a service wins over the main file's.
    dependsOn: mergedDependsOn(dependsOnOf(file, document, service, name), base ? dependsOnOf(base.file, base.document, base.service, name) : []),
    healthchecked,
    healthcheckUnknown: new Set(
      [...ownChecks.healthcheckUnknown, ...(baseChecks?.healthcheckUnknown ?? [])].filter((service) => !healthchecked.has(service)),
    ),
    ...(unordered ? { unorderedStarts: [unordered] } : {}),
  };
}

/** The documents of a Compose file; one that cannot be read holds none (the service catalog reports it). */
export function composeDocuments(file: string, origins: OriginFactory): YamlDocument[] {
  try {
    return readYamlFile(file, origins);
  } catch (error) {
    if (error instanceof ServiceFactsError) return [];
    throw error;
  }
}

/**
 * The service that mounts the file most specifically, on a tie the one running an nginx image. Other services that
 * mount the same file are replicas of it (cdn-up-and-running's edge, edge1, edge2): their depends_on count too.
 */
function mostSpecificMount(candidates: readonly NginxService[]): NginxService | undefined {
  // A bind mount of nginx.conf itself beats another service's `COPY . /build/` of the whole repository.
  const chosen = candidates
    .filter((candidate) => candidate.mountedFrom !== null)
    .sort((a, b) => b.mountedFrom!.length - a.mountedFrom!.length || Number(isNginxImage(b.image)) - Number(isNginxImage(a.image)))[0];
  const replicas = candidates.filter((candidate) => candidate !== chosen && candidate.mountedFrom === chosen?.mountedFrom);
  return chosen && replicas.length > 0
    ? {
        ...chosen,
        dependsOn: [...chosen.dependsOn, ...replicas.flatMap((replica) => replica.dependsOn)],
        unorderedStarts: [chosen, ...replicas].flatMap((each) => each.unorderedStarts ?? []),
      }
    : chosen;
}

/**
 * The nginx service for `entryPath` in the Compose files from its directory up to the repository root: the service
 * that mounts the file (or a directory above it), else an nginx image a `docker run` of a script, Makefile or README
 * mounts it in (`dockerRunService`), else one a Compose variant mounts it in (`composeVariantService`),
 * else the image a Dockerfile of the repository builds with it, else the only service running an nginx image. Errors
 * reading a Compose file are left to the service catalog, which reports them.
 */
export function findNginxService(entryPath: string, repoRoot?: string): NginxService | null {
  const candidates: NginxService[] = [];
  const origins = new OriginFactory(path.dirname(entryPath));
  const imagesBuilt = imagesBuiltIn(repoRoot, origins);
  for (const file of findComposeFiles(path.dirname(entryPath), repoRoot)) {
    if (repoRoot !== undefined && !isInside(file, repoRoot)) continue;
    const baseOf = overriddenServices(file, origins);
    for (const document of composeDocuments(file, origins)) {
      const rendering = dockerGenRendering(file, document, entryPath, repoRoot, origins, imagesBuilt);
      if (rendering) return rendering;
      for (const { key: name, value: service } of document.entries(document.at(document.root, 'services'))) {
        const candidate = candidateOf(file, document, name, service, entryPath, repoRoot, origins, imagesBuilt, baseOf(name));
        if (candidate) candidates.push(candidate);
      }
    }
  }
  const mounted = mostSpecificMount(candidates);
  let volumes: readonly string[] | undefined;
  return (
    (mounted ? { ...mounted, namedVolumes: () => (volumes ??= namedVolumesOf(mounted, repoRoot, origins)) } : null) ??
    (repoRoot !== undefined ? dockerRunService(entryPath, dockerRunsAbove(path.dirname(entryPath), repoRoot), repoRoot, origins) : null) ??
    composeVariantService(entryPath, repoRoot, origins, imagesBuilt) ??
    (repoRoot !== undefined ? builtByDockerfile(entryPath, repoRoot) : null) ??
    (candidates.length === 1 && !runsOtherConfigs(candidates[0]!) ? candidates[0]! : null)
  );
}

/**
 * Whether a service runs configs of the repository other than the one being placed: a file of the repository is
 * mounted or copied, on its own, where nginx reads its configuration (nginx.conf, conf.d, sites-enabled, http.d). A
 * config it does not map is then another deployment's (libretime's installer/nginx site for a host, beside the
 * Compose nginx that runs docker/nginx.conf as conf.d/default.conf), not one that reaches this service some way
 * nginx-lint cannot see. A mounted folder says less: a config beside it may include the files it holds.
 */
function runsOtherConfigs(service: NginxService): boolean {
  return service.mappings.some(
    (mapping) => NGINX_READS_CONFIG_AT.test(mapping.container) && statSync(mapping.repo, { throwIfNoEntry: false })?.isFile() === true,
  );
}

const NGINX_READS_CONFIG_AT = /^\/etc\/nginx\/(?:nginx\.conf$|(?:conf\.d|sites-enabled|http\.d)(?:\/|$))/;

/**
 * For an override file (`docker-compose.override.yml`, which `docker compose` applies over the main file of its
 * folder), the main file's service of a name: the one it overrides, whose depends_on, volumes and healthchecks still
 * hold (libretime's override mounts docker/nginx.conf into the nginx service whose depends_on the main file has).
 */
function overriddenServices(file: string, origins: OriginFactory): (name: string) => BaseService | undefined {
  const project = composeProjectFiles(file);
  const mainFile = project.length === 2 && project[1] === file ? project[0]! : undefined;
  return servicesOf(mainFile, mainFile ? composeDocuments(mainFile, origins) : []);
}

/** The services of a Compose file's documents by name: what an overlay of it builds on. */
function servicesOf(file: string | undefined, documents: readonly YamlDocument[]): (name: string) => BaseService | undefined {
  return (name) => {
    for (const document of documents) {
      const service = document.get(document.at(document.root, 'services'), name);
      if (service) return { file: file!, document, service: service.value };
    }
    return undefined;
  };
}

/**
 * The container folders named volumes are mounted at in `service`, in its Compose file and in the variants beside it
 * (docker-compose.ssl.yml's gateway mounts `certbot-data:/var/www/certbot` where docker-compose.yml's does not): a
 * file there is the volume's in the variant that mounts it, not one the repository lacks.
 */
function namedVolumesOf(service: NginxService, repoRoot: string | undefined, origins: OriginFactory): readonly string[] {
  const folder = path.dirname(service.composeFile);
  const variants = findComposeVariants(folder, repoRoot).filter((file) => path.dirname(file) === folder);
  const targets = new Set<string>();
  for (const file of [service.composeFile, ...variants]) {
    for (const document of composeDocuments(file, origins)) {
      const own = document.get(document.at(document.root, 'services'), service.name);
      for (const item of own ? document.items(document.at(own.value, 'volumes')) : []) {
        const target = namedVolumeTarget(document, item);
        if (target !== null) targets.add(target);
      }
    }
  }
  return [...targets];
}

/**
 * The nginx container a `docker run` of the repository starts with the file mounted (docker-run.ts): the one that
 * mounts it most specifically, on a tie the first found. Only nginx images count: another image mounting an nginx
 * config runs something nginx-lint knows nothing of.
 */
function dockerRunService(entryPath: string, runs: readonly DockerRun[], repoRoot: string, origins: OriginFactory): NginxService | null {
  let chosen: { run: DockerRun; mount: BindMount } | null = null;
  for (const run of runs) {
    if (!isNginxImage(run.image)) continue;
    for (const mount of run.mounts) {
      if (!mapsRepoPath(mount, entryPath)) continue;
      if (chosen === null || mount.repo.length > chosen.mount.repo.length) chosen = { run, mount };
    }
  }
  if (chosen === null) return null;
  const { run, mount } = chosen;
  const origin = origins.yaml(run.file, run.line).label;
  return {
    name: `docker run (${path.relative(repoRoot, run.file).split(path.sep).join('/')}:${run.line})`,
    composeFile: run.file,
    image: run.image,
    imageOrigin: origin,
    mappings: orderMappings(run.mounts.map((each) => ({ ...each, origin }))),
    entryContainerPath: containerPathIn(mount, entryPath),
    mountedFrom: mount.repo,
    environment: run.environment,
    dependsOn: [],
    healthchecked: new Set(),
    healthcheckUnknown: new Set(),
  };
}

/**
 * A template that docker-gen renders in a Compose service of its own (`command: … -watch
 * /etc/docker-gen/templates/nginx.tmpl /etc/nginx/conf.d/default.conf`, the template mounted there) into a folder
 * that a service running an nginx image mounts too: nginx reads the rendering in that service, at the path its mount
 * gives the destination (evertramos/nginx-proxy-automation: ./data/conf.d is mounted into both). docker-gen's last
 * two arguments are the template and the destination; a service without docker-gen in its image or command, or
 * whose paths hold a variable, renders nothing here.
 */
function dockerGenRendering(
  file: string,
  document: YamlDocument,
  entryPath: string,
  repoRoot: string | undefined,
  origins: OriginFactory,
  imagesBuilt: ImagesBuilt,
): NginxService | null {
  const services = document.entries(document.at(document.root, 'services'));
  for (const { key: generator, value: service } of services) {
    const image = document.text(document.at(service, 'image')) ?? '';
    const commandNode = document.at(service, 'command');
    const words = commandWords(commandNode === null ? null : document.value(commandNode));
    if (!/docker-gen/.test(image) && !words.includes('docker-gen') && !words.some((word) => word.endsWith('/docker-gen'))) continue;
    if (words.length < 2) continue;
    const [template, destination] = words.slice(-2) as [string, string];
    if (!template.startsWith('/') || !destination.startsWith('/') || (template + destination).includes('$')) continue;
    const volumes = document
      .items(document.at(service, 'volumes'))
      .flatMap((item) => volumeMapping(document, item, path.dirname(file), origins) ?? []);
    if (repoPathOf(volumes, template) !== entryPath) continue;
    const rendered = repoPathOf(volumes, destination);
    if (rendered === null) continue;
    const readers = services.flatMap(({ key: name, value }) => {
      if (name === generator) return [];
      const candidate = candidateOf(file, document, name, value, rendered, repoRoot, origins, imagesBuilt);
      return candidate && candidate.mountedFrom !== null && isNginxImage(candidate.image) ? [candidate] : [];
    });
    const reader = mostSpecificMount(readers);
    if (reader) return { ...reader, mountedFrom: entryPath };
  }
  return null;
}

/** Where nginx reads config in its images: a here-document writing elsewhere is some other file (a script, a page). */
const NGINX_CONFIG_TARGET = /^\/etc\/nginx\/|^\/usr\/local\/openresty\/nginx\/conf\/|\.conf$/;

/**
 * The nginx configs the services of a Compose file running an nginx image write with a here-document in their
 * `entrypoint` or `command` (compose-heredoc.ts), each with its service as the container that reads it.
 */
export function composeHeredocConfigs(composeFile: string, repoRoot: string | undefined): EmbeddedConfig[] {
  // Every YAML file of a repository is asked: only one with services and a here-document is parsed.
  let text: string;
  try {
    text = readRegularTextFile(composeFile);
  } catch {
    return [];
  }
  if (!/^services:/m.test(text) || (!text.includes('<<') && !/^\s+build:/m.test(text))) return [];
  const origins = new OriginFactory(path.dirname(composeFile));
  const imagesBuilt = imagesBuiltIn(repoRoot, origins);
  const configs: EmbeddedConfig[] = [];
  for (const document of composeDocuments(composeFile, origins)) {
    for (const { key: name, value: service } of document.entries(document.at(document.root, 'services'))) {
      const scripts = ['entrypoint', 'command'].flatMap((key) => {
        const node = document.at(service, key);
        return [node, ...document.items(node)].flatMap((item) => document.literalBlock(item) ?? []);
      });
      const files = scripts.flatMap((block) => heredocFiles(document.source, block)).filter((file) => NGINX_CONFIG_TARGET.test(file.target));
      configs.push(...dockerfileEchoConfigs(composeFile, document, name, service, repoRoot, origins, imagesBuilt));
      if (files.length === 0) continue;
      const virtualPaths = files.map((file) => path.join(composeFile, name, ...file.target.split('/')));
      const candidate = candidateOf(composeFile, document, name, service, virtualPaths[0]!, repoRoot, origins, imagesBuilt);
      if (!candidate || !isNginxImage(candidate.image)) continue;
      const variables = { project: projectVariables(path.dirname(composeFile)), container: candidate.environment };
      files.forEach((file, index) => {
        const rendered = renderHeredoc(document.source, file, variables);
        configs.push({
          path: virtualPaths[index]!,
          manifest: composeFile,
          text: rendered.text,
          ...(rendered.placeholders.length > 0 ? { placeholders: rendered.placeholders } : {}),
          ...(rendered.expandedAway.length > 0 ? { expandedAway: rendered.expandedAway } : {}),
          ...(rendered.writtenSpans.length > 0 ? { writtenSpans: rendered.writtenSpans } : {}),
          service: { ...candidate, entryContainerPath: file.target, mountedFrom: null },
        });
      });
    }
  }
  return configs;
}

/**
 * The nginx configs the image a Compose service builds writes with `RUN echo "…" > /etc/nginx/…` (dockerfile.ts's
 * `echoedFiles`; JeecgBoot's front-end image), each with the service as the container that reads it. They are
 * reported on the Dockerfile, at its lines.
 */
function dockerfileEchoConfigs(
  composeFile: string,
  document: YamlDocument,
  name: string,
  service: Node | null,
  repoRoot: string | undefined,
  origins: OriginFactory,
  imagesBuilt: ImagesBuilt,
): EmbeddedConfig[] {
  const dockerfile = buildOf(document, service)?.dockerfile;
  if (dockerfile === undefined) return [];
  let text: string;
  try {
    if (!isInside(dockerfile, repoRoot ?? path.dirname(composeFile))) return [];
    text = readRegularTextFile(dockerfile);
  } catch {
    return [];
  }
  if (!/\becho\b/.test(text)) return [];
  // What reads as nginx only: `echo "admin:$apr1$…" > /etc/nginx/.htpasswd` writes no config.
  const files = echoedFiles(text).filter((file) => NGINX_CONFIG_TARGET.test(file.target) && textReadsAsNginx(file.text, dockerfile));
  if (files.length === 0) return [];
  const virtualPaths = files.map((file) => path.join(composeFile, name, ...file.target.split('/')));
  const candidate = candidateOf(composeFile, document, name, service, virtualPaths[0]!, repoRoot, origins, imagesBuilt);
  if (!candidate || !isNginxImage(candidate.image)) return [];
  return files.map((file, index) => ({
    path: virtualPaths[index]!,
    manifest: dockerfile,
    text: file.text,
    ...(file.placeholders.length > 0 ? { placeholders: file.placeholders } : {}),
    ...(file.writtenSpans.length > 0 ? { writtenSpans: file.writtenSpans } : {}),
    service: { ...candidate, entryContainerPath: file.target, mountedFrom: null },
  }));
}

/**
 * The nginx service of a Compose variant (`docker-compose.prod.yml`, see `findComposeVariants`) that mounts or builds
 * `entryPath`, for a repository whose default Compose files do not run it. A variant is a whole Compose file on its
 * own, as `docker compose -f docker-compose.prod.yml` reads it, unless one of its services has neither image nor build
 * (Compose would refuse it alone): then it is an overlay for `-f docker-compose.yml -f docker-compose.prod.yml`, its
 * services laid over the main file of its folder.
 * When several variants mount the config, one whose name says prod or production wins, else the nearest, first by name.
 */
function composeVariantService(
  entryPath: string,
  repoRoot: string | undefined,
  origins: OriginFactory,
  imagesBuilt: ImagesBuilt,
): NginxService | null {
  const variants = findComposeVariants(path.dirname(entryPath), repoRoot).filter((file) => repoRoot === undefined || isInside(file, repoRoot));
  const ranked = [...variants.filter(isProductionVariant), ...variants.filter((file) => !isProductionVariant(file))];
  for (const file of ranked) {
    const documents = composeDocuments(file, origins);
    const services = documents.flatMap((document) =>
      document.entries(document.at(document.root, 'services')).map((entry) => ({ document, ...entry })),
    );
    if (services.length === 0) continue;
    // `docker compose` refuses a service with neither image nor build (nor `extends`): a file holding one is an overlay.
    const overlay = services.some(({ document, value }) => ['image', 'build', 'extends'].every((key) => document.at(value, key) === null));
    const overlaid = overlay ? mainComposeFile(path.dirname(file)) : undefined;
    const mainFile = overlaid && (repoRoot === undefined || isInside(overlaid, repoRoot)) ? overlaid : undefined;
    const mainDocuments = mainFile ? composeDocuments(mainFile, origins) : [];
    const baseOf = servicesOf(mainFile, mainDocuments);
    const candidates = services.flatMap(
      ({ document, key, value }) => candidateOf(file, document, key, value, entryPath, repoRoot, origins, imagesBuilt, baseOf(key)) ?? [],
    );
    const mounting = mostSpecificMount(candidates);
    if (mounting) return { ...mounting, composeFiles: mainDocuments.length > 0 ? [file, mainFile!] : [file] };
  }
  return null;
}

/** Start scripts larger than this are not read for the files they render. */
const MAX_SCRIPT_BYTES = 256 * 1024;
/**
 * `envsubst [VARIABLES] < SRC > DEST`, the way entrypoint scripts render nginx configs from templates; also
 * `gotpl SRC > DEST` (wodby's images render Go templates so).
 */
const ENVSUBST_REDIRECT = /\b(?:envsubst\b[^<>|;&\n]*<|gotpl)\s*"?([^\s"';&|<>]+)"?\s*>\s*"?([^\s"';&|]+)"?/g;
/** `cp [-flags] SOURCE DEST` with DEST where nginx reads config, as one command of a script line. */
const COPY_TO_NGINX =
  /(?:^|[;&|]\s*|\b(?:then|do|else)\s+)cp\s+(?:-[a-zA-Z]+\s+)*["']?([^\s"';&|<>]+)["']?\s+["']?(\/etc\/nginx\/[^\s"';&|<>]*|\/usr\/local\/openresty\/nginx\/conf\/[^\s"';&|<>]*)["']?\s*(?=$|[;&|]|\bfi\b)/gm;
/** Folders a `cp` into names without a trailing slash (`cp site.conf /etc/nginx/conf.d`). */
const NGINX_CONFIG_FOLDERS: ReadonlySet<string> = new Set(
  ['', '/conf.d', '/http.d', '/sites-enabled', '/sites-available', '/snippets'].map((folder) => `${IMAGE_CONF_DIR}${folder}`),
);

/** `sed -i 'SCRIPT' DEST` (GNU sed's in-place edit), with the script in single quotes and a literal destination. */
const SED_IN_PLACE = /\bsed\s+-i\s+(?:-e\s+)?'([^']*)'\s+"?(\/[^\s"';&|]+)"?/g;
/** One sed command that deletes the lines a pattern matches: `/RE/d`. */
const SED_DELETE = /^\/((?:\\.|[^\\/])*)\/d$/;
/** One sed command that deletes lines by number: `3d`, `1,3d`. */
const SED_DELETE_NUMBERED = /^(\d+)(?:,(\d+))?d$/;

/**
 * The lines `sed -i '/RE/d; 1,3d; …' destination` deletes after the render, in `script` (the text after the envsubst);
 * empty when a sed command is anything else (its edits cannot be followed) or a pattern cannot be read. A deletion in
 * one branch of an `if` counts as made: the other branch is taken as leaving the file valid too (robot-shop loads the
 * module whose directives it otherwise deletes).
 */
function lineDeletions(script: string, destination: string): LineDeletion[] {
  const deletions: LineDeletion[] = [];
  for (const match of script.matchAll(SED_IN_PLACE)) {
    if (path.posix.normalize(match[2]!) !== path.posix.normalize(destination)) continue;
    for (const command of match[1]!.split(';').map((part) => part.trim())) {
      const numbered = SED_DELETE_NUMBERED.exec(command);
      if (numbered) {
        deletions.push({ from: Number(numbered[1]), to: Number(numbered[2] ?? numbered[1]) });
        continue;
      }
      const pattern = SED_DELETE.exec(command)?.[1];
      const expression = pattern === undefined ? null : basicRegExp(pattern);
      if (!expression) return [];
      deletions.push(expression);
    }
  }
  return deletions;
}

/**
 * A sed basic regular expression as a JavaScript one (`sedRegExp`), when it has no backslash: GNU's escaped operators,
 * groups and back-references are not followed here.
 */
function basicRegExp(pattern: string): RegExp | null {
  return pattern.includes('\\') ? null : sedRegExp(pattern, false);
}

/**
 * What the image's start scripts put where nginx reads: a script copied or mounted into the container that runs
 * `envsubst < /tmp/nginx.conf.template > /etc/nginx/nginx.conf` makes the destination a rendering of the template, so
 * an include of the destination reads the repository's template (rendered as such); one that runs
 * `cp .github/docker/default.conf /etc/nginx/http.d/panel.conf` (pterodactyl's) puts the repository's file there. A
 * relative source is taken from the image's `WORKDIR`, where the script starts. Only literal paths count; a
 * destination computed by the script (`/etc/nginx/conf.d/${name}.conf`) names nothing one to one.
 */
function renderedByScripts(mappings: readonly PathMapping[], boundary: string, image: BuiltImage | null = null): PathMapping[] {
  const rendered: PathMapping[] = [];
  const workdir = image?.workdir ?? '/';
  // The scripts mapped on their own, and the one the image starts with (`ENTRYPOINT ["/bin/ash",
  // ".github/docker/entrypoint.sh"]`, inside a `COPY . ./`), found where its path leads from the WORKDIR.
  const started = [...(image?.entrypoint?.words ?? []), ...(image?.command?.words ?? [])]
    .filter((word) => /\.(sh|bash)$/.test(word) && !word.includes('$'))
    .flatMap((word) => {
      const repo = repoPathOf(mappings, path.posix.resolve(workdir, word));
      return repo === null ? [] : [{ container: path.posix.resolve(workdir, word), repo, origin: image!.origin }];
    });
  const scripts = [...mappings.filter((mapping) => !started.some((script) => script.repo === mapping.repo)), ...started];
  for (const script of scripts) {
    if (!/\.(sh|bash)$/.test(script.repo) || !isInside(script.repo, boundary)) continue;
    let text: string;
    try {
      text = readRegularTextFile(script.repo, MAX_SCRIPT_BYTES);
    } catch {
      continue;
    }
    const joined = withFunctionCallsExpanded(text).text.replace(/\\\r?\n/g, ' ');
    for (const match of joined.matchAll(ENVSUBST_REDIRECT)) {
      const [source, destination] = [match[1]!, match[2]!];
      if (!source.startsWith('/') || !destination.startsWith('/') || source.includes('$') || destination.includes('$')) continue;
      const repo = repoPathOf(mappings, source);
      if (repo === null) continue;
      const deletesLines = lineDeletions(joined.slice(match.index + match[0].length), destination);
      rendered.push({
        container: path.posix.normalize(destination),
        repo,
        origin: `${script.origin} (${match[0].startsWith('gotpl') ? 'gotpl' : 'envsubst'} in ${path.basename(script.repo)})`,
        ...(deletesLines.length > 0 ? { deletesLines } : {}),
      });
    }
    for (const match of joined.matchAll(COPY_TO_NGINX)) {
      const [source, target] = [match[1]!, match[2]!];
      if (/[$*?[]/.test(source + target)) continue;
      const repo = repoPathOf(mappings, path.posix.resolve(workdir, source));
      if (repo === null) continue;
      const intoFolder = target.endsWith('/') || NGINX_CONFIG_FOLDERS.has(path.posix.normalize(target));
      rendered.push({
        container: path.posix.normalize(intoFolder ? path.posix.join(target, path.posix.basename(source)) : target),
        repo,
        origin: `${script.origin} (cp in ${path.basename(script.repo)})`,
        copied: true,
      });
    }
  }
  return rendered;
}

/** What a built image says of its nginx: Debian's package, a distribution's release, a source build, the base it runs on. */
function nginxOfImage(
  built: BuiltImage | null,
): Pick<NginxService, 'debianPackage' | 'nginxPackageImage' | 'nginxSourceBuild' | 'nginxPinnedPackage' | 'builtOn'> {
  if (!built) return {};
  const onOtherImage = !isNginxImage(built.baseImage);
  return {
    ...(built.installsDebianNginx ? { debianPackage: true } : {}),
    ...(built.nginxPackageImage && onOtherImage ? { nginxPackageImage: built.nginxPackageImage } : {}),
    ...(built.nginxSourceBuild ? { nginxSourceBuild: built.nginxSourceBuild } : {}),
    ...(built.nginxPinnedPackage && onOtherImage ? { nginxPinnedPackage: built.nginxPinnedPackage } : {}),
    ...(built.baseImage && onOtherImage ? { builtOn: built.baseImage } : {}),
  };
}

/**
 * Where nginx reads a template a start script renders (wodby/nginx: templates/vhost.conf.tmpl is copied to /etc/gotpl/
 * and rendered to /etc/nginx/conf.d/vhost.conf): there, and its relative includes resolve from there.
 */
function renderedPath(rendered: readonly PathMapping[], entryPath: string): string | undefined {
  return rendered.find((mapping) => mapping.repo === entryPath)?.container;
}

/**
 * An nginx image built from a Dockerfile of the repository that no Compose file names (the image is published and
 * Compose pulls it): the Dockerfile that `COPY`s the config, built FROM an nginx image or installing nginx from the
 * distribution, with its folder as the build
 * context as `docker build` in that folder takes it (so only a Dockerfile in a folder above the config can), the
 * nearest first. Its copies and ENV are the container's view.
 */
function builtByDockerfile(entryPath: string, repoRoot: string): NginxService | null {
  const dockerfiles = dockerfilesAbove(path.dirname(entryPath), repoRoot);
  const origins = new OriginFactory(path.dirname(entryPath));
  for (const dockerfile of dockerfiles) {
    const built = readDockerfileInItsContext(dockerfile, origins, repoRoot);
    if (!built || !(isNginxImage(built.baseImage) || built.installsNginx || built.nginxSourceBuild)) continue;
    const copy = built.copies.find((mapping) => mapsRepoPath(mapping, entryPath));
    if (!copy) continue;
    const rendered = renderedByScripts(built.copies, repoRoot, built);
    return {
      name: path.basename(dockerfile),
      composeFile: built.dockerfile,
      // nginx installed on a distribution image (`FROM debian:12`, `apk add nginx`): the base image's tag is the
      // distribution's, not nginx's version, so no image is named; its stock files (mime.types) are the same.
      image: isNginxImage(built.baseImage) ? built.baseImage : null,
      imageOrigin: built.origin,
      mappings: orderMappings([...built.copies, ...rendered]),
      entryContainerPath: renderedPath(rendered, entryPath) ?? containerPathIn(copy, entryPath),
      mountedFrom: copy.repo,
      ...nginxOfImage(built),
      environment: built.environment,
      ...startCommandOf(built, []),
      dependsOn: [],
      healthchecked: new Set(),
      healthcheckUnknown: new Set(),
    };
  }
  return null;
}

/**
 * The command a container starts with: the Compose service's `entrypoint`, else the image's `ENTRYPOINT`, followed by
 * its `command`, else the image's `CMD` (dropped when Compose sets an `entrypoint`, as Compose drops it), the later
 * of a main file and its overlay winning.
 */
function startCommandOf(built: BuiltImage | null, layers: readonly (BaseService | undefined)[]): Pick<NginxService, 'startCommand'> {
  const written = (key: 'entrypoint' | 'command'): string[] | null => {
    let words: string[] | null = null;
    for (const layer of layers) {
      const node = layer ? layer.document.at(layer.service, key) : null;
      if (layer && node !== null) words = commandWords(layer.document.value(node));
    }
    return words;
  };
  const entrypoint = written('entrypoint');
  const command = written('command') ?? (entrypoint === null ? (built?.command?.words ?? []) : []);
  const words = [...(entrypoint ?? built?.entrypoint?.words ?? []), ...command];
  return words.length > 0 ? { startCommand: { words, workdir: built?.workdir ?? '/' } } : {};
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

/**
 * The repository's files by name, listed once on first use (node_modules and .git left out): exactly one name, or a
 * glob(3) name pattern in a folder named like a container folder.
 */
export type RepositoryIndex = Pick<ContainerView, 'filesNamed' | 'filesMatching' | 'scripts'> & {
  /** The programs the repository's supervisord configs start (src/context/supervisord.ts), read once. */
  readonly supervisedPrograms?: () => readonly SupervisedProgram[];
};

export function repositoryFilesIndex(repoRoot: string): RepositoryIndex {
  let byName: Map<string, string[]> | undefined;
  const index = (): Map<string, string[]> => {
    if (!byName) {
      byName = new Map();
      const files = repositoryFiles(repoRoot, '**/*', MAX_REPOSITORY_FILES);
      for (const file of files) {
        const list = byName.get(path.basename(file));
        if (list) list.push(file);
        else byName.set(path.basename(file), [file]);
      }
    }
    return byName;
  };
  let scripts: RepositoryScripts | undefined;
  let programs: readonly SupervisedProgram[] | undefined;
  return {
    scripts: () => (scripts ??= readRepositoryScripts(repoRoot, [...index().values()].flat())),
    supervisedPrograms: () => (programs ??= readSupervisedPrograms(repoRoot, [...index().values()].flat(), isShellScript)),
    filesNamed: (name) => index().get(name) ?? [],
    filesMatching: (containerDirectory, namePattern) => {
      const isMatch = globNameMatcher(namePattern);
      const folderName = path.posix.basename(containerDirectory);
      const inFolderOfThatName = [...index()]
        .filter(([name]) => isMatch(name))
        .flatMap(([, files]) => files.filter((file) => path.basename(path.dirname(file)) === folderName));
      // A copy of the container's tree (rootfs/etc/nginx/conf.d for /etc/nginx/conf.d): two folders deep at least.
      const tail = containerDirectory.split('/').filter(Boolean);
      const mirrors = (file: string) => {
        const folder = path.relative(repoRoot, path.dirname(file)).split(path.sep);
        return tail.length >= 2 && folder.length >= tail.length && folder.slice(-tail.length).join('/') === tail.join('/');
      };
      return { inFolderOfThatName, inMirror: inFolderOfThatName.filter(mirrors) };
    },
  };
}

/**
 * Where a config that nothing runs sits on the host it was copied from, when its repository path says so: a copy of
 * a host's tree (dokku's `contrib/images/digitalocean/files/etc/nginx/sites-available/digitalocean`, its
 * `docker/usr/local/openresty/nginx/conf/nginx.conf`) is under /etc/nginx or OpenResty's conf prefix, so its relative
 * includes resolve there.
 */
function mirroredConfDir(entryPath: string, repoRoot: string): { mapping: PathMapping } | null {
  const relative = `/${path.relative(repoRoot, entryPath).split(path.sep).join('/')}`;
  for (const confDir of [IMAGE_CONF_DIR, OPENRESTY_CONF_DIR]) {
    const at = relative.lastIndexOf(`${confDir}/`);
    if (at === -1) continue;
    const repo = path.join(repoRoot, ...relative.slice(1, at + confDir.length).split('/'));
    // Copied, not mounted: the package's own files (mime.types, proxy_params) stay beside it.
    return { mapping: { container: confDir, repo, origin: `a copy of ${confDir} in the repository`, copied: true } };
  }
  return null;
}

/**
 * The container view for a config: the nginx service's mounts plus any `pathMap`, the official image's files when
 * the service runs an nginx image (or none is known), and the host's disk only outside any repository.
 */
export function containerViewFor(
  entryPath: string,
  options: {
    repoRoot: string | null;
    pathMap: readonly PathMapping[];
    service: NginxService | null;
    /** The repository's index (`repositoryFilesIndex`), when the caller keeps one per repository for a whole run. */
    repositoryIndex?: RepositoryIndex;
  },
): ContainerView {
  const { service, pathMap, repoRoot } = options;
  const mirror = service === null && repoRoot !== null ? mirroredConfDir(entryPath, repoRoot) : null;
  const mounted = [...pathMap, ...(service?.mappings ?? []), ...(mirror ? [mirror.mapping] : [])];
  const mappings = orderMappings([...mounted, ...(service && isNginxImage(service.image) ? renderedTemplates(mounted, service.environment) : [])]);
  const mount = mappings.find((mapping) => mapsRepoPath(mapping, entryPath));
  const entryContainerPath = service?.entryContainerPath ?? (mount ? containerPathIn(mount, entryPath) : null);
  return {
    mappings,
    entryContainerPath,
    // A custom image may ship other files, but the stock ones come from nginx's own packaging in every image we know.
    imageFiles: service === null || service.image === null || isNginxImage(service.image) || service.nginxInside === true,
    runsInImage: service !== null && isNginxImage(service.image) && !isModSecurityNginxImage(service.image),
    ...(service !== null && (isModSecurityNginxImage(service.image) || service.nginxInside) ? { imageOwnFiles: true } : {}),
    ...(service?.namedVolumes ? { namedVolumes: service.namedVolumes } : {}),
    openRestyFiles:
      (service !== null && isOpenRestyImage(service.image)) || (service === null && (entryContainerPath ?? '').startsWith(`${OPENRESTY_CONF_DIR}/`)),
    // sites-available/sites-enabled is Debian's packaging: a copy of such a host's /etc/nginx has its package's files.
    // So has the host of a config that nothing in the repository runs or places (libretime's installer/nginx site,
    // which its install script copies into a Debian or Ubuntu host's sites-available): its `include proxy_params;`
    // names Debian's file, not one beside it in the repository.
    debianFiles:
      service?.debianPackage === true ||
      (service === null && (entryContainerPath === null || /^\/etc\/nginx\/sites-(available|enabled)\//.test(entryContainerPath))),
    ...(repoRoot !== null ? (options.repositoryIndex ?? repositoryFilesIndex(repoRoot)) : {}),
    hostReadable: repoRoot === null,
    repoRoot,
  };
}

/**
 * The programs started beside nginx, in nginx's own container: those of the repository's supervisord configs when one
 * of them runs nginx (an image that runs nginx and its app under supervisord, as sameersbn/gitlab does), nginx's own
 * program left out; else those the container's start script runs beside the nginx it starts (`nginx` then `exec
 * gunicorn …`, or `gunicorn … &` then `exec nginx -g 'daemon off;'`). None for a container of nginx's official image,
 * which runs nginx alone.
 */
export function programsBesideNginx(
  index: RepositoryIndex | undefined,
  container: ContainerView,
  service: NginxService | null,
): readonly SupervisedProgram[] {
  if (container.runsInImage) return [];
  const supervised = index?.supervisedPrograms?.() ?? [];
  if (supervised.some(runsNginx)) return supervised.filter((program) => !runsNginx(program));
  return service ? programsOfStartScript(service, container) : [];
}

/** The programs the start script of nginx's container runs beside it (`programsStartedBesideNginx`). */
function programsOfStartScript(service: NginxService, container: ContainerView): SupervisedProgram[] {
  const start = service.startCommand;
  const script = start ? unwrapInit(start.words)[0] : undefined;
  if (!start || script === undefined || script.includes('$') || container.repoRoot === null || container.repoRoot === undefined) return [];
  const repo = repoPathOf(container.mappings, path.posix.resolve(start.workdir, script));
  if (repo === null || !isInside(repo, container.repoRoot)) return [];
  let text: string;
  try {
    text = readRegularTextFile(repo, MAX_SCRIPT_BYTES);
  } catch {
    return [];
  }
  if (!isShellScript(repo, text)) return [];
  const name = path.relative(container.repoRoot, repo).split(path.sep).join('/');
  return programsStartedBesideNginx(text, service.environment).map((program) => ({
    name: path.posix.basename(program.words[0]!),
    words: program.words,
    origin: `${name}:${program.line}`,
    file: repo,
  }));
}
