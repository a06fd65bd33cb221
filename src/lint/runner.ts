/**
 * The rule runner: for one entry file, reads it with its includes, builds the model and runs every enabled rule over
 * it (a rule that throws becomes an internal-error finding, not a dead run). Configs, rule settings and service
 * catalogs are resolved once and cached across the entries of a run.
 */
import path from 'node:path';
import type { Directive, SourceFile } from '../syntax/ast.js';
import { argumentCount, argumentValue } from '../syntax/parser.js';
import { loadConfigFor, loadPathMapFor, resolveRulesFor } from '../config/index.js';
import type { LoadOptions, ResolvedConfig, RuleSetting } from '../config/types.js';
import { type BlockContext, checkStatement } from '../nginx/directives.js';
import { satisfies } from '../nginx/version.js';
import { loadProgram, type Program } from '../load/program.js';
import { buildTree, contextPragma } from '../load/tree.js';
import { loadServiceCatalog, type ServiceCatalog } from '../context/index.js';
import { findRepoRoot } from '../context/discovery.js';
import { tagsNginxVersion } from '../context/app-servers.js';
import { FileAccess, grantedOperands } from '../load/file-access.js';
import { dataFile } from '../package-info.js';
import { lazyRequire } from '../lazy-require.js';
import {
  composeHeredocConfigs,
  containerViewFor,
  findNginxService,
  programsBesideNginx,
  repositoryFilesIndex,
  type EmbeddedConfig,
  type NginxService,
  type RepositoryIndex,
} from '../context/nginx-service.js';
import { kubernetesNginx, type KubernetesNginx } from '../context/kubernetes-nginx.js';
import { inHelmChart } from '../context/helm.js';
import { inKustomization } from '../context/kustomize.js';
import type { SupervisedProgram } from '../context/supervisord.js';
import { supervisedServiceFacts } from '../context/supervised-services.js';
import { containerFileReader, containerFolderLister } from '../context/container-files.js';
import { configsNginxReads } from '../context/mounted-configs.js';
import type { ContainerView, PathMapping } from '../load/container-view.js';
import { versionFromDistributionImage, versionFromImageTag, type ImageVersion, type ResolvedNginxVersion } from '../nginx/version.js';
import { buildModel, type Model } from '../model/index.js';
import { INTERNAL, internalFinding, toFinding, type Finding } from './findings.js';
import { RuleRegistry } from './registry.js';
import type { Rule } from './rule.js';

export interface LintOptions {
  readonly cwd: string;
  readonly configFile?: string;
  readonly configLookup?: boolean;
  readonly cliRules?: readonly string[];
  readonly nginxVersion?: string;
  readonly prefix?: string;
  readonly context?: BlockContext;
  readonly followIncludes?: boolean;
  /** Report errors only, and do not run rules that can only warn. */
  readonly quiet?: boolean;
  /** Compute fixed texts (the caller decides whether to write them or print a diff). */
  readonly fix?: boolean;
  /** `--path-map CONTAINER=REPO`: where container paths are in the repository, beside what Compose says. */
  readonly pathMap?: readonly PathMapping[];
  /** The project root (`--root`); default: the nearest folder holding `.git` above each file. */
  readonly root?: string;
  /** Run plugin code that config files name (`--allow-plugins`); without it such plugins are reported and skipped. */
  readonly allowPlugins?: boolean;
  /** Plugin files named on the command line (`--plugin`): loaded whatever --allow-plugins says. */
  readonly plugins?: readonly string[];
  /** Apply unsafe fixes too; without it only fixes marked safe are applied. Suggestions never are. */
  readonly fixUnsafe?: boolean;
  readonly stdin?: { readonly text: string; readonly filename: string };
  readonly baseline?: { readonly file: string; readonly update: boolean };
  /** Print a progress line on stderr when many files are linted. */
  readonly progress?: boolean;
  readonly debug?: boolean;
}

