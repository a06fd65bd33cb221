/**
 * Effective values: what a directive is at a point of the configuration once nginx has merged every level
 * (http → server → location → nested location, `if` and `limit_except`), as each module's merge function does.
 *
 * The common rule, single-valued and array directives alike: the nearest level that sets the directive at all
 * supplies the whole value, and nothing above it counts. For array directives this is the trap nginx documents as
 * "inherited from the previous configuration level if and only if there are no … directives defined on the current
 * level": one `proxy_set_header` in a location drops every `proxy_set_header` of the server. The exceptions are
 * listed below with the nginx code that makes them.
 *
 * The statements of a name are grouped by the level they stand in the first time a query asks for that name, so a
 * query costs a few map lookups per enclosing level, and the index holds only statements of names rules ask about.
 */
import type { BlockContext } from '../nginx/directives.js';
import { getDirective } from '../nginx/directives.js';
import { argumentValues } from '../syntax/parser.js';
import type { ConfigNode, ConfigTree } from '../load/tree.js';
import { builtInProxyHeaders, versionedDefaultOf } from './defaults.js';

export type ValueSource = 'here' | 'inherited' | 'default';

export interface EffectiveValue {
  /** The statements that supply the value, in nginx's order; empty when the default applies. */
  readonly nodes: readonly ConfigNode[];
  /** The arguments of each statement, as nginx sees them (quotes removed). */
  readonly values: readonly (readonly string[])[];
  /** `here`: set at the queried level itself; `inherited`: set at an enclosing level; `default`: set nowhere. */
  readonly source: ValueSource;
  /** The default for this nginx version, as the directive table spells it (see versionedDefaultOf). */
  readonly default: string | null;
}

/** Directives that name a header or parameter in their first argument and give its value in the second. */
export type HeaderDirective = 'proxy_set_header' | 'grpc_set_header' | 'add_header' | 'add_trailer' | 'fastcgi_param' | 'uwsgi_param' | 'scgi_param';

export interface EffectiveHeader {
  /** The statement that sets it; null when nginx's built-in value applies or nothing sets it. */
  readonly node: ConfigNode | null;
  /**
   * The value as written, variables unexpanded. `''` means nginx sends no such header. Null when nothing sets it:
   * for `proxy_set_header` the client's own header then passes through.
   */
  readonly value: string | null;
  readonly source: ValueSource;
}

/**
 * A block whose statements form one inheritance level, or null for the statements outside every block (the top
 * of the entry file, in the tree's root context).
 */
type Level = ConfigNode | null;

/** Levels that start afresh: http, stream and mail do not inherit from main, nor an upstream from http. */
const INHERITANCE_ROOTS: ReadonlySet<BlockContext> = new Set(['events', 'http', 'mail', 'stream', 'upstream', 'stream-upstream']);

/**
 * `if` and `limit_except` blocks are locations without a name (`clcf->noname`). They are the only levels that take
 * over the enclosing location's content handler.
 */
const NONAME_CONTEXTS: ReadonlySet<BlockContext> = new Set(['if-in-server', 'if-in-location', 'limit_except']);

/**
 * Content handlers: the `*_merge_loc_conf` functions copy the upstream only `if (clcf->noname && …)`, so an `if` or
 * `limit_except` block proxies like its location, but a nested location does not inherit `proxy_pass`.
 */
const CONTENT_HANDLERS: ReadonlySet<string> = new Set(['proxy_pass', 'fastcgi_pass', 'uwsgi_pass', 'scgi_pass', 'grpc_pass', 'memcached_pass']);

/**
 * Directives that act only where they are written: the rewrite module's script (`set`, `return`, `rewrite`, `if`,
 * `break` run in the phase of their own block), `try_files` (not merged by the core module), and the blocks.
 */
const LEVEL_LOCAL: ReadonlySet<string> = new Set(['set', 'return', 'rewrite', 'break', 'if', 'try_files', 'location', 'limit_except', 'include']);

/**
 * Directives that share one setting, so one of them at a level replaces all of them: `allow` and `deny` fill the
 * same rule list (ngx_http_access_merge_loc_conf), `root` and `alias` the same path (ngx_http_core_merge_loc_conf).
 */
const SETTING_NAMES: ReadonlyMap<string, readonly string[]> = new Map([
  ['allow|deny', ['allow', 'deny']],
  ['root|alias', ['root', 'alias']],
]);

const SHARED_SETTINGS: ReadonlyMap<string, string> = new Map(
  [...SETTING_NAMES].flatMap(([setting, names]) => names.map((name) => [name, setting] as const)),
);

