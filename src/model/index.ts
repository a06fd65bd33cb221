/**
 * The model rules read instead of raw text: the assembled configuration tree plus what nginx makes of it, namely
 * effective values after inheritance, version-aware defaults, the upstream blocks and where each `*_pass` sends
 * requests, and the facts known about the applications behind it.
 *
 * Everything is built on first use and indexed, so a rule that asks nothing costs nothing and a query never walks
 * the whole configuration.
 */
import path from 'node:path';
import { lineAt, type SourceFile } from '../syntax/ast.js';
import { readRegularTextFile } from '../files.js';
import type { BlockContext } from '../nginx/directives.js';
import { Inheritance, type EffectiveHeader, type EffectiveValue, type HeaderDirective } from './inheritance.js';
import { PASS_DIRECTIVES, readPass, type ProxyPass } from './passes.js';
import { type ServiceBehind, type ServiceBehindServer, servicesBehindPass, servicesBehindUpstream } from './services-behind.js';
import { indexUpstream, type Upstream, type UpstreamDefaults, upstreamDefaults } from './upstreams.js';
import { VariableValues, type MapDefinition } from './variables.js';
import type { ServiceCatalog, ServiceFacts } from '../context/index.js';
import type { NginxService } from '../context/nginx-service.js';
import type { SupervisedProgram } from '../context/supervisord.js';
import { type ConfigNode, type ConfigTree, walkTree } from '../load/tree.js';
import { resolveNginxVersion, type ImageVersion, type ResolvedNginxVersion } from '../nginx/version.js';

export type { TextRange } from './address.js';
export { KEEPALIVE_BY_DEFAULT_SINCE } from './defaults.js';
export type { EffectiveHeader, EffectiveValue, HeaderDirective, ValueSource } from './inheritance.js';
export type {
  HostTarget,
  InvalidTarget,
  PassModule,
  PassScheme,
  PassTarget,
  ProxyPass,
  UnixTarget,
  UpstreamTarget,
  VariableTarget,
} from './passes.js';
export type { ServiceBehind, ServiceBehindServer } from './services-behind.js';
export type { Upstream, UpstreamCount, UpstreamKeepalive, UpstreamServer, UpstreamTime, UpstreamZone } from './upstreams.js';
export { isIpAddress, variableDestinations } from './variable-destinations.js';
export { retryPolicyOf, type RetryPolicy } from './retries.js';
export type { MapDefinition } from './variables.js';
export type { AddressSource, VariableDestination } from './variable-destinations.js';

export interface ModelOptions {
  /** `nginxVersion` of the linter config or `--nginx-version` (`host`: ask the installed nginx). */
  readonly nginxVersion?: string;
  /** The Compose service that runs this config, when one does: its dependencies and their health checks. */
  readonly composeService?: NginxService | null;
  /** The programs supervisord starts in nginx's own container (src/context/supervisord.ts), read on first use. */
  readonly programsBesideNginx?: () => readonly SupervisedProgram[];
  /**
   * The service facts of those programs (src/context/supervised-services.ts), read on first use: what a pass to a
   * loopback address of nginx's container reaches.
   */
  readonly servicesBesideNginx?: () => readonly ServiceFacts[];
  /** The version the tag of the nginx image running this config stands for, used when none is configured. */
  readonly imageVersion?: ImageVersion | null;
  readonly services?: ServiceCatalog | null;
  /** The dynamic modules nginx loads (config `modules`); null: the configuration's `load_module` lines say. */
  readonly modules?: readonly string[] | null;
  /** How to find the installed nginx's version for `host`; defaults to running `nginx -v` (see version.ts). */
  readonly detectNginxVersion?: () => string | null;
}