export interface EntryOutcome {
  readonly program: Program;
  readonly findings: Finding[];
  readonly config: ResolvedConfig;
  /** The nginx version the entry was linted for, and where that came from. */
  readonly nginxVersion: ResolvedNginxVersion;
  /** The model the rules read: the language server answers hovers from it. */
  readonly model: Model;
}

/** The contexts tried, in order, for a snippet file with no `--context` and no pragma. */
const INFERRED_CONTEXTS: readonly BlockContext[] = ['main', 'http', 'server', 'location', 'upstream', 'stream'];

/**
 * The context a file without `--context` or pragma is linted in: the first of main, http, server, location, … that
 * accepts every top-level statement — a `conf.d/site.conf` holding `server { }` blocks is then linted in http. Given
 * the program's `includes`, the statements of a file a top-level `include` reads are top-level too: a template
 * fragment holding only `include conf.d/include/block-exploits.conf;` is linted where that file's `if` and `set` are
 * allowed (server), not in main.
 */
export function inferContext(file: SourceFile, includes?: Program['includes']): BlockContext {
  const statements = topLevelStatements(file, includes, new Set([file]));
  const accepts = (context: BlockContext) =>
    statements.every((directive) => {
      const problem = checkStatement({
        name: directive.name,
        context,
        argumentCount: argumentCount(directive),
        argument: (index) => argumentValue(directive, index),
        hasBlock: directive.terminator === '{',
      });
      return problem?.kind !== 'not-allowed-here';
    });
  return INFERRED_CONTEXTS.find(accepts) ?? 'main';
}

/** A file's top-level statements, with those of the files its top-level includes read (each file once). */
function topLevelStatements(file: SourceFile, includes: Program['includes'] | undefined, seen: Set<SourceFile>): Directive[] {
  if (!includes) return file.directives;
  return file.directives.flatMap((directive) => {
    const included = directive.name === 'include' ? (includes.get(directive)?.files ?? []) : [];
    const unseen = included.filter((target) => !seen.has(target));
    for (const target of unseen) seen.add(target);
    return [directive, ...unseen.flatMap((target) => topLevelStatements(target, includes, seen))];
  });
}

function isSnippetContext(value: string): value is BlockContext {
  return (INFERRED_CONTEXTS as readonly string[]).concat(['stream-server', 'mail', 'events', 'if-in-location', 'limit_except']).includes(value);
}

const tinyglobby = lazyRequire<typeof import('tinyglobby')>('tinyglobby');
const NO_RULES: ReadonlySet<string> = new Set();
const FORCED_SETTING: RuleSetting = { severity: 2, options: undefined };

/** Where a config runs: the container's view of its files, and the nginx version its image runs. */
interface Deployment {
  readonly container: ContainerView;
  readonly service: NginxService | null;
  /** The programs supervisord starts in nginx's container (src/context/supervisord.ts), read when first asked. */
  readonly besideNginx: () => readonly SupervisedProgram[];
  readonly environment: Readonly<Record<string, string>>;
  readonly imageVersion: ImageVersion | null;
}

export class Linter {
  readonly registry: RuleRegistry;
  private readonly deployments = new Map<string, Deployment>();
  /** The conf prefix of entries that are not a main config (a snippet linted alone): the nearest nginx.conf's folder. */
  private readonly prefixes = new Map<string, string>();
  private readonly configs = new Map<string, ResolvedConfig>();
  private readonly settings = new Map<string, Map<string, RuleSetting>>();
  private readonly catalogs = new Map<string, ServiceCatalog>();

  /**
   * `files`: texts that replace the disk for every read of this linter, the unsaved buffers of an editor (the
   * language server), also when finding the main config that includes a file.
   */
  constructor(
    private readonly options: LintOptions,
    readonly files: ReadonlyMap<string, string> = new Map(),
  ) {
    this.registry = new RuleRegistry(undefined, options.allowPlugins ?? false);
  }

  async configFor(filePath: string): Promise<ResolvedConfig> {
    const known = this.configs.get(filePath);
    if (known) return known;
    const config = await loadConfigFor(filePath, this.loadOptions(), this.registry);
    this.configs.set(filePath, config);
    return config;
  }