/**
 * `add_header_inherit` / `add_trailer_inherit` (nginx 1.29.3): `off` inherits nothing, `merge` appends the
 * enclosing level's list to the level's own (ngx_http_headers_merge_conf); `on`, the default, is the common rule.
 */
const INHERIT_MODE_DIRECTIVES: ReadonlyMap<string, string> = new Map([
  ['add_header', 'add_header_inherit'],
  ['add_trailer', 'add_trailer_inherit'],
]);

/** FastCGI, uwsgi and SCGI parameters are CGI variable names, matched exactly; HTTP header names ignore case. */
const PARAMETER_DIRECTIVES: ReadonlySet<HeaderDirective> = new Set(['fastcgi_param', 'uwsgi_param', 'scgi_param']);

const NO_STATEMENTS: readonly ConfigNode[] = Object.freeze([]);
const NO_VALUES: readonly (readonly string[])[] = Object.freeze([]);

/** Where a directive may not stand, so a level there takes its default from the level around it. */
const NOT_ALLOWED = Symbol('not allowed here');

function settingOf(name: string): string {
  return SHARED_SETTINGS.get(name) ?? name;
}

function headerNameKey(directive: HeaderDirective, name: string): string {
  return PARAMETER_DIRECTIVES.has(directive) ? name : name.toLowerCase();
}

/**
 * A class rather than an object literal: V8 starts allocating a literal's objects straight into the old generation
 * once most of them outlive a collection (the model keeps each pass's `resolver`), and then the short-lived values
 * the rules ask for by the hundred thousand pile up there as garbage (measured: 60 MB more peak memory on 1M lines).
 */
class Effective implements EffectiveValue {
  readonly nodes: readonly ConfigNode[];
  readonly values: readonly (readonly string[])[];
  readonly source: ValueSource;
  readonly default: string | null;

  constructor(nodes: readonly ConfigNode[], source: ValueSource, defaultValue: string | null) {
    this.nodes = nodes;
    // Most queries find nothing set: they share one empty list.
    this.values = nodes.length === 0 ? NO_VALUES : nodes.map((node) => argumentValues(node.directive));
    this.source = source;
    this.default = defaultValue;
  }
}

/** A header or parameter statement: the name as compared (headerNameKey), the statement, its value as written. */
class HeaderEntry {
  constructor(
    readonly key: string,
    readonly node: ConfigNode,
    readonly value: string,
  ) {}
}

/**
 * What every `effective` query of one name needs, looked up once for the name instead of on each query (a large
 * configuration asks each of a dozen names for each of its 33,000 locations).
 */
class NameFacts {
  /** The statements of the name or its shared setting by level; made on the first query that needs them. */
  statements: ReadonlyMap<Level, readonly ConfigNode[]> | undefined;
  /** Whether the name is `add_header`/`add_trailer`, merged under `*_inherit` (headerList). */
  readonly inheritMode: boolean;
  /** Whether the name acts only at its own level (LEVEL_LOCAL). */
  readonly levelLocal: boolean;
  /** Whether the name is a content handler (CONTENT_HANDLERS). */
  readonly contentHandler: boolean;
  /**
   * By context: the default there, or NOT_ALLOWED. The version is fixed for the model's life, so each is computed
   * once.
   */
  readonly defaults = new Map<BlockContext, string | null | typeof NOT_ALLOWED>();
  /**
   * The answer where no statement supplies the value, by default: the same for every such query, and shared (its
   * lists are the frozen empty ones), so the queries that find nothing make no object.
   */
  readonly unset = new Map<string | null, Effective>();

  constructor(name: string) {
    this.inheritMode = INHERIT_MODE_DIRECTIVES.has(name);
    this.levelLocal = LEVEL_LOCAL.has(name);
    this.contentHandler = CONTENT_HANDLERS.has(name);
  }
}

export class Inheritance {
  /** For each name or shared setting queried so far, its statements by the level they stand in, in source order. */
  private readonly statementsByName = new Map<string, Map<Level, readonly ConfigNode[]>>();
  /** For each name queried so far through `effective`. */
  private readonly facts = new Map<string, NameFacts>();
  /** By statement list (a level's statements of one header directive), the headers they set, in order. */
  private readonly headerEntries = new Map<readonly ConfigNode[], readonly HeaderEntry[]>();
  /** nginx's built-in proxy headers by lowercase name, for the model's nginx version. */
  private builtInHeaders: ReadonlyMap<string, string> | undefined;

