/**
 * Directives of dynamic modules that are not loaded. nginx knows a module's directives only after its
 * `load_module` line, so without it nginx says `unknown directive`; the linter says which module and which line
 * would load it.
 *
 * Which modules are loaded: the config's `modules` key when set, else the configuration's own `load_module` lines.
 * A configuration with neither says nothing about modules (a distribution's nginx.conf usually loads them from
 * files outside the repository), so nothing is reported then.
 */
import path from 'node:path';
import { type ConfigNode, walkTree } from '../../load/tree.js';
import { getDirective, type DirectiveSpec } from '../../nginx/directives.js';
import type { Model } from '../index.js';
import type { Reporter } from './types.js';

/** nginx's own modules that distributions build as dynamic modules (Debian, the official image's packages). */
const NGINX_DYNAMIC_MODULES: ReadonlySet<string> = new Set([
  'ngx_http_image_filter_module',
  'ngx_http_xslt_filter_module',
  'ngx_http_perl_module',
  'ngx_http_geoip_module',
  'ngx_stream_geoip_module',
]);

/** Modules that need another loaded first (lua and set-misc are built on the NDK). */
const NEEDS: Readonly<Record<string, string>> = {
  ngx_http_lua_module: 'ndk_http_module',
  ngx_http_set_misc_module: 'ndk_http_module',
};

function isDynamic(spec: DirectiveSpec): boolean {
  if (spec.source === 'reference-lib') return false;
  if (spec.source === 'nginx') return NGINX_DYNAMIC_MODULES.has(spec.module);
  return true;
}

/** `modules/ngx_http_lua_module.so` → `ngx_http_lua_module`. */
function moduleOfFile(file: string): string {
  return path.basename(file).replace(/\.so$/, '');
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
    const loaded = new Set<string>((configured ?? []).map(moduleOfFile));
    for (const line of this.loadLines) {
      const file = line.directive.args[0]?.value;
      if (file) loaded.add(moduleOfFile(file));
    }
    walkTree(this.model.tree.roots, (node) => {
      if (node.context === null || rejected.has(node)) return;
      const specs = getDirective(node.directive.name).filter((spec) => spec.contexts.includes(node.context!) && spec.args !== null);
      if (specs.length === 0 || !specs.every(isDynamic)) return;
      if (specs.some((spec) => loaded.has(spec.module))) return;
      const module = specs[0]!.module;
      const needs = NEEDS[module];
      const lines = [...(needs && !loaded.has(needs) ? [needs] : []), module].map((name) => `load_module modules/${name}.so;`);
      reporter.report({
        ruleId: 'module-not-loaded',
        node,
        token: node.directive.nameToken,
        message: `unknown directive "${node.directive.name}"`,
        hint: `it is a directive of ${module}, which is not loaded; add ${lines.join(' ')} at the top of the main configuration`,
      });
    });
  }
}
