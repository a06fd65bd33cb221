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
import type { ConfigNode } from '../../load/tree.js';
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

export function checkModules(all: readonly ConfigNode[], model: Model, reporter: Reporter, rejected: ReadonlySet<ConfigNode>): void {
  const loadLines = all.filter((node) => node.directive.name === 'load_module' && node.context === 'main');
  const configured = model.configuredModules;
  if (configured === null && loadLines.length === 0) return;
  const loaded = new Set<string>((configured ?? []).map(moduleOfFile));
  for (const line of loadLines) {
    const file = line.directive.args[0]?.value;
    if (file) loaded.add(moduleOfFile(file));
  }
  for (const node of all) {
    if (node.context === null || rejected.has(node)) continue;
    const specs = getDirective(node.directive.name).filter((spec) => spec.contexts.includes(node.context!) && spec.args !== null);
    if (specs.length === 0 || !specs.every(isDynamic)) continue;
    if (specs.some((spec) => loaded.has(spec.module))) continue;
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
  }
}
