#!/usr/bin/env node
/**
 * Builds src/data/module-directives.json: the dynamic modules distributions ship (Debian's libnginx-mod-* packages
 * and nginx-extras, the official Docker image's nginx-module-* packages), and the directives and variables of the
 * third-party ones, read from each module's C source.
 *
 *   node scripts/gen-module-directives.mjs SOURCE=path/to/module.git [SOURCE=path/to/module.git …]
 *
 * Each argument names a source key of scripts/module-catalogue.json and the git directory of a clone of that
 * repository (a bare clone is fine; the search tool's `fetch github:owner/name` gives one); HEAD is read. Every
 * third-party source the catalogue's modules use must be given. For example:
 *
 *   node scripts/gen-module-directives.mjs headers-more=…/headers-more-nginx-module.git lua=…/lua-nginx-module.git \
 *     stream-lua=… njs=…/njs.git echo=… upload-progress=… brotli=… geoip2=… vts=… fancyindex=… subs-filter=… \
 *     cache-purge=… nchan=… ndk=…/ngx_devel_kit.git set-misc=… dav-ext=… auth-pam=…
 *
 * What it reads (nothing of the sources is copied, only names, flags and commit ids):
 *  - every `ngx_command_t X[] = { … ngx_null_command }` array in the `.c` files (an `#include <x.h>` inside the
 *    array, as ngx_devel_kit's generated one has, is followed into the header's `#if (…_CMDS)` part). Each
 *    `{ ngx_string("name"), FLAGS, …` entry gives a row in the shape of src/data/directives.json rows: name,
 *    source, module (the `ngx_module_t` whose definition names the array), contexts and args decoded from the
 *    NGX_*_CONF / NGX_CONF_* macros exactly as scripts/gen-directives.mjs's input does, block (NGX_CONF_BLOCK),
 *    blockBody, and buildFlag (the `#if` conditions around the entry);
 *  - every `*_variable_t X[]` array and every `ngx_*_add_variable(cf, &X, …)` of a file-level
 *    `ngx_str_t X = ngx_string("name")`: the variables a module defines by itself. They must equal the catalogue's
 *    hand-checked `variables` list of the module, or the script fails.
 *
 * Rows whose (name, module) src/data/directives.json already has (its knowledge base covers lua, stream-lua, njs,
 * headers-more, geoip2, set-misc and vts) are not repeated: only directives it lacks are written, so a loader can
 * concatenate both files' rows. The module list (load_module file, Debian package, official image) covers nginx's
 * own dynamic modules as well; for those, the directives are in directives.json.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const catalogue = JSON.parse(readFileSync(join(repoRoot, 'scripts/module-catalogue.json'), 'utf8'));
const core = JSON.parse(readFileSync(join(repoRoot, 'src/data/directives.json'), 'utf8'));

function fail(message) {
  console.error(`gen-module-directives: ${message}`);
  process.exit(1);
}

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
  NGX_MAIL_MAIN_CONF: 'mail',
  NGX_MAIL_SRV_CONF: 'mail-server',
  NGX_STREAM_MAIN_CONF: 'stream',
  NGX_STREAM_SRV_CONF: 'stream-server',
  NGX_STREAM_UPS_CONF: 'stream-upstream',
};
const CONTEXT_ORDER = Object.values(CONTEXT_BITS).filter(Boolean);
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
const ARG_ORDER = ['NOARGS', 'TAKE1', 'TAKE2', 'TAKE3', 'TAKE4', 'TAKE5', 'TAKE6', 'TAKE7', 'FLAG', 'ANY', '1MORE', '2MORE'];
/** Block directives whose handler parses the body itself (see blockBody in shared/facts/nginx-directives.md). */
const CUSTOM_BODY = new Set(['geoip2']);
const NAME = '[a-z0-9_]+';

/** C text without comments (`//` only where it cannot be inside a string such as "http://"). */
const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[\s,;{}])\/\/[^\n]*/g, '$1');