export interface Model {
  readonly tree: ConfigTree;
  /**
   * The nginx version findings assume. Without a configured version, the first read runs `nginx -v` (once per
   * process) and falls back to DEFAULT_NGINX_VERSION; `explicit` is false then.
   */
  readonly nginxVersion: ResolvedNginxVersion;
  /** Facts about the applications behind nginx, when the run found any. */
  readonly services: ServiceCatalog | null;
  /** The dynamic modules the config's `modules` key says nginx loads, or null when it says nothing. */
  readonly configuredModules: readonly string[] | null;
  /** The http `upstream` blocks by name as written; the first block wins where nginx would reject a duplicate. */
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Every `proxy_pass`, `fastcgi_pass`, `uwsgi_pass`, `scgi_pass` and `grpc_pass` of the http context, in source order. */
  readonly proxyPasses: readonly ProxyPass[];
  /**
   * Every statement with this name, in source order, includes spliced in. Lines of `map`, `geo`, `types` and other
   * bodies that hold no directives are left out; reach them through their block's `children`.
   */
  nodes(name: string): readonly ConfigNode[];
  /** Visits every node depth-first in source order. */
  walk(visit: (node: ConfigNode) => void): void;
  /** The nearest block around `node` (not `node` itself) that opens one of these contexts, or null. */
  enclosing(node: ConfigNode, contexts: readonly BlockContext[]): ConfigNode | null;
  /**
   * The value of `name` in effect at `scope` (a block, or a statement inside one) after nginx's inheritance: see
   * model/inheritance.ts for the rules, including array directives and `add_header_inherit`.
   */
  effective(scope: ConfigNode, name: string): EffectiveValue;
  /**
   * One header or parameter of a `proxy_set_header`-like directive in effect at `scope`, including nginx's built-in
   * proxy headers (`Host $proxy_host`, `Connection close` before nginx 1.29.7, …) where no statement sets it.
   */
  effectiveHeader(scope: ConfigNode, directive: HeaderDirective, header: string): EffectiveHeader;
  /** The `upstream` block with this name, compared ignoring case as nginx does; null when there is none. */
  upstreamNamed(name: string): Upstream | null;
  /** What a `*_pass` statement targets; null for other statements and for passes outside the http context. */
  proxyPassOf(node: ConfigNode): ProxyPass | null;
  /**
   * The services the catalog knows at the addresses a `*_pass` connects to: its own host and port, or each server
   * of its upstream block, `down` servers included (they get no requests; most rules leave them out). Empty without
   * a catalog.
   */
  servicesBehind(pass: ProxyPass): readonly ServiceBehind[];
  /** The same for an `upstream` block's servers, whether or not a `*_pass` names the block. */
  servicesBehindUpstream(upstream: Upstream): readonly ServiceBehindServer[];
  /**
   * Whether the statement stands at one place in the configuration: false for one in a file that several `include`s
   * read, where a fix that edits it would change every place at once.
   */
  appearsOnce(statement: ConfigNode): boolean;
  /**
   * Where a statement is, for messages that point at another line: `conf.d/upstreams.conf:4`. The path is relative
   * to the entry file's directory, as the labels of service facts are, so both read the same in one message.
   */
  where(node: ConfigNode): string;
  /** The `map` block that defines `$variable` (name without `$`), or null when none does. */
  mapOf(variable: string): MapDefinition | null;
  /**
   * The values `$variable` (name without `$`) may hold where `node` stands: every `set` of it in the same server and
   * every value of a `map` that defines it. Empty when nothing the configuration read defines it.
   */
  valuesOfVariable(variable: string, node: ConfigNode): readonly string[];
  /** The Compose service that runs this config (found by its volumes or Dockerfile), or null. */
  readonly composeService: NginxService | null;
  /**
   * The processes supervisord starts beside nginx, in its container (sameersbn/gitlab's gitlab-pages and
   * gitlab-workhorse): what they listen on is reached at localhost.
   */
  readonly programsBesideNginx: readonly SupervisedProgram[];
  /**
   * A file of the deployment (a Compose file, a manifest) as a source findings can point into: its text with no
   * nginx statements, never fixed. Null when it cannot be read.
   */
  deploymentFile(filePath: string): SourceFile | null;
}

/** Where the http `*_pass` directives may stand; `proxy_pass` in a stream server is another module's directive. */
const HTTP_PASS_CONTEXTS: ReadonlySet<BlockContext> = new Set(['location', 'if-in-location', 'limit_except']);
const PASS_NAMES: ReadonlySet<string> = new Set(PASS_DIRECTIVES);