  constructor(
    private readonly tree: ConfigTree,
    /** Every statement with this name, in source order (the model's index). */
    private readonly nodesNamed: (name: string) => readonly ConfigNode[],
    /** The nginx version, asked for only when a version-dependent default is needed. */
    private readonly version: () => string,
  ) {}

  /** The level a node belongs to: the node itself when it opens a directive block, else its nearest such block. */
  levelOf(node: ConfigNode | null): Level {
    for (let current = node; current; current = current.parent) {
      if (current.blockContext !== null) return current;
    }
    return null;
  }

  effective(scope: ConfigNode, name: string): EffectiveValue {
    let facts = this.facts.get(name);
    if (!facts) this.facts.set(name, (facts = new NameFacts(name)));
    const start = this.levelOf(scope);
    const nodes = facts.inheritMode ? this.headerList(start, name) : this.nearestSettingOf(start, name, facts);
    const defaultValue = this.defaultIn(start, name, facts.defaults);
    if (nodes.length === 0) {
      let unset = facts.unset.get(defaultValue);
      if (!unset) facts.unset.set(defaultValue, (unset = new Effective(NO_STATEMENTS, 'default', defaultValue)));
      return unset;
    }
    return new Effective(nodes, this.sourceOf(start, nodes), defaultValue);
  }

  /** nearestSetting, with the facts of the name at hand: the same levels, in the same order. */
  private nearestSettingOf(start: Level, name: string, facts: NameFacts): readonly ConfigNode[] {
    const statements = (facts.statements ??= this.statementsByLevel(settingOf(name)));
    if (statements.size === 0) return NO_STATEMENTS;
    for (let level: Level | undefined = start; level !== undefined;) {
      const nodes = statements.get(level);
      if (nodes) return nodes;
      // As inheritedFrom decides, with the name's facts read once.
      if (facts.levelLocal) return NO_STATEMENTS;
      if (facts.contentHandler && level !== null && !NONAME_CONTEXTS.has(level.blockContext!)) return NO_STATEMENTS;
      level = this.enclosingLevel(level);
    }
    return NO_STATEMENTS;
  }

  effectiveHeader(scope: ConfigNode, directive: HeaderDirective, header: string): EffectiveHeader {
    const start = this.levelOf(scope);
    const wanted = headerNameKey(directive, header);
    // nginx sends every matching statement; the first is the one a backend reading a single value sees.
    const set = this.headersOf(this.supplying(start, directive), directive).find((entry) => entry.key === wanted);
    if (set) return { node: set.node, value: set.value, source: this.levelOf(set.node.parent) === start ? 'here' : 'inherited' };
    if (directive === 'proxy_set_header') {
      this.builtInHeaders ??= new Map(builtInProxyHeaders(this.version()).map((builtIn) => [builtIn.name.toLowerCase(), builtIn.value]));
      const value = this.builtInHeaders.get(wanted);
      if (value !== undefined) return { node: null, value, source: 'default' };
    }
    return { node: null, value: null, source: 'default' };
  }

  /**
   * The header each statement of a list sets, read once per list: every rule asks the same locations for Upgrade,
   * Connection and Host, and reading a statement's arguments makes new strings each time. A level's list is the same
   * array for every query, so it is the key; merged `add_header` lists are made per query and are read directly.
   */
  private headersOf(statements: readonly ConfigNode[], directive: HeaderDirective): readonly HeaderEntry[] {
    const cached = this.headerEntries.get(statements);
    if (cached) return cached;
    const entries = statements.map((node) => {
      const [name, value] = argumentValues(node.directive);
      return new HeaderEntry(headerNameKey(directive, name ?? ''), node, value ?? '');
    });
    if (!INHERIT_MODE_DIRECTIVES.has(directive)) this.headerEntries.set(statements, entries);
    return entries;
  }

  /** The statements that make up the effective value at `start`. */
  private supplying(start: Level, name: string): readonly ConfigNode[] {
    return INHERIT_MODE_DIRECTIVES.has(name) ? this.headerList(start, name) : this.nearestSetting(start, name);
  }

  /** The statements of the first level, from `start` outwards, that sets the directive or its shared setting. */
  private nearestSetting(start: Level, name: string): readonly ConfigNode[] {
    const statements = this.statementsByLevel(settingOf(name));
    if (statements.size === 0) return NO_STATEMENTS;
    for (let level: Level | undefined = start; level !== undefined; level = this.inheritedFrom(level, name)) {
      const nodes = statements.get(level);
      if (nodes) return nodes;
    }
    return NO_STATEMENTS;
  }