/** `#if` conditions in force at each offset of an array body: [offset, condition stack] checkpoints. */
function conditionAt(body, offset) {
  const stack = [];
  for (const line of body.slice(0, offset).matchAll(/^[ \t]*#\s*(if|ifdef|ifndef|elif|else|endif)\b(.*)$/gm)) {
    const [, directive, rest] = line;
    const condition = rest.trim().replace(/^\((.*)\)$/, '$1');
    if (directive === 'if') stack.push(condition);
    else if (directive === 'ifdef') stack.push(`defined(${condition})`);
    else if (directive === 'ifndef') stack.push(`!defined(${condition})`);
    else if (directive === 'elif' || directive === 'else') {
      const previous = stack.pop();
      stack.push(directive === 'else' ? `!(${previous})` : condition);
    } else stack.pop();
  }
  return stack.length > 0 ? stack.join(' && ') : undefined;
}

function decodeEntry(source, module, name, flagsText, condition) {
  const bits = flagsText.split('|').map((bit) => bit.trim());
  const unknown = bits.filter((bit) => !(bit in CONTEXT_BITS) && !(bit in ARG_BITS) && bit !== 'NGX_CONF_BLOCK');
  if (unknown.length > 0) fail(`${source} ${name}: unknown bits ${unknown.join(' ')}`);
  const contexts = [...new Set(bits.map((bit) => CONTEXT_BITS[bit]).filter(Boolean))].sort(
    (a, b) => CONTEXT_ORDER.indexOf(a) - CONTEXT_ORDER.indexOf(b),
  );
  if (contexts.length === 0) fail(`${source} ${name}: no context bits`);
  const args = [...new Set(bits.flatMap((bit) => ARG_BITS[bit] ?? []))].sort((a, b) => ARG_ORDER.indexOf(a) - ARG_ORDER.indexOf(b));
  const block = bits.includes('NGX_CONF_BLOCK');
  const row = { name, source, module, contexts, args: args.length > 0 ? args : ['NOARGS'] };
  if (block) {
    row.block = true;
    row.blockBody = CUSTOM_BODY.has(name) ? 'custom' : name.endsWith('_by_lua_block') ? 'lua' : 'directives';
  }
  if (condition) row.buildFlag = condition;
  return row;
}

const given = new Map();
for (const argument of process.argv.slice(2)) {
  const at = argument.indexOf('=');
  if (at < 1) fail(`expected SOURCE=path/to/git-dir, got ${argument}`);
  const key = argument.slice(0, at);
  if (!catalogue.sources[key]) fail(`unknown source ${key}; known: ${Object.keys(catalogue.sources).join(', ')}`);
  given.set(key, argument.slice(at + 1));
}
const needed = new Set(catalogue.modules.map((module) => module.source).filter((source) => source !== 'nginx'));
const missing = [...needed].filter((source) => !given.has(source));
if (missing.length > 0) fail(`missing sources: ${missing.join(', ')}`);

const coveredByCore = new Set(core.rows.map((row) => `${row.name}\u0000${row.module}`));
const rows = [];
const variables = [];
const sources = [];
for (const key of [...given.keys()].sort()) {
  const gitDir = given.get(key);
  const settings = catalogue.sources[key];
  const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const commit = git('rev-parse', 'HEAD').trim();
  const files = git('ls-tree', '-r', '--name-only', 'HEAD')
    .split('\n')
    .filter((file) => /\.[ch]$/.test(file) && !/(^|\/)(t|test|tests|deps)\//.test(file))
    .filter((file) => (!settings.only || file.startsWith(settings.only)) && (!settings.skip || !file.startsWith(settings.skip)));
  const texts = new Map(files.map((file) => [file, stripComments(git('show', `HEAD:${file}`))]));
  const allText = [...texts.values()].join('\n');
  // The module whose definition names the array: in the same file first (njs has a static `ngx_js_core_commands` in
  // both its http and its stream file), else anywhere (nchan's array is in a file its setup file #includes).
  const moduleOfArray = (array, text) => {
    const definition = new RegExp(`ngx_module_t\\s+(\\w+)\\s*=\\s*\\{[^;]*?\\b${array}\\b`);
    return (definition.exec(text) ?? definition.exec(allText))?.[1];
  };
  let found = 0;
  for (const [file, text] of texts) {
    if (!file.endsWith('.c')) continue;
    for (const array of text.matchAll(/ngx_command_t\s+(\w+)\[\]\s*=\s*\{([\s\S]*?)ngx_null_command/g)) {
      const module = moduleOfArray(array[1], text);
      if (!module) fail(`${key} ${file}: no ngx_module_t names ${array[1]}`);
      // ngx_devel_kit: `#define X_CMDS 1` + `#include <x.h>` inside the array pulls in the header's command entries.
      let body = array[2];
      for (const include of body.matchAll(/#define\s+(\w+_CMDS)\s+1\s*#include\s+[<"]([\w.]+)[>"]/g)) {
        const header = [...texts].find(([path]) => path.endsWith(`/${include[2]}`))?.[1];
        const part = header && new RegExp(`#if\\s*\\(${include[1]}\\)([\\s\\S]*?)#endif`).exec(header);
        if (!part) fail(`${key} ${file}: cannot follow #include <${include[2]}>`);
        body = body.replace(include[0], part[1]);
      }
      for (const entry of body.matchAll(new RegExp(`\\{\\s*ngx_string\\s*\\(\\s*"(${NAME})"\\s*\\)\\s*,\\s*([^,]+),`, 'g'))) {
        found++;
        const row = decodeEntry(key, module, entry[1], entry[2], conditionAt(body, entry.index));
        if (!coveredByCore.has(`${row.name}\u0000${row.module}`)) rows.push(row);
      }
    }
    // A file that defines no module (echo's ngx_http_echo_var.c) belongs to the repository's only one of its family.
    const ownerOf = (family) => {
      const own = /ngx_module_t\s+(\w+)\s*=/.exec(text)?.[1];
      if (own) return own;
      const candidates = [...allText.matchAll(/ngx_module_t\s+(\w+)\s*=/g)]
        .map((m) => m[1])
        .filter((m) => !m.startsWith(family === 'stream' ? 'ngx_http' : 'ngx_stream'));
      if (new Set(candidates).size !== 1) fail(`${key} ${file}: defines variables but no ngx_module_t`);
      return candidates[0];
    };
    for (const array of text.matchAll(/\b(\w+)_variable_t\s+\w+\[\]\s*=\s*\{([\s\S]*?)\n\s*\};/g)) {
      const family = array[1].startsWith('ngx_stream') ? 'stream' : 'http';
      // nchan's `STUB_STATUS_WORKER_VARIABLE(channels)`: a macro that pastes its argument after a literal prefix.
      for (const macro of text.matchAll(/#define\s+(\w+)\(([\w\s,]+)\)\s*\\\s*\{\s*ngx_string\("([a-z0-9_]+)"\s*#?\s*\w+\)/g)) {
        const named = macro[2].includes(',');
        for (const use of array[2].matchAll(new RegExp(`\\b${macro[1]}\\((?:"(${NAME})",\\s*)?(\\w+)\\)`, 'g'))) {
          const suffix = named ? use[1] : use[2];
          if (suffix)
            variables.push({ family, name: macro[3] + suffix, source: key, file, owner: ownerOf(family), prefix: false, changeable: false });
        }
      }
      for (const entry of array[2].matchAll(new RegExp(`\\{\\s*ngx_string\\("(${NAME})"\\)([^}]*)\\}`, 'g'))) {
        variables.push({
          family,
          name: entry[1],
          source: key,
          file,
          owner: ownerOf(family),
          prefix: /VAR_PREFIX/.test(entry[2]),
          changeable: /VAR_CHANGEABLE/.test(entry[2]),
        });
      }
    }
    for (const call of text.matchAll(/ngx_(http|stream)_add_variable\(\s*cf,\s*&(\w+),([^;]*)\)/g)) {
      const named = new RegExp(`ngx_str_t\\s+${call[2]}\\s*=\\s*ngx_string\\("(${NAME})"\\)`).exec(text);
      if (named)
        variables.push({
          family: call[1],
          name: named[1],
          source: key,
          file,
          owner: ownerOf(call[1]),
          prefix: false,
          changeable: /VAR_CHANGEABLE/.test(call[3]),
        });
    }
  }
  if (found === 0) fail(`${key}: no ngx_command_t entries found in ${gitDir}`);
  sources.push({ source: key, repo: settings.repo, license: settings.license, commit, directives: found });
}

// Modules: resolve each one's ngx_module_t names, then check its variables against the hand-checked list.
const coreModules = new Set(core.rows.filter((row) => row.source === 'nginx').map((row) => row.module));
const modules = catalogue.modules.map((entry) => {
  let ngxModules = entry.ngxModules;
  if (entry.ngxModulePrefix) {
    ngxModules = [...coreModules].filter((name) => name.startsWith(entry.ngxModulePrefix) && !(entry.exceptNgxModules ?? []).includes(name)).sort();
  }
  const known =
    entry.source === 'nginx' ? coreModules : new Set([...rows, ...core.rows].filter((row) => row.source === entry.source).map((row) => row.module));
  for (const name of ngxModules) if (!known.has(name)) fail(`${entry.id}: no directives of ${name} in ${entry.source}`);
  const own = variables.filter((variable) => ngxModules.includes(variable.owner));
  const expected = [...(entry.variables ?? [])].sort();
  const actual = [...new Set(own.map((variable) => variable.name))].sort();
  if (entry.source !== 'nginx' && JSON.stringify(expected) !== JSON.stringify(actual)) {
    fail(`${entry.id}: the source defines variables [${actual.join(', ')}], the catalogue lists [${expected.join(', ')}]`);
  }
  return {
    id: entry.id,
    source: entry.source,
    ngxModules,
    builtIntoNginx: entry.source === 'nginx',
    configure: entry.configure,
    loadModule: entry.loadModule,
    debianPackage: entry.debianPackage ?? undefined,
    nginxExtras: entry.nginxExtras,
    officialImage: entry.officialImage ?? undefined,
    needs: entry.needs,
    variableDefiners: entry.variableDefiners,
  };
});
const ownedVariables = new Set(modules.filter((module) => module.source !== 'nginx').flatMap((module) => module.ngxModules));
const stray = variables.filter((variable) => !ownedVariables.has(variable.owner));
if (stray.length > 0) fail(`variables of modules the catalogue lacks: ${stray.map((v) => `${v.source}:${v.owner}:$${v.name}`).join(', ')}`);

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.module < b.module ? -1 : a.module > b.module ? 1 : 0);
rows.sort(byName);
const variableRows = variables
  .map((variable) => {
    const row = { family: variable.family, name: variable.name, module: variable.owner, source: variable.source, since: '1.0.0' };
    if (variable.prefix) row.prefix = true;
    if (variable.changeable) row.changeable = true;
    return row;
  })
  .sort((a, b) => (a.family + a.name < b.family + b.name ? -1 : 1));
const lines = (items) => items.map((item) => JSON.stringify(item)).join(',\n');
const about = {
  generatedBy: 'scripts/gen-module-directives.mjs from scripts/module-catalogue.json; do not edit by hand',
  variablesNote: 'variables: `since` is 1.0.0 for all (a third-party module has no nginx version of its own); they exist when the module is loaded',
  sources,
};
writeFileSync(
  join(repoRoot, 'src/data/module-directives.json'),
  `{"about":${JSON.stringify(about)},\n"modules":[\n${lines(modules)}\n],\n"rows":[\n${lines(rows)}\n],\n"variables":[\n${lines(variableRows)}\n]}\n`,
);
console.log(`gen-module-directives: ${modules.length} modules, ${rows.length} directives not in directives.json, ${variableRows.length} variables`);