interface NodeIndex {
  readonly byName: ReadonlyMap<string, readonly ConfigNode[]>;
  /** Kept apart because concatenating the per-name lists would lose the order between modules. */
  readonly passNodes: readonly ConfigNode[];
}

interface UpstreamIndex {
  readonly byName: ReadonlyMap<string, Upstream>;
  /** nginx compares upstream names ignoring case. */
  readonly byLowerName: ReadonlyMap<string, Upstream>;
}

interface PassIndex {
  readonly list: readonly ProxyPass[];
  readonly byNode: ReadonlyMap<ConfigNode, ProxyPass>;
}

class ConfigModel implements Model {
  readonly services: ServiceCatalog | null;
  readonly composeService: NginxService | null;
  private readonly besideNginx: () => readonly SupervisedProgram[];
  private readonly servicesBeside: () => readonly ServiceFacts[];
  private readonly deploymentFiles = new Map<string, SourceFile | null>();
  /** `where`'s file paths, relative to the entry file's directory. */
  private readonly relativePaths = new Map<string, string>();
  readonly configuredModules: readonly string[] | null;
  private readonly inheritance: Inheritance;
  private readonly resolvedVersion: ResolvedNginxVersion;
  private nodeIndex: NodeIndex | undefined;
  private upstreamIndex: UpstreamIndex | undefined;
  private passIndex: PassIndex | undefined;
  private variableValues: VariableValues | undefined;

  constructor(
    readonly tree: ConfigTree,
    options: ModelOptions,
  ) {
    this.services = options.services ?? null;
    this.composeService = options.composeService ?? null;
    this.besideNginx = readOnce(options.programsBesideNginx);
    this.servicesBeside = readOnce(options.servicesBesideNginx);
    this.configuredModules = options.modules ?? null;
    // Checked now, so a malformed configured version fails the run before any rule, not inside one.
    this.resolvedVersion = resolveNginxVersion(options.nginxVersion, options.imageVersion ?? null, options.detectNginxVersion);
    this.inheritance = new Inheritance(
      tree,
      (name) => this.nodes(name),
      () => this.nginxVersion.version,
    );
  }

  deploymentFile(filePath: string): SourceFile | null {
    if (!this.deploymentFiles.has(filePath)) {
      let file: SourceFile | null = null;
      try {
        const text = readRegularTextFile(filePath);
        file = { path: filePath, text, directives: [], comments: [], errors: [], eol: text.includes('\r\n') ? '\r\n' : '\n', virtual: true };
      } catch {
        file = null;
      }
      this.deploymentFiles.set(filePath, file);
    }
    return this.deploymentFiles.get(filePath)!;
  }

  mapOf(variable: string): MapDefinition | null {
    return this.variables().mapOf(variable);
  }

  valuesOfVariable(variable: string, node: ConfigNode): readonly string[] {
    return this.variables().valuesOf(variable, node);
  }

  get programsBesideNginx(): readonly SupervisedProgram[] {
    return this.besideNginx();
  }

  get nginxVersion(): ResolvedNginxVersion {
    return this.resolvedVersion;
  }

  get upstreams(): ReadonlyMap<string, Upstream> {
    return this.upstreamsByName().byName;
  }

  get proxyPasses(): readonly ProxyPass[] {
    return this.passes().list;
  }

  nodes(name: string): readonly ConfigNode[] {
    return this.index().byName.get(name) ?? [];
  }

  walk(visit: (node: ConfigNode) => void): void {
    walkTree(this.tree.roots, visit);
  }

  enclosing(node: ConfigNode, contexts: readonly BlockContext[]): ConfigNode | null {
    for (let ancestor = node.parent; ancestor; ancestor = ancestor.parent) {
      if (ancestor.blockContext !== null && contexts.includes(ancestor.blockContext)) return ancestor;
    }
    return null;
  }

  effective(scope: ConfigNode, name: string): EffectiveValue {
    return this.inheritance.effective(scope, name);
  }

  effectiveHeader(scope: ConfigNode, directive: HeaderDirective, header: string): EffectiveHeader {
    return this.inheritance.effectiveHeader(scope, directive, header);
  }

