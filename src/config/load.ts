import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { PresetName } from './types.js';
import { findRepoRoot, isInside, readRegularTextFile } from '../files.js';
import { ConfigError, describeSchemaErrors, type ConfigProblem } from './errors.js';
import { readJsonFile } from './json-file.js';
import { locateProblems } from './json-locate.js';
import { checkCliRule, checkRuleEntries, globGroup, parseCliRule, presetLayer, unsafeGlob } from './rules.js';
import type {
  ConfigFileContents,
  GlobGroup,
  LoadOptions,
  PluginReference,
  ResolvedConfig,
  RuleLayer,
  RuleRegistryView,
  ServiceConfig,
} from './types.js';
import { validateConfig } from './validate-config.generated.js';

export const CONFIG_FILE_NAME = '.nginx-lint.json';
const PRESET_PREFIX = 'nginx-lint:';

/** A config file that parsed and passed the schema. */
interface ConfigDocument {
  readonly path: string;
  readonly contents: ConfigFileContents;
}

/** What `extends` flattens to, in the order it applies. */
type ChainLink = { readonly preset: PresetName } | { readonly document: ConfigDocument };

interface ConfigLoader {
  readonly config: (filePath: string) => Promise<ResolvedConfig>;
  readonly pathMap: (filePath: string) => ResolvedConfig['pathMap'];
}

/** One loader per registry (a registry lives for one run) and per distinct options. */
const loadersByRegistry = new WeakMap<RuleRegistryView, Map<string, ConfigLoader>>();

/**
 * The configuration for a linted file. Without `explicitConfig`, the nearest `.nginx-lint.json` from the file's
 * directory upward applies, stopping at the repository root (a directory holding `.git`); no cascade. With none
 * found, or with `noLookup`, the `nginx-lint:recommended` preset applies. Lookups are cached per directory and
 * configs per file for as long as `registry` lives. Rejects with ConfigError for anything the user has to fix.
 */
export async function loadConfigFor(filePath: string, options: LoadOptions, registry: RuleRegistryView): Promise<ResolvedConfig> {
  return loaderFor(options, registry).config(filePath);
}

/**
 * Only the `pathMap` of the configuration for a file, as `loadConfigFor` would give it: the config files along
 * `extends` are read and checked against the schema (a ConfigError as there), but no plugin is loaded and no rule
 * setting checked. For main configs that are only searched for the file they include, not linted: their plugins must
 * neither run nor be noted, yet their includes resolve in the container's view, which the pathMap is part of.
 */
export function loadPathMapFor(filePath: string, options: LoadOptions, registry: RuleRegistryView): ResolvedConfig['pathMap'] {
  return loaderFor(options, registry).pathMap(filePath);
}

function loaderFor(options: LoadOptions, registry: RuleRegistryView): ConfigLoader {
  let loaders = loadersByRegistry.get(registry);
  if (!loaders) {
    loaders = new Map();
    loadersByRegistry.set(registry, loaders);
  }
  const key = JSON.stringify([options.cwd, options.explicitConfig ?? null, options.noLookup ?? false, options.cliRules ?? []]);
  let loader = loaders.get(key);
  if (!loader) {
    loader = createConfigLoader(options, registry);
    loaders.set(key, loader);
  }
  return loader;
}

