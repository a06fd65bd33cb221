/** 1 warning, 2 error: ESLint's numbers, as the JSON output carries them. */
export type Severity = 1 | 2;
export type SeverityName = 'off' | 'warn' | 'error';
export type RuleCategory = 'reliability' | 'correctness' | 'security' | 'performance' | 'style';
export type PresetName = 'recommended' | 'strict';

/** A rule setting as written: a severity, `[severity]` or `[severity, options]`. */
export type RuleEntryInput = SeverityName | [SeverityName] | [SeverityName, unknown];

/** What the application behind a `proxy_pass` needs, as written; src/services reads and converts it. */
export interface ServiceConfig {
  readonly hosts?: string[];
  /** 3000, or "3000", "3000-3005", "53/udp". */
  readonly port?: number | string;
  readonly ports?: (number | string)[];
  /** A duration such as "2.5s", "800ms" or "1m 30s". */
  readonly p99?: string;
  readonly keepAliveTimeout?: string;
  /** Bytes, or nginx's syntax such as "12k". */
  readonly maxResponseHeaderSize?: number | string;
  /** A duration: the time between two instances' restarts in a rolling restart. */
  readonly restartInterval?: string;
}

/** The contents of a `.nginx-lint.json` that passed schema validation. Mirrors schema.json. */
export interface ConfigFileContents {
  readonly $schema?: string;
  readonly extends?: string | string[];
  readonly rules?: Record<string, RuleEntryInput>;
  readonly overrides?: { readonly files: string[]; readonly rules?: Record<string, RuleEntryInput> }[];
  readonly ignores?: string[];
  readonly nginxVersion?: string;
  readonly modules?: string[];
  readonly plugins?: string[];
  readonly services?: Record<string, ServiceConfig>;
  readonly serviceFiles?: string[];
  readonly pathMap?: Record<string, string>;
}

/** A rule setting after normalization. `options` is absent when the entry gave none (an earlier setting's options then stay). */
export interface RuleEntry {
  readonly severity: SeverityName;
  readonly options?: unknown;
}

/** The setting a rule runs with for one file; rules that are off are left out. */
export interface RuleSetting {
  readonly severity: Severity;
  readonly options: unknown;
}

export interface RuleMetaView {
  /** The presets that enable this rule; `strict` also enables every `recommended` rule. */
  readonly presets: readonly PresetName[];
  /** The severity a preset enables the rule with. */
  readonly severity: Exclude<SeverityName, 'off'>;
  /** JSON Schema of the rule's options; a rule without one accepts no options. */
  readonly schema?: object;
}

/** A plugin named by a config file. Loading it is the registry's job. */
export interface PluginReference {
  /** As written in the config. */
  readonly specifier: string;
  /** The config file naming it: resolve package names from its directory. */
  readonly configFile: string;
  /** Absolute path when the specifier is a path (starts with `.` or `/`), otherwise null (an npm package name). */
  readonly path: string | null;
}

/** What the config loader needs from the rule registry. */
export interface RuleRegistryView {
  ids(): readonly string[];
  meta(id: string): RuleMetaView | undefined;
  /**
   * Makes the rules of these plugins known to `ids()` and `meta()`. Called before a config naming plugins is
   * checked, and only then, so no plugin code loads unless a config names it. Must tolerate plugins it already loaded.
   */
  loadPlugins(plugins: readonly PluginReference[]): Promise<void>;
  /**
   * Whether plugins were named but not loaded (no `--allow-plugins`): the rules they would have defined are then
   * unknown, and settings of unknown rules are passed over instead of stopping the run.
   */
  readonly pluginsWithheld?: boolean;
}

export interface LoadOptions {
  /** `--config FILE`: this file applies to every linted file and lookup is off. Relative to `cwd`. */
  readonly explicitConfig?: string;
  /** `--no-config-lookup`: without `explicitConfig`, the built-in defaults apply. */
  readonly noLookup?: boolean;
  /** `--rule` values, applied after everything else, in order. */
  readonly cliRules?: readonly string[];
  /** Resolves `explicitConfig`; config paths in messages are shown relative to it. */
  readonly cwd: string;
}

/** Globs together with the directory they are relative to (that of the config file declaring them). */
export interface GlobGroup {
  readonly baseDir: string;
  readonly patterns: readonly string[];
  /** Whether an absolute path matches one of the patterns. */
  matches(filePath: string): boolean;
}

/** Rule settings that apply to the files `files` matches, or to every file when `files` is null. */
export interface RuleLayer {
  readonly files: GlobGroup | null;
  readonly rules: ReadonlyMap<string, RuleEntry>;
}

/** The configuration in effect for a file, with `extends` flattened. */
export interface ResolvedConfig {
  /** Absolute path of the config file, or null when none applies and the defaults are used. */
  readonly filePath: string | null;
  /** The presets and config files `extends` pulled in, in the order they apply. */
  readonly extends: readonly string[];
  /** Rule settings in the order `resolveRulesFor` applies them: presets, rules, overrides, `--rule`. */
  readonly ruleLayers: readonly RuleLayer[];
  readonly ignores: readonly GlobGroup[];
  readonly nginxVersion: string | null;
  /** The dynamic modules nginx loads (`modules`), or null when the configuration's `load_module` lines say. */
  readonly modules: readonly string[] | null;
  readonly plugins: readonly PluginReference[];
  /** Services by name; a config's entry replaces one of the same name from a config it extends. */
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly serviceFiles: readonly GlobGroup[];
  /** Container path → absolute repository path, from every config in the chain (later ones win), with the file named. */
  readonly pathMap: readonly { readonly container: string; readonly repo: string; readonly origin: string }[];
  /** Suppression comments must give a `-- reason` (set by the strict preset). */
  readonly requireSuppressionReason: boolean;
}