  upstreamNamed(name: string): Upstream | null {
    return this.upstreamsByName().byLowerName.get(name.toLowerCase()) ?? null;
  }

  proxyPassOf(node: ConfigNode): ProxyPass | null {
    return this.passes().byNode.get(node) ?? null;
  }

  servicesBehind(pass: ProxyPass): readonly ServiceBehind[] {
    return servicesBehindPass(pass, this.services, this.servicesBeside, this);
  }

  servicesBehindUpstream(upstream: Upstream): readonly ServiceBehindServer[] {
    return servicesBehindUpstream(upstream, this.services, this.servicesBeside);
  }

  appearsOnce(statement: ConfigNode): boolean {
    // Each inclusion of a file makes its own nodes around the one parsed directive.
    return this.nodes(statement.directive.name).filter((node) => node.directive === statement.directive).length === 1;
  }

  where(node: ConfigNode): string {
    const { file, start } = node.directive;
    // Messages name the same few files again and again (each finding of a large configuration, several times).
    let relative = this.relativePaths.get(file.path);
    if (relative === undefined) {
      relative = path.relative(path.dirname(this.tree.program.entry.path), file.path).split(path.sep).join('/');
      this.relativePaths.set(file.path, relative);
    }
    return `${relative}:${lineAt(file, start)}`;
  }

  private index(): NodeIndex {
    if (!this.nodeIndex) {
      const byName = new Map<string, ConfigNode[]>();
      const passNodes: ConfigNode[] = [];
      this.walk((node) => {
        if (node.context === null) return;
        const name = node.directive.name;
        const list = byName.get(name);
        if (list) list.push(node);
        else byName.set(name, [node]);
        if (PASS_NAMES.has(name) && HTTP_PASS_CONTEXTS.has(node.context)) passNodes.push(node);
      });
      this.nodeIndex = { byName, passNodes };
    }
    return this.nodeIndex;
  }

  private upstreamsByName(): UpstreamIndex {
    if (!this.upstreamIndex) {
      const byName = new Map<string, Upstream>();
      const byLowerName = new Map<string, Upstream>();
      let defaults: UpstreamDefaults | undefined;
      for (const node of this.nodes('upstream')) {
        if (node.blockContext !== 'upstream') continue;
        defaults ??= upstreamDefaults(() => this.nginxVersion.version);
        const upstream = indexUpstream(node, defaults);
        const lowerName = upstream.name.toLowerCase();
        if (byLowerName.has(lowerName)) continue;
        byName.set(upstream.name, upstream);
        byLowerName.set(lowerName, upstream);
      }
      this.upstreamIndex = { byName, byLowerName };
    }
    return this.upstreamIndex;
  }

  private passes(): PassIndex {
    if (!this.passIndex) {
      const list: ProxyPass[] = [];
      const byNode = new Map<ConfigNode, ProxyPass>();
      const context = {
        levelOf: (node: ConfigNode) => this.inheritance.levelOf(node),
        upstreamNamed: (name: string) => this.upstreamNamed(name),
        resolverAt: (node: ConfigNode) => this.effective(node, 'resolver'),
        variableValues: (variable: string, node: ConfigNode) => this.valuesOfVariable(variable, node),
      };
      for (const node of this.index().passNodes) {
        const pass = readPass(node, context);
        if (!pass) continue;
        list.push(pass);
        byNode.set(node, pass);
      }
      this.passIndex = { list, byNode };
    }
    return this.passIndex;
  }

  private variables(): VariableValues {
    this.variableValues ??= new VariableValues(this.nodes('set'), this.nodes('map'), (node) => this.enclosing(node, ['server']));
    return this.variableValues;
  }
}

/** A list read from the repository on first use and kept; empty when there is nothing to read. */
function readOnce<Item>(read: (() => readonly Item[]) | undefined): () => readonly Item[] {
  let items: readonly Item[] | undefined;
  return () => (items ??= read ? read() : []);
}

export function buildModel(tree: ConfigTree, options: ModelOptions = {}): Model {
  return new ConfigModel(tree, options);
}
