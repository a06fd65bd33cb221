/**
 * Directives of dynamic modules that are not loaded. nginx knows a module's directives only after its
 * `load_module` line, so without it nginx says `unknown directive`; the linter says which module and which line
 * would load it: the file that holds the module (src/nginx/modules.ts), which for nginx's stream and mail modules
 * and njs's core modules is not named after it. A module loaded before one it needs is reported at its line.
 *
 * Which modules are loaded: the config's `modules` key and the configuration's own `load_module` lines.
 * A configuration with neither says nothing about modules (a distribution's nginx.conf usually loads them from
 * files outside the repository), so nothing is reported then.
 */
import { type ConfigNode, walkTree } from '../../load/tree.js';
import { getDirective, type DirectiveSpec } from '../../nginx/directives.js';
import { dynamicModuleById, dynamicModuleOf, dynamicModuleOfFile, type DynamicModule } from '../../nginx/modules.js';
import type { Model } from '../index.js';
import type { Reporter } from './types.js';

/** `modules/ngx_http_lua_module.so` → `ngx_http_lua_module.so`. */
function fileName(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

/**
 * What the configuration loads. A `load_module` file is matched to the module table (src/nginx/modules.ts) by its
 * file name, so `ngx_stream_module.so` loads every `ngx_stream_*` module of nginx's stream subsystem; a file the table
 * does not know counts for the module of the same name.
 */
class LoadedModules {
  private readonly modules = new Set<DynamicModule>();
  private readonly otherNames = new Set<string>();

  /** A `load_module` argument, or an entry of the `modules` setting (a file name, or any module the file holds). */
  add(entry: string, isFile: boolean): void {
    const module = isFile
      ? dynamicModuleOfFile(entry)
      : (dynamicModuleOfFile(entry.endsWith('.so') ? entry : `${entry}.so`) ?? dynamicModuleOf(entry));
    if (module) this.modules.add(module);
    else this.otherNames.add(fileName(entry).replace(/\.so$/, ''));
  }

  has(ngxModule: string): boolean {
    const module = dynamicModuleOf(ngxModule);
    return module ? this.modules.has(module) : this.otherNames.has(ngxModule);
  }

  hasModule(module: DynamicModule): boolean {
    return this.modules.has(module);
  }

  /**
   * nginx's stream and mail subsystems are built in by nginx.org's packages and the official image, and dynamic in
   * Debian's, Ubuntu's, Alpine's and Fedora's, which build both alike. Only a configuration that loads one of them
   * shows that its nginx is of the second kind.
   */
  get subsystemsDynamic(): boolean {
    for (const module of this.modules) if (isBuiltInOfficially(module)) return true;
    return false;
  }
}

function isBuiltInOfficially(module: DynamicModule): boolean {
  return module.source === 'nginx' && module.officialImage === 'built-in';
}

/** Whether the module is a `load_module` file on this configuration's nginx. */
function isDynamicModule(module: DynamicModule, loaded: LoadedModules): boolean {
  return !isBuiltInOfficially(module) || loaded.subsystemsDynamic;
}

function isDynamic(spec: DirectiveSpec, loaded: LoadedModules, thirdPartyCompiledIn: boolean): boolean {
  if (spec.source === 'reference-lib') return false;
  // nginx compiled with modules added statically (`--add-module=…/ngx_brotli`): which third-party module that is, is
  // not known, so none is said to need its load_module line.
  if (thirdPartyCompiledIn && spec.source !== 'nginx') return false;
  const module = dynamicModuleOf(spec.module);
  if (spec.source === 'nginx') return module !== undefined && isDynamicModule(module, loaded);
  return true;
}

function hasReportedAncestor(node: ConfigNode, reported: ReadonlySet<ConfigNode>): boolean {
  for (let parent = node.parent; parent; parent = parent.parent) if (reported.has(parent)) return true;
  return false;
}

/**
 * `add` is called for every statement during the one walk of the tree (semantics/index.ts) and keeps the
 * `load_module` lines; `finish` walks the tree again, only when some module is loaded, for the directives of modules
 * that are not.
 */
export class ModuleChecks {
  private readonly loadLines: ConfigNode[] = [];

  constructor(
    private readonly model: Model,
    private readonly reporter: Reporter,
    private readonly rejected: ReadonlySet<ConfigNode>,
  ) {}

  add(node: ConfigNode): void {
    if (node.directive.name === 'load_module' && node.context === 'main') this.loadLines.push(node);
  }

  finish(): void {
    const { reporter, rejected } = this;
    const configured = this.model.configuredModules;
    if (configured === null && this.loadLines.length === 0) return;
    const loaded = new LoadedModules();
    for (const entry of configured ?? []) loaded.add(entry, false);
    for (const line of this.loadLines) {
      const file = line.directive.args[0]?.value;
      if (file) loaded.add(file, true);
    }
    this.checkLoadOrder(loaded);
    const thirdPartyCompiledIn = this.model.composeService?.nginxSourceBuild?.addedModules.some((module) => !module.dynamic) ?? false;
    // nginx stops at the first unknown directive: what is inside a block it did not know is not reported again.
    const reported = new Set<ConfigNode>();
    walkTree(this.model.tree.roots, (node) => {
      if (node.context === null || rejected.has(node)) return;
      const specs = getDirective(node.directive.name).filter((spec) => spec.contexts.includes(node.context!) && spec.args !== null);
      if (specs.length === 0 || !specs.every((spec) => isDynamic(spec, loaded, thirdPartyCompiledIn))) return;
      if (specs.some((spec) => loaded.has(spec.module))) return;
      if (hasReportedAncestor(node, reported)) return;
      reported.add(node);
      const name = specs[0]!.module;
      const module = dynamicModuleOf(name);
      const file = module?.loadModule ?? `modules/${name}.so`;
      const needs = (module?.needs ?? [])
        .map((id) => dynamicModuleById(id)!)
        .filter((need) => !loaded.hasModule(need) && isDynamicModule(need, loaded));
      const lines = [...needs.map((need) => need.loadModule), file].map((path) => `load_module ${path};`);
      const holder = fileName(file) === `${name}.so` ? name : `${name} (in ${fileName(file)})`;
      reporter.report({
        ruleId: 'module-not-loaded',
        node,
        token: node.directive.nameToken,
        message: `unknown directive "${node.directive.name}"`,
        hint: `it is a directive of ${holder}, which is not loaded; add ${lines.join(' ')} at the top of the main configuration`,
      });
    });
  }

  /**
   * A module built on another (lua and set-misc on the NDK, stream sub-modules on the stream core where that is a
   * file too) fails to load unless that one is loaded first: `dlopen() "…/ngx_http_lua_module.so" failed (…: undefined
   * symbol: ndk_set_var_value)`, at its own `load_module` line.
   */
  private checkLoadOrder(loaded: LoadedModules): void {
    const before = new Set<DynamicModule>();
    for (const line of this.loadLines) {
      const argument = line.directive.args[0];
      const module = argument ? dynamicModuleOfFile(argument.value) : undefined;
      if (!argument || !module) continue;
      const missing = (module.needs ?? []).map((id) => dynamicModuleById(id)!).filter((need) => !before.has(need) && isDynamicModule(need, loaded));
      before.add(module);
      if (missing.length === 0) continue;
      const names = missing.map((need) => fileName(need.loadModule));
      this.reporter.report({
        ruleId: 'module-not-loaded',
        node: line,
        token: argument,
        message: `dlopen() "${argument.value}" failed`,
        hint: `${fileName(module.loadModule)} needs ${names.join(' and ')} loaded before it; add ${missing.map((need) => `load_module ${need.loadModule};`).join(' ')} above this line`,
      });
    }
  }
}
