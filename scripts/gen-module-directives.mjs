#!/usr/bin/env node
/**
 * Builds src/data/module-directives.json: the directives and variables of third-party modules that
 * src/data/directives.json does not cover, read from the `ngx_command_t` and `ngx_http_variable_t` arrays of each
 * module's source (git clones given on the command line):
 *
 *   node scripts/gen-module-directives.mjs upload-progress=path/to/nginx-upload-progress-module.git \
 *     echo=path/to/echo-nginx-module.git brotli=path/to/ngx_brotli.git
 *
 * Sources: github.com/masterzen/nginx-upload-progress-module (BSD-2-Clause), github.com/openresty/echo-nginx-module
 * (BSD-2-Clause), github.com/google/ngx_brotli (BSD-2-Clause). Rows use the shape of directives.json rows.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CONTEXT_BITS = {
  NGX_MAIN_CONF: 'main',
  NGX_DIRECT_CONF: null,
  NGX_EVENT_CONF: 'events',
  NGX_HTTP_MAIN_CONF: 'http',
  NGX_HTTP_SRV_CONF: 'server',
  NGX_HTTP_LOC_CONF: 'location',
  NGX_HTTP_UPS_CONF: 'upstream',
  NGX_HTTP_SIF_CONF: 'if-in-server',
  NGX_HTTP_LIF_CONF: 'if-in-location',
  NGX_HTTP_LMT_CONF: 'limit_except',
  NGX_STREAM_MAIN_CONF: 'stream',
  NGX_STREAM_SRV_CONF: 'stream-server',
  NGX_STREAM_UPS_CONF: 'stream-upstream',
  NGX_MAIL_MAIN_CONF: 'mail',
  NGX_MAIL_SRV_CONF: 'mail-server',
};
const ARG_BITS = {
  NGX_CONF_NOARGS: ['NOARGS'],
  NGX_CONF_TAKE1: ['TAKE1'],
  NGX_CONF_TAKE2: ['TAKE2'],
  NGX_CONF_TAKE3: ['TAKE3'],
  NGX_CONF_TAKE4: ['TAKE4'],
  NGX_CONF_TAKE5: ['TAKE5'],
  NGX_CONF_TAKE6: ['TAKE6'],
  NGX_CONF_TAKE7: ['TAKE7'],
  NGX_CONF_TAKE12: ['TAKE1', 'TAKE2'],
  NGX_CONF_TAKE13: ['TAKE1', 'TAKE3'],
  NGX_CONF_TAKE23: ['TAKE2', 'TAKE3'],
  NGX_CONF_TAKE123: ['TAKE1', 'TAKE2', 'TAKE3'],
  NGX_CONF_TAKE1234: ['TAKE1', 'TAKE2', 'TAKE3', 'TAKE4'],
  NGX_CONF_FLAG: ['FLAG'],
  NGX_CONF_ANY: ['ANY'],
  NGX_CONF_1MORE: ['1MORE'],
  NGX_CONF_2MORE: ['2MORE'],
};
const CONTEXT_ORDER = Object.values(CONTEXT_BITS).filter(Boolean);

const rows = [];
const variables = [];
const modules = [];
for (const argument of process.argv.slice(2)) {
  const [key, gitDir] = argument.split('=');
  const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const commit = git('rev-parse', 'HEAD').trim();
  for (const file of git('ls-tree', '-r', '--name-only', 'HEAD').split('\n')) {
    if (!file.endsWith('.c') || file.includes('/t/') || file.startsWith('t/') || file.startsWith('deps/')) continue;
    const text = git('show', `HEAD:${file}`).replace(/\/\*[\s\S]*?\*\//g, '');
    const moduleMatch = /ngx_module_t\s+(\w+)\s*=/.exec(text);
    const module = moduleMatch ? moduleMatch[1] : basename(file, '.c');
    for (const array of text.matchAll(/ngx_command_t\s+\w+\[\]\s*=\s*\{([\s\S]*?)ngx_null_command/g)) {
      for (const entry of array[1].matchAll(/\{\s*ngx_string\("([a-z0-9_]+)"\),\s*([^,]+),/g)) {
        const bits = entry[2].split('|').map((bit) => bit.trim());
        const contexts = [...new Set(bits.map((bit) => CONTEXT_BITS[bit]).filter(Boolean))].sort(
          (a, b) => CONTEXT_ORDER.indexOf(a) - CONTEXT_ORDER.indexOf(b),
        );
        const args = bits.flatMap((bit) => ARG_BITS[bit] ?? []);
        const unknown = bits.filter((bit) => !(bit in CONTEXT_BITS) && !(bit in ARG_BITS) && bit !== 'NGX_CONF_BLOCK');
        if (unknown.length > 0) throw new Error(`${key} ${entry[1]}: unknown bits ${unknown.join(' ')}`);
        const row = { name: entry[1], source: key, module, contexts, args: args.length > 0 ? args : ['NOARGS'] };
        if (bits.includes('NGX_CONF_BLOCK')) row.block = true;
        rows.push(row);
      }
    }
    for (const array of text.matchAll(/ngx_http_variable_t\s+\w+\[\]\s*=\s*\{([\s\S]*?)\n\};/g)) {
      for (const entry of array[1].matchAll(/\{\s*ngx_string\("([A-Za-z0-9_]+)"\)([^}]*)\}/g)) {
        const variable = { family: 'http', name: entry[1], module, since: '1.0.0' };
        if (/VAR_PREFIX/.test(entry[2])) variable.prefix = true;
        if (/VAR_CHANGEABLE/.test(entry[2])) variable.changeable = true;
        variables.push(variable);
      }
    }
  }
  modules.push({ source: key, commit });
}
rows.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
writeFileSync(
  join(repoRoot, 'src/data/module-directives.json'),
  `{"about":{"generatedBy":"scripts/gen-module-directives.mjs; do not edit by hand","modules":${JSON.stringify(modules)}},\n"rows":[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n],\n"variables":[\n${variables.map((row) => JSON.stringify(row)).join(',\n')}\n]}\n`,
);
console.log(`${rows.length} directives, ${variables.length} variables`);