function createConfigLoader(options: LoadOptions, registry: RuleRegistryView): ConfigLoader {
  const cliRules = (options.cliRules ?? []).map(parseCliRule);
  const configPathByDirectory = new Map<string, string | null>();
  const documentsByPath = new Map<string, ConfigDocument>();
  // Keyed by config path; null stands for the built-in defaults. Promises, so concurrent callers share one load.
  const resolvedByConfigPath = new Map<string | null, Promise<ResolvedConfig>>();

  const displayPath = (path: string): string => {
    const fromCwd = relative(options.cwd, path);
    return fromCwd.startsWith('..') || isAbsolute(fromCwd) ? path : fromCwd;
  };

  function findConfigFile(startDirectory: string): string | null {
    const visited: string[] = [];
    let directory = startDirectory;
    let found: string | null = null;
    for (;;) {
      const cached = configPathByDirectory.get(directory);
      if (cached !== undefined) {
        found = cached;
        break;
      }
      visited.push(directory);
      const candidate = join(directory, CONFIG_FILE_NAME);
      if (existsSync(candidate)) {
        found = candidate;
        break;
      }
      const parent = dirname(directory);
      if (parent === directory || existsSync(join(directory, '.git'))) break;
      directory = parent;
    }
    for (const path of visited) configPathByDirectory.set(path, found);
    return found;
  }

  function readDocument(path: string): ConfigDocument {
    const cached = documentsByPath.get(path);
    if (cached) return cached;
    const contents = readJsonFile(path, displayPath(path));
    if (!validateConfig(contents)) {
      throw new ConfigError(displayPath(path), locateProblems(readRegularTextFile(path), describeSchemaErrors(validateConfig.errors ?? [])));
    }
    const document = { path, contents };
    documentsByPath.set(path, document);
    return document;
  }

  /** The presets and documents `path` builds on, then the document itself. `extending` detects cycles. */
  function readChain(path: string, extending: readonly string[]): ChainLink[] {
    const document = readDocument(path);
    const declared = document.contents.extends;
    const entries = declared === undefined ? [] : Array.isArray(declared) ? declared : [declared];
    const chain: ChainLink[] = [];
    entries.forEach((entry, index) => {
      if (entry.startsWith(PRESET_PREFIX)) {
        // The schema admits only known presets after the prefix.
        chain.push({ preset: entry.slice(PRESET_PREFIX.length) as PresetName });
        return;
      }
      const pointer = Array.isArray(declared) ? `/extends/${index}` : '/extends';
      const target = resolve(dirname(path), entry);
      const fail = (message: string) => new ConfigError(displayPath(path), [{ pointer, message }]);
      if (target === path || extending.includes(target)) {
        const cycle = [...extending, path, target].map(displayPath).join(' → ');
        throw fail(`extends itself: ${cycle}`);
      }
      if (!existsSync(target)) throw fail(`cannot find ${JSON.stringify(entry)} (looked for ${displayPath(target)})`);
      // A repository's config may only build on files of the same repository: anything else is not its to read.
      const root = findRepoRoot(dirname(path));
      if (root !== null && !isInside(target, root)) throw fail(`extends a file outside the repository (${root}): not read`);
      chain.push(...readChain(target, [...extending, path]));
    });
    chain.push({ document });
    return chain;
  }

  async function resolveConfig(configPath: string | null): Promise<ResolvedConfig> {
    const chain: ChainLink[] = configPath === null ? [{ preset: 'recommended' }] : readChain(configPath, []);
    // A config that only declares services or overrides must not silently switch every rule off: without
    // `extends`, the recommended preset applies underneath it (`"extends": []` opts out).
    if (configPath !== null && readDocument(configPath).contents.extends === undefined) chain.unshift({ preset: 'recommended' });
    const presets = chain.flatMap((link) => ('preset' in link ? [link.preset] : []));
    const documents = chain.flatMap((link) => ('document' in link ? [link.document] : []));

    const plugins = pluginReferences(documents);
    // Plugin rules must be known before rule ids are checked.
    if (plugins.length > 0) await registry.loadPlugins(plugins);

    const ruleLayers: RuleLayer[] = presets.map((preset) => presetLayer(preset, registry));
    const overrideLayers: RuleLayer[] = [];
    for (const { path, contents } of documents) {
      const problems: ConfigProblem[] = [];
      ruleLayers.push({ files: null, rules: checkRuleEntries(contents.rules ?? {}, '/rules', registry, problems) });
      // Checked before anything compiles or walks with them: a pattern must not be able to stall the run.
      const checkGlobs = (patterns: readonly string[] | undefined, pointer: string) =>
        patterns?.forEach((pattern, index) => {
          const unsafe = unsafeGlob(pattern);
          if (unsafe !== null) problems.push({ pointer: `${pointer}/${index}`, message: unsafe });
        });
      checkGlobs(contents.ignores, '/ignores');
      checkGlobs(contents.serviceFiles, '/serviceFiles');
      contents.overrides?.forEach((override, index) => checkGlobs(override.files, `/overrides/${index}/files`));
      contents.overrides?.forEach((override, index) => {
        const rules = checkRuleEntries(override.rules ?? {}, `/overrides/${index}/rules`, registry, problems);
        overrideLayers.push({ files: globGroup(dirname(path), override.files), rules });
      });
      if (problems.length > 0) throw new ConfigError(displayPath(path), locateProblems(readRegularTextFile(path), problems));
    }
    ruleLayers.push(...overrideLayers);
    for (const rule of cliRules) checkCliRule(rule, registry);
    ruleLayers.push({ files: null, rules: new Map(cliRules.map((rule) => [rule.ruleId, rule.entry])) });

    const globGroupsOf = (key: 'ignores' | 'serviceFiles'): GlobGroup[] =>
      documents.flatMap(({ path, contents }) => (contents[key] ? [globGroup(dirname(path), contents[key])] : []));
    const services: Record<string, ServiceConfig> = {};
    for (const { contents } of documents) Object.assign(services, contents.services);

    return {
      filePath: configPath,
      extends: chain.flatMap((link) => {
        if ('preset' in link) return [PRESET_PREFIX + link.preset];
        return link.document.path === configPath ? [] : [link.document.path];
      }),
      ruleLayers,
      ignores: globGroupsOf('ignores'),
      nginxVersion: documents.findLast((document) => document.contents.nginxVersion)?.contents.nginxVersion ?? null,
      modules: documents.findLast((document) => document.contents.modules)?.contents.modules ?? null,
      plugins,
      services,
      serviceFiles: globGroupsOf('serviceFiles'),
      pathMap: pathMapOf(documents),
      requireSuppressionReason: presets.includes('strict'),
    };
  }

  function configPathFor(filePath: string): string | null {
    if (options.explicitConfig !== undefined) return resolve(options.cwd, options.explicitConfig);
    if (options.noLookup) return null;
    return findConfigFile(dirname(resolve(options.cwd, filePath)));
  }

  const pathMapByConfigPath = new Map<string | null, ResolvedConfig['pathMap']>();

  return {
    config: (filePath) => {
      const configPath = configPathFor(filePath);
      let resolved = resolvedByConfigPath.get(configPath);
      if (!resolved) {
        resolved = resolveConfig(configPath);
        resolvedByConfigPath.set(configPath, resolved);
      }
      return resolved;
    },
    pathMap: (filePath) => {
      const configPath = configPathFor(filePath);
      let pathMap = pathMapByConfigPath.get(configPath);
      if (!pathMap) {
        // The documents resolveConfig reads, in the same order: presets hold no pathMap.
        const chain = configPath === null ? [] : readChain(configPath, []);
        pathMap = pathMapOf(chain.flatMap((link) => ('document' in link ? [link.document] : [])));
        pathMapByConfigPath.set(configPath, pathMap);
      }
      return pathMap;
    },
  };
}

/** Container path → repository path from every config of the chain, in the order they apply, with the file named. */
function pathMapOf(documents: readonly ConfigDocument[]): ResolvedConfig['pathMap'] {
  return documents.flatMap(({ path, contents }) =>
    Object.entries(contents.pathMap ?? {}).map(([container, repo]) => ({
      container,
      repo: resolve(dirname(path), repo),
      origin: `${path} pathMap`,
    })),
  );
}

/** Plugins named along the chain, each once; paths resolve from the naming config's directory. */
function pluginReferences(documents: readonly ConfigDocument[]): PluginReference[] {
  const byKey = new Map<string, PluginReference>();
  for (const { path: configFile, contents } of documents) {
    for (const specifier of contents.plugins ?? []) {
      const isPath = specifier.startsWith('.') || isAbsolute(specifier);
      const path = isPath ? resolve(dirname(configFile), specifier) : null;
      const key = path ?? specifier;
      if (!byKey.has(key)) byKey.set(key, { specifier, configFile, path });
    }
  }
  return [...byKey.values()];
}