  /** `add_header`/`add_trailer` after nginx's merge, honouring `add_header_inherit` at each level. */
  private headerList(level: Level, name: string): readonly ConfigNode[] {
    const own = this.statementsByLevel(name).get(level) ?? NO_STATEMENTS;
    const parent = this.inheritedFrom(level, name);
    if (parent === undefined) return own;
    const mode = this.nearestSetting(level, INHERIT_MODE_DIRECTIVES.get(name)!)[0]?.directive.args[0]?.value ?? 'on';
    if (mode === 'off') return own;
    if (own.length === 0) return this.headerList(parent, name);
    return mode === 'merge' ? [...own, ...this.headerList(parent, name)] : own;
  }

  /** The level `level` inherits `name` from, or undefined when it inherits nothing. */
  private inheritedFrom(level: Level, name: string): Level | undefined {
    if (LEVEL_LOCAL.has(name)) return undefined;
    if (CONTENT_HANDLERS.has(name) && level !== null && !NONAME_CONTEXTS.has(level.blockContext!)) return undefined;
    return this.enclosingLevel(level);
  }

  /** The level around `level` in the configuration, or undefined at an inheritance root. */
  private enclosingLevel(level: Level): Level | undefined {
    if (level === null || INHERITANCE_ROOTS.has(level.blockContext!)) return undefined;
    return this.levelOf(level.parent);
  }

  private sourceOf(start: Level, nodes: readonly ConfigNode[]): ValueSource {
    if (nodes.length === 0) return 'default';
    // The level a statement stands in; for a block statement, the level around it rather than the one it opens.
    return nodes.some((node) => this.levelOf(node.parent) === start) ? 'here' : 'inherited';
  }

  /**
   * The default that applies at `start`: that of the nearest enclosing context where the directive is allowed, since
   * a block where it may not stand (an `if`, say) has the value of the level around it.
   */
  private defaultIn(start: Level, name: string, byContext: Map<BlockContext, string | null | typeof NOT_ALLOWED>): string | null {
    for (let level: Level | undefined = start; level !== undefined; level = this.enclosingLevel(level)) {
      const context = level === null ? this.tree.rootContext : level.blockContext!;
      let value = byContext.get(context);
      if (value === undefined) {
        const allowed = getDirective(name).some((spec) => spec.contexts.includes(context));
        value = allowed ? versionedDefaultOf(name, context, this.version) : NOT_ALLOWED;
        byContext.set(context, value);
      }
      if (value !== NOT_ALLOWED) return value;
    }
    return null;
  }

  /**
   * The statements of a name or shared setting by the level they stand in (includes spliced in, in source order);
   * a level without any has no entry.
   */
  private statementsByLevel(nameOrSetting: string): ReadonlyMap<Level, readonly ConfigNode[]> {
    let byLevel = this.statementsByName.get(nameOrSetting);
    if (!byLevel) {
      byLevel = this.groupByLevel(nameOrSetting);
      this.statementsByName.set(nameOrSetting, byLevel);
    }
    return byLevel;
  }

  private groupByLevel(nameOrSetting: string): Map<Level, readonly ConfigNode[]> {
    const byLevel = new Map<Level, ConfigNode[]>();
    const names = SETTING_NAMES.get(nameOrSetting) ?? [nameOrSetting];
    let grown = false;
    for (const name of names) {
      // A statement's level is the block it stands in: every block that holds statements opens a level. Statements
      // of one level mostly come one after the other (three proxy_set_header in a location): the last list is
      // reused without a lookup.
      let lastLevel: Level | undefined;
      let lastList: ConfigNode[] | undefined;
      for (const node of this.nodesNamed(name)) {
        if (lastList && node.parent === lastLevel) {
          lastList.push(node);
          grown = true;
          continue;
        }
        lastLevel = node.parent;
        lastList = byLevel.get(lastLevel);
        if (lastList) {
          lastList.push(node);
          grown = true;
        } else byLevel.set(lastLevel, (lastList = [node]));
      }
    }
    // Most names stand once per level: every list is then a one-element literal, exactly the size it needs.
    if (names.length === 1 && !grown) return byLevel;
    for (const [level, nodes] of byLevel) {
      if (names.length > 1) {
        // Collected one name after the other; nginx fills the shared setting in source order.
        byLevel.set(
          level,
          (level === null ? this.tree.roots : level.children).filter((node) => names.includes(node.directive.name)),
        );
      } else if (nodes.length > 1) {
        // A copy holds exactly the statements; the array they were pushed to keeps room for more.
        byLevel.set(level, nodes.slice());
      }
    }
    return byLevel;
  }
}