  /**
   * The pathMap of the config for `filePath`, without loading that config's plugins or checking its rules: for main
   * configs read only to find which one includes a file (filesOf), whose configs have no say in the run otherwise.
   */
  private pathMapFor(filePath: string): ResolvedConfig['pathMap'] {
    return this.configs.get(filePath)?.pathMap ?? loadPathMapFor(filePath, this.loadOptions(), this.registry);
  }

  private loadOptions(): LoadOptions {
    return {
      cwd: this.options.cwd,
      explicitConfig: this.options.configFile,
      noLookup: this.options.configLookup === false,
      cliRules: this.options.cliRules,
    };
  }

  /** Compose files, Kubernetes manifests and declared services, read once per directory and config. */
  private servicesFor(
    nginxConfigDir: string,
    config: ResolvedConfig,
    manifests: readonly string[] = [],
    composeFiles?: readonly string[],
  ): ServiceCatalog {
    const key = `${config.filePath ?? ''}\0${nginxConfigDir}\0${manifests.join('\0')}\0${composeFiles?.join('\0') ?? ''}`;
    let catalog = this.catalogs.get(key);
    if (!catalog) {
      // The project root bounds what the repository's deployment files may lead to (a start script, a server's own
      // config file in a folder the Compose file mounts from above its own: `../:/src`).
      const repoRoot = this.rootFor(nginxConfigDir);
      catalog = loadServiceCatalog({
        nginxConfigDir,
        ...(repoRoot !== null ? { repoRoot } : {}),
        ...(composeFiles ? { composeFiles } : {}),
        canRead: (file) => this.accessFor(nginxConfigDir).canRead(file),
        declared: config.services,
        ...(config.filePath ? { declaredOrigin: config.filePath } : {}),
        serviceFiles: config.serviceFiles
          .flatMap((group) =>
            group.patterns.flatMap((pattern) => {
              if (pattern.startsWith('!')) return [`!${path.resolve(group.baseDir, pattern.slice(1))}`];
              const absolute = path.resolve(group.baseDir, pattern);
              // Only the repository's own files: the fixed part of the pattern must stay inside it (docs/security.md).
              const fixedPart = absolute.split(/[*?[{]/)[0]!;
              const access = this.accessFor(nginxConfigDir);
              if (!access.canRead(fixedPart)) {
                this.outsideNotes.add(`serviceFiles pattern ${pattern} reaches outside the repository (${access.root}): not read`);
                return [];
              }
              return [absolute];
            }),
          )
          .concat(manifests.map((manifest) => tinyglobby().escapePath(manifest))),
      });
      this.catalogs.set(key, catalog);
    }
    return catalog;
  }

  /** Rule settings for the file where a finding physically is — overrides match include targets too. */
  settingsFor(config: ResolvedConfig, filePath: string): Map<string, RuleSetting> {
    const key = `${config.filePath ?? ''}\0${filePath}`;
    let settings = this.settings.get(key);
    if (!settings) {
      settings = resolveRulesFor(config, filePath);
      this.settings.set(key, settings);
    }
    return settings;
  }

  /**
   * Lints one entry file with the given file texts overriding the disk. Rules in `alsoRun` run even where the
   * config turns them off; their findings are marked `forced` (the fixer's structural re-check needs them, the
   * report does not).
   */
  async lintEntry(entryPath: string, overlay: ReadonlyMap<string, string>, alsoRun: ReadonlySet<string> = NO_RULES): Promise<EntryOutcome> {
    const config = await this.configFor(entryPath);
    const deployment = this.deploymentFor(entryPath, config.pathMap);
    const prefix = this.options.prefix ?? this.prefixes.get(entryPath);
    const read = this.readAhead.get(entryPath);
    this.readAhead.delete(entryPath);
    const program =
      read !== undefined && read.prefix === prefix && this.options.followIncludes !== false && sameTexts(read.program, overlay, this.files)
        ? read.program
        : loadProgram(entryPath, {
            prefix,
            overlay,
            followIncludes: this.options.followIncludes,
            container: deployment.container,
            templateEnvironment: deployment.environment,
            access: this.accessForEntry(entryPath),
            embedded: this.embedded,
          });
    const pragma = contextPragma(program.entry);
    const rootContext = this.options.context ?? (pragma && isSnippetContext(pragma) ? pragma : inferContext(program.entry, program.includes));
    const tree = buildTree(program, rootContext);
    const nginxVersion = this.options.nginxVersion ?? config.nginxVersion ?? undefined;
    const findings: Finding[] = [];
    // Config held in a manifest: facts are labelled from the manifest's folder, and its manifests describe the services.
    // The image's own nginx.conf lives in the package: its Compose files are those of the repository file it serves.
    const home = this.homes.get(entryPath);
    const services = this.servicesFor(
      home?.directory ?? this.accessDirectories.get(entryPath) ?? path.dirname(entryPath),
      config,
      home?.manifests ?? [],
      // The nginx service of a Compose variant (docker-compose.prod.yml): the app services are that file's too.
      deployment.service?.composeFiles,
    );
    for (const error of services.errors) {
      findings.push(internalFinding(INTERNAL, program.entry, `app-side facts skipped: ${error.message}`, 1));
    }
    const model = buildModel(tree, {
      nginxVersion,
      imageVersion: deployment.imageVersion,
      services,
      composeService: deployment.service,
      programsBesideNginx: deployment.besideNginx,
      servicesBesideNginx: () => {
        // A program's own configuration files (uWSGI's --ini, PHP-FPM's pools) are read where nginx's container has them
        // from the repository.
        const { mappings, repoRoot } = deployment.container;
        const files = repoRoot
          ? {
              readFile: containerFileReader(
                mappings,
                repoRoot,
                (file) => path.relative(repoRoot, file).split(path.sep).join('/'),
                () => deployment.container.scripts?.().editsInPlace ?? [],
              ),
              listFiles: containerFolderLister(mappings, repoRoot),
            }
          : {};
        return deployment.besideNginx().map((program) => supervisedServiceFacts(program, files, deployment.environment));
      },
      modules: config.modules,
    });

    const entrySettings = this.settingsFor(config, entryPath);
    for (const rule of this.registry.all()) {
      const configured = entrySettings.get(rule.meta.id) ?? this.firstEnablingSetting(config, program, rule.meta.id);
      const forced = !configured && alsoRun.has(rule.meta.id);
      const setting = configured ?? (forced ? FORCED_SETTING : undefined);
      if (!setting) continue;
      if (this.options.quiet && setting.severity === 1 && rule.meta.severity === 'warn') continue;
      // A rule about some nginx releases only (meta.nginxVersions) has nothing to say about the others. Checked after
      // the setting, so that only an enabled rule makes the model detect the installed nginx's version.
      if (rule.meta.nginxVersions !== undefined && !satisfies(model.nginxVersion.version, rule.meta.nginxVersions)) continue;
      const before = findings.length;
      this.runRule(rule, setting, model, findings);
      if (forced) for (let index = before; index < findings.length; index++) findings[index] = { ...findings[index]!, forced: true };
    }
    return { program, findings, config, nginxVersion: model.nginxVersion, model };
  }

  /** Things the run should say that are not findings: inputs skipped because they are outside the repository. */
  readonly outsideNotes = new Set<string>();

  /** The project root for files in `directory`: `--root`, else the nearest folder holding `.git`, else none. */
  rootFor(directory: string): string | null {
    return this.options.root !== undefined ? path.resolve(this.options.cwd, this.options.root) : findRepoRoot(directory);
  }

  private readonly granted: string[] = [dataFile('nginx-image')];
  private readonly accesses = new Map<string, FileAccess>();

  /**
   * The files and folders named on the command line (and `--path-map`'s repository sides) may be read even outside
   * the root: the user chose them. Not a name inside a repository that links out of it (file-access.ts).
   */
  grantOperands(operands: readonly string[]): void {
    this.granted.push(...grantedOperands(operands, this.options.cwd, (directory) => this.rootFor(directory)));
    this.granted.push(...(this.options.pathMap ?? []).map((mapping) => mapping.repo));
    this.accesses.clear();
  }

  /** Entries that are not files of the repository (the image's nginx.conf) judged by the repository file they serve. */
  private readonly accessDirectories = new Map<string, string>();

  /** What linting `entryPath` may read and write. */
  accessForEntry(entryPath: string): FileAccess {
    return this.accessFor(this.accessDirectories.get(entryPath) ?? path.dirname(entryPath));
  }

  /** What a run on the files of `directory` may read and write: their project root, or the host mode outside any. */
  accessFor(directory: string): FileAccess {
    const root = this.rootFor(directory);
    const key = root ?? '';
    let access = this.accesses.get(key);
    if (!access) {
      access = new FileAccess(root, this.granted);
      this.accesses.set(key, access);
    }
    return access;
  }

  /** Lints a snippet with `prefix` as its conf prefix, as the main config beside it would resolve its includes. */
  setPrefix(entryPath: string, prefix: string): void {
    this.prefixes.set(entryPath, prefix);
  }

  /**
   * Lints `entryPath` — the nginx image's own nginx.conf — as the main config of the container `service` runs, with the
   * config that applies to `configFrom` (a file of the repository, not the package the image's file comes from).
   */
  async adoptImageEntry(entryPath: string, service: NginxService, configFrom: string): Promise<void> {
    const config = await this.configFor(configFrom);
    this.configs.set(entryPath, config);
    this.accessDirectories.set(entryPath, path.dirname(configFrom));
    // Another service's image entry read ahead has other mounts: read it again.
    this.readAhead.delete(entryPath);
    const home = this.homes.get(configFrom);
    if (home) this.homes.set(entryPath, home);
    this.deployments.set(
      entryPath,
      this.deploymentOf(
        entryPath,
        config.pathMap,
        { ...service, entryContainerPath: '/etc/nginx/nginx.conf' },
        findRepoRoot(path.dirname(configFrom)),
      ),
    );
  }

  /**
   * The files `entryPath` reads, includes followed, in its container's view: to find which main config a file is part
   * of. Of its config only the pathMap is read (the container's view needs it): a main config searched but not linted
   * loads no plugin, and its config adds nothing to the run's notes.
   */
  async filesOf(entryPath: string): Promise<ReadonlySet<string>> {
    const known = this.readAhead.get(entryPath);
    if (known) return known.files;
    const deployment = this.deploymentFor(entryPath, this.pathMapFor(entryPath));
    try {
      const program = loadProgram(entryPath, {
        overlay: this.files,
        container: deployment.container,
        templateEnvironment: deployment.environment,
        prefix: this.options.prefix,
        access: this.accessForEntry(entryPath),
        embedded: this.embedded,
      });
      const files = new Set(program.files.keys());
      this.readAhead.set(entryPath, { program, prefix: this.options.prefix, files });
      return files;
    } catch {
      return new Set();
    }
  }

  /**
   * Programs read while planning the run (filesOf), kept until the entry is linted so that a large config is read and
   * parsed once, not twice; lintEntry takes one only if nothing it reads has changed since (a fix, stdin).
   */
  private readonly readAhead = new Map<
    string,
    { readonly program: Program; readonly prefix: string | undefined; readonly files: ReadonlySet<string> }
  >();

  /** The nginx service that runs this config (Compose), its mounts and image; read once per entry. */
  private deploymentFor(entryPath: string, pathMap: ResolvedConfig['pathMap']): Deployment {
    const known = this.deployments.get(entryPath);
    if (known) return known;
    const repoRoot = this.rootFor(path.dirname(entryPath));
    if (repoRoot === null) {
      this.outsideNotes.add(`${entryPath} is not in a repository: it is read as this machine's own configuration, its includes as nginx reads them`);
    }
    return this.deploymentOf(entryPath, pathMap, this.nginxServiceFor(entryPath, repoRoot), repoRoot);
  }

  /** The nginx container that runs a file: the Kubernetes workload mounting it, or the Compose service. */
  nginxServiceFor(filePath: string, repoRoot: string | null): NginxService | null {
    // A file of a Helm chart may be what a ConfigMap template writes whole, and a file under a kustomization what its
    // configMapGenerator makes a key of: the repository's manifests say.
    if (!this.embedded.has(filePath) && repoRoot !== null && (inHelmChart(filePath, repoRoot) || inKustomization(filePath, repoRoot))) {
      this.kubernetesOf(repoRoot);
    }
    const embedded = this.embedded.get(filePath);
    if (embedded) return embedded.service;
    if (repoRoot === null) return findNginxService(filePath);
    return findNginxService(filePath, repoRoot);
  }

  /** The repository files its nginx containers read as configuration (src/context/mounted-configs.ts), once per run. */
  configsNginxReads(repoRoot: string): readonly string[] {
    let files = this.nginxReads.get(repoRoot);
    if (!files) this.nginxReads.set(repoRoot, (files = configsNginxReads(repoRoot)));
    return files;
  }

  private readonly nginxReads = new Map<string, readonly string[]>();

  /** ConfigMap keys linted as nginx config files, by virtual path (src/context/kubernetes-nginx.ts). */
  private readonly embedded = new Map<string, EmbeddedConfig>();
  /** For entries held in manifests: the folder their facts are labelled from, and the manifests to read services from. */
  private readonly homes = new Map<string, { readonly directory: string; readonly manifests: readonly string[] }>();
  private readonly kubernetes = new Map<string, KubernetesNginx>();
  /** The repository's files and scripts, listed and read once per run (src/context/nginx-service.ts). */
  private readonly repositoryIndexes = new Map<string, RepositoryIndex>();

  /**
   * The nginx configs a YAML file holds or mounts, as virtual paths to lint, and those that cannot be: for a Kubernetes
   * manifest, ConfigMap keys that an nginx container mounts (the ConfigMap and the workload anywhere in the
   * repository); for a Compose file, the files its nginx services write with a here-document.
   */
  embeddedConfigsIn(manifest: string): { readonly paths: readonly string[]; readonly skipped: readonly string[] } {
    const repoRoot = this.rootFor(path.dirname(manifest));
    const root = repoRoot ?? path.dirname(manifest);
    const written = composeHeredocConfigs(manifest, repoRoot ?? undefined);
    for (const config of written) {
      this.embedded.set(config.path, config);
      this.homes.set(config.path, { directory: path.dirname(manifest), manifests: [manifest] });
    }
    const found = this.kubernetesOf(root);
    const paths = (found.byManifest.get(manifest) ?? []).filter((virtualPath) => {
      const config = found.configs.get(virtualPath);
      return config !== undefined && !config.contextOnly && !config.includedOnly;
    });
    paths.push(...written.map((config) => config.path));
    const skipped = found.skipped.filter((entry) => entry.manifest === manifest).map((entry) => entry.reason);
    return { paths, skipped };
  }

  /** The nginx configs of a repository's Kubernetes manifests, read once per run and registered as embedded configs. */
  private kubernetesOf(root: string): KubernetesNginx {
    let found = this.kubernetes.get(root);
    if (!found) {
      found = kubernetesNginx(root);
      this.kubernetes.set(root, found);
      for (const [virtualPath, config] of found.configs) {
        this.embedded.set(virtualPath, config);
        // A file of the repository linted as itself (a chart's file, a kustomization's generator source) is no manifest.
        const manifests = config.manifest === config.path ? [] : [config.manifest];
        this.homes.set(virtualPath, {
          directory: path.dirname(config.manifest),
          manifests: [...new Set([...manifests, config.service.composeFile, ...found.serviceManifests])],
        });
      }
    }
    return found;
  }

  /** The manifest a virtual path's config is written in, or null for an ordinary file. */
  manifestOf(filePath: string): string | null {
    return this.embedded.get(filePath)?.manifest ?? null;
  }

  private deploymentOf(entryPath: string, pathMap: ResolvedConfig['pathMap'], service: NginxService | null, repoRoot: string | null): Deployment {
    let repositoryIndex = repoRoot === null ? undefined : this.repositoryIndexes.get(repoRoot);
    if (repoRoot !== null && !repositoryIndex) this.repositoryIndexes.set(repoRoot, (repositoryIndex = repositoryFilesIndex(repoRoot)));
    const container = containerViewFor(entryPath, {
      repoRoot,
      pathMap: [...(this.options.pathMap ?? []), ...pathMap],
      service,
      ...(repositoryIndex ? { repositoryIndex } : {}),
    });
    // Only nginx's and OpenResty's images are versioned as nginx is: another image's tag (an app's own image with
    // nginx inside, `mediacms/mediacms:latest`; nginx-proxy's `nginxproxy/nginx-proxy:1.5`) is that image's version and
    // says nothing about nginx's. nginx installed from a distribution's packages has the version of its release.
    const tagged = service?.image && tagsNginxVersion(service.image) ? versionFromImageTag(service.image) : null;
    // A pinned package (`nginx=1.31.3-1~noble`) says its release whatever repository it comes from, nginx.org's too.
    const pinned = !tagged ? (service?.nginxPinnedPackage ?? null) : null;
    const packaged = !tagged && !pinned && service?.nginxPackageImage ? versionFromDistributionImage(service.nginxPackageImage) : null;
    const compiled = service?.nginxSourceBuild?.version ? service.nginxSourceBuild : null;
    const imageVersion =
      tagged && service?.image
        ? {
            version: tagged.version,
            origin: `${service.imageOrigin ?? service.composeFile} image ${service.image}${tagged.note ? ` (${tagged.note})` : ''}`,
          }
        : pinned
          ? { version: pinned.version, origin: `${pinned.origin} pinned` }
          : packaged && service?.nginxPackageImage
            ? {
                version: packaged.version,
                origin: `${service.imageOrigin ?? service.composeFile} nginx package of ${packaged.release} (${service.nginxPackageImage})`,
              }
            : compiled?.version
              ? { version: compiled.version, origin: `${compiled.origin} nginx ${compiled.version} built from source` }
              : null;
    // Reading them lists the repository's files: only a rule that needs them (a pass to localhost) does, and only for
    // nginx whose container the repository builds or runs (an image of its own may run supervisord); with nothing
    // known of the container, a loopback pass of a lone config does not search the repository for supervisord.
    const besideNginx = () => (service === null ? [] : programsBesideNginx(repositoryIndex, container, service));
    const deployment = { container, service, besideNginx, imageVersion, environment: service?.environment ?? {} };
    this.deployments.set(entryPath, deployment);
    return deployment;
  }

  private firstEnablingSetting(config: ResolvedConfig, program: Program, ruleId: string): RuleSetting | undefined {
    for (const filePath of program.files.keys()) {
      const setting = this.settingsFor(config, filePath).get(ruleId);
      if (setting) return setting;
    }
    return undefined;
  }

  private runRule(rule: Rule<any>, setting: RuleSetting, model: Model, findings: Finding[]): void {
    const options = { ...(rule.meta.defaultOptions ?? {}), ...((setting.options as object | undefined) ?? {}) };
    const ruleId = rule.meta.id;
    try {
      rule.check({
        model,
        options,
        report: (report) => findings.push(toFinding(rule.meta, setting.severity, report, model.tree)),
      });
    } catch (error) {
      const detail = this.options.debug && error instanceof Error ? `\n${error.stack}` : '';
      findings.push(internalFinding(ruleId, model.tree.program.entry, `rule "${ruleId}" crashed: ${(error as Error).message}${detail}`, 2));
    }
  }
}

/** Whether every file `program` read has, in `overlay`, the text it was read with (`base`: the texts it saw). */
function sameTexts(program: Program, overlay: ReadonlyMap<string, string>, base: ReadonlyMap<string, string>): boolean {
  for (const file of program.files.keys()) if (overlay.get(file) !== base.get(file)) return false;
  return true;
}
