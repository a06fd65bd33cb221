/**
 * The rules a run knows: the built-in ones, plus those of plugins a config names — and only then, because loading
 * a plugin runs its code.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { builtinRules } from '../../rules/index.js';
import type { PluginReference, RuleMetaView, RuleRegistryView } from '../config/types.js';
import type { Rule } from './rule.js';
import { findRepoRoot, isInside } from '../files.js';
import { type RuleDocs, ruleDocsUrl } from './results.js';
import { importModule } from '../import-module.js';

/** A plugin module exports its rules: `export const rules = [defineRule(...), ...]` (or as `default.rules`). */
interface PluginModule {
  readonly rules?: readonly Rule<any>[];
  readonly default?: { readonly rules?: readonly Rule<any>[] };
}

export class PluginError extends Error {
  override name = 'ConfigError';
}

export class RuleRegistry implements RuleRegistryView {
  private readonly rules = new Map<string, Rule<any>>();
  private readonly builtinIds: ReadonlySet<string>;
  private readonly loadedPlugins = new Set<string>();
  /** Plugins a config named that were not loaded, for the run's notes. */
  readonly withheld: string[] = [];

  /**
   * `allowPlugins`: run plugin code that a config file names. Off by default, because the config is part of the
   * repository being checked — a pull request could name any JavaScript file (docs/security.md).
   */
  constructor(
    rules: readonly Rule<any>[] = builtinRules,
    private readonly allowPlugins = false,
  ) {
    for (const rule of rules) this.rules.set(rule.meta.id, rule);
    this.builtinIds = new Set(this.rules.keys());
  }

  ids(): readonly string[] {
    return [...this.rules.keys()];
  }

  meta(id: string): RuleMetaView | undefined {
    return this.rules.get(id)?.meta;
  }

  get(id: string): Rule<any> | undefined {
    return this.rules.get(id);
  }

  all(): Rule<any>[] {
    return [...this.rules.values()];
  }

  docs(id: string): RuleDocs | undefined {
    const rule = this.rules.get(id);
    if (!rule) return undefined;
    const { meta } = rule;
    const url = meta.url ?? (this.builtinIds.has(id) ? ruleDocsUrl(id) : null);
    return { id, description: meta.description, category: meta.category, severity: meta.severity, fixable: meta.fixable, url };
  }

  get pluginsWithheld(): boolean {
    return this.withheld.length > 0;
  }

  async loadPlugins(plugins: readonly PluginReference[]): Promise<void> {
    if (!this.allowPlugins) {
      for (const plugin of plugins) {
        // Already loaded because the command line named it (--plugin).
        if (plugin.path !== null && this.loadedPlugins.has(plugin.path)) continue;
        const note = `plugin ${plugin.specifier} not loaded: pass --allow-plugins to run code from this repository (named in ${plugin.configFile})`;
        if (!this.withheld.includes(note)) this.withheld.push(note);
      }
      return;
    }
    for (const plugin of plugins) {
      const location = plugin.path ?? resolvePackage(plugin);
      // Even allowed, a plugin a repository's config names must be the repository's own file or an installed package.
      const root = findRepoRoot(path.dirname(plugin.configFile));
      if (plugin.path && root !== null && !isInside(plugin.path, root)) {
        throw new PluginError(`${plugin.configFile}: plugin "${plugin.specifier}" is outside the repository (${root}): not loaded`);
      }
      await this.importPlugin(plugin, location);
    }
  }

  /**
   * Plugins named on the command line (`--plugin FILE`): the user's own choice, so loaded without --allow-plugins
   * and from wherever they are.
   */
  async loadCommandLinePlugins(specifiers: readonly string[], cwd: string): Promise<void> {
    for (const specifier of specifiers) {
      const absolute = path.resolve(cwd, specifier);
      await this.importPlugin({ specifier, configFile: '--plugin', path: absolute }, absolute);
    }
  }

  private async importPlugin(plugin: PluginReference, location: string): Promise<void> {
    if (this.loadedPlugins.has(location)) return;
    this.loadedPlugins.add(location);
    let module: PluginModule;
    try {
      module = (await importModule(pathToFileURL(location).href)) as PluginModule;
    } catch (error) {
      throw new PluginError(`${plugin.configFile}: plugin "${plugin.specifier}" failed to load: ${(error as Error).message}`);
    }
    const rules = module.rules ?? module.default?.rules;
    if (!Array.isArray(rules)) {
      throw new PluginError(`${plugin.configFile}: plugin "${plugin.specifier}" exports no \`rules\` array`);
    }
    for (const rule of rules as Rule<any>[]) {
      const id = rule?.meta?.id;
      if (typeof id !== 'string' || typeof rule.check !== 'function') {
        throw new PluginError(`${plugin.configFile}: plugin "${plugin.specifier}" has a rule without meta.id or check()`);
      }
      if (this.rules.has(id)) throw new PluginError(`${plugin.configFile}: plugin "${plugin.specifier}" redefines rule "${id}"`);
      this.rules.set(id, rule);
    }
  }
}

function resolvePackage(plugin: PluginReference): string {
  try {
    return createRequire(plugin.configFile).resolve(plugin.specifier);
  } catch {
    throw new PluginError(`${plugin.configFile}: plugin package "${plugin.specifier}" is not installed (npm install it beside the config)`);
  }
}
