#!/usr/bin/env node
/**
 * Builds src/data/variables.json: every variable nginx itself defines (http and stream, core and bundled modules),
 * with the releases that have it, from a git clone of nginx (github.com/nginx/nginx, BSD-2-Clause).
 *
 *   node scripts/gen-variables.mjs path/to/nginx.git
 *
 * The argument is the git directory of a clone of nginx with its `release-*` tags (a bare clone is fine; the search
 * tool's `fetch github:nginx/nginx` gives one). Nothing of nginx's source is copied into this repository: only
 * names, flags and versions. The output depends only on the tags, so a rerun on the same clone gives the same file.
 *
 * For every `release-X.Y.Z` tag from 1.0.0 on (all of them, not a sample: each blob is parsed once, so this takes
 * about half a minute) it reads every `.c` file under src/http and src/stream and collects:
 *
 *  - the entries `{ ngx_string("name"), … }` of every array whose element type ends in `_variable_t`
 *    (`ngx_http_variable_t ngx_http_core_variables[]`, `ngx_stream_variable_t ngx_stream_upstream_vars[]`, and the
 *    browser module's own `ngx_http_browser_variable_t ngx_http_browsers[]`, which it used until 1.13.4);
 *    `NGX_*_VAR_PREFIX` in the entry marks a prefix family (`http_`, `arg_`, …), `NGX_*_VAR_CHANGEABLE` a variable
 *    that `set`, `map` and the like may define again;
 *  - variables a module adds by name in its init: `ngx_http_add_variable(cf, &X, …)` where X is a file-level
 *    `ngx_str_t X = ngx_string("name")` (`$gzip_ratio`, `$uid_got`, `$secure_link`) or a local set just before with
 *    `ngx_str_set(&X, "name")` (`$invalid_referer` before 1.1.x);
 *  - the prefix families nginx resolved by hand before the NGX_HTTP_VAR_PREFIX flag (1.11.10):
 *    `ngx_strncmp(name->data, "http_", 5)` in ngx_http_get_variable() of src/http/ngx_http_variables.c.
 *
 * Per (family, name) it writes:
 *   family     `http` or `stream`
 *   name       without `$`; a prefix family ends in `_` and has `prefix: true`
 *   module     the `ngx_module_t` defined in the file (ngx_http_variables.c and ngx_stream_variables.c define none:
 *              their variables belong to ngx_http_core_module / ngx_stream_core_module; the hand-resolved
 *              `upstream_*` prefixes are served by ngx_http_upstream_module)
 *   file       the source file, relative to the nginx tree, in the newest release that has the variable
 *   since      the first release of the final unbroken run of releases (in version order) that have it, so that
 *              `version >= since` (and `< removedIn`) means "this release has it"
 *   sinceFirst the earliest release that had it, when that is before `since` (a stable-branch backport, or a
 *              variable that was dropped and came back)
 *   lastIn     the newest release that has it, when the newest release does not (it was removed)
 *   removedIn  the release after `lastIn` in version order
 *   changeable NGX_*_VAR_CHANGEABLE in the newest release that has it
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const gitDir = process.argv[2];
if (!gitDir) {
  console.error('usage: node scripts/gen-variables.mjs path/to/nginx.git');
  process.exit(1);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

const versionKey = (version) => version.split('.').map(Number);
function compareVersions(a, b) {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const tags = git('tag', '--list', 'release-*')
  .split('\n')
  .filter(Boolean)
  .map((tag) => ({ tag, version: tag.slice('release-'.length) }))
  .filter(({ version }) => /^\d+\.\d+\.\d+$/.test(version) && compareVersions(version, '1.0.0') >= 0)
  .sort((a, b) => compareVersions(a.version, b.version));
if (tags.length === 0) {
  console.error(`gen-variables: no release-X.Y.Z tags from 1.0.0 on in ${gitDir}`);
  process.exit(1);
}

/** Files that define no ngx_module_t of their own, and whose variables belong to the core module. */
const FILE_MODULE = {
  'src/http/ngx_http_variables.c': 'ngx_http_core_module',
  'src/stream/ngx_stream_variables.c': 'ngx_stream_core_module',
};
/** Hand-resolved prefixes (before 1.11.10) whose handlers live in ngx_http_upstream.c. */
const LEGACY_PREFIX_MODULE = { upstream_http_: 'ngx_http_upstream_module', upstream_cookie_: 'ngx_http_upstream_module' };

const NAME = '[a-z0-9_]+';
const blobCache = new Map();

/** The variables one source file defines: [{ family, name, prefix, changeable, module? }]. */
function parseBlob(blob, path) {
  const cached = blobCache.get(blob);
  if (cached) return cached;
  const text = git('cat-file', 'blob', blob).replace(/\/\*[\s\S]*?\*\//g, '');
  const found = [];
  const arrays = new RegExp(`\\b(\\w+)_variable_t\\s+\\w+\\[\\]\\s*=\\s*\\{([\\s\\S]*?)\\n\\};`, 'g');
  for (const array of text.matchAll(arrays)) {
    const family = array[1].startsWith('ngx_stream') ? 'stream' : 'http';
    for (const entry of array[2].matchAll(new RegExp(`\\{\\s*ngx_string\\("(${NAME})"\\)([^}]*)\\}`, 'g'))) {
      found.push({ family, name: entry[1], prefix: /VAR_PREFIX/.test(entry[2]), changeable: /VAR_CHANGEABLE/.test(entry[2]) });
    }
  }
  for (const call of text.matchAll(/ngx_(http|stream)_add_variable\(\s*cf,\s*&(\w+),([^;]*)\)/g)) {
    const [, family, symbol, flags] = call;
    const global = new RegExp(`ngx_str_t\\s+${symbol}\\s*=\\s*ngx_string\\("(${NAME})"\\)`).exec(text);
    // The nearest `ngx_str_set(&name, "…")` before the call.
    const locals = [...text.slice(0, call.index).matchAll(new RegExp(`ngx_str_set\\(&${symbol},\\s*"(${NAME})"\\)`, 'g'))];
    const name = global?.[1] ?? locals.at(-1)?.[1];
    if (name) found.push({ family, name, prefix: false, changeable: /VAR_CHANGEABLE/.test(flags) });
  }
  if (path === 'src/http/ngx_http_variables.c') {
    for (const match of text.matchAll(new RegExp(`ngx_strncmp\\(name->data,\\s*"(${NAME}_)"`, 'g'))) {
      found.push({ family: 'http', name: match[1], prefix: true, changeable: false, module: LEGACY_PREFIX_MODULE[match[1]] });
    }
  }
  const owner = FILE_MODULE[path] ?? /\bngx_module_t\s+(\w+)\s*=\s*\{/.exec(text)?.[1] ?? null;
  for (const variable of found) variable.module ??= owner;
  // One file can name a variable twice (an `#if`/`#else` pair); keep the first.
  const unique = [...new Map(found.map((variable) => [`${variable.family}:${variable.name}`, variable])).values()];
  blobCache.set(blob, unique);
  return unique;
}

/** key family:name → { family, name, module, file, prefix, changeable, present: Set<index into tags> } */
const seen = new Map();
tags.forEach(({ tag }, index) => {
  for (const line of git('ls-tree', '-r', tag, '--', 'src/http', 'src/stream').split('\n')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*\.c)$/.exec(line);
    if (!match) continue;
    for (const variable of parseBlob(match[1], match[2])) {
      if (variable.module === null) throw new Error(`${tag}:${match[2]} defines $${variable.name} but no ngx_module_t`);
      const key = `${variable.family}:${variable.name}`;
      let row = seen.get(key);
      if (!row) seen.set(key, (row = { family: variable.family, name: variable.name, present: new Set() }));
      // Tags are visited in version order, so these end up as in the newest release that has the variable.
      Object.assign(row, { module: variable.module, file: match[2], prefix: variable.prefix, changeable: variable.changeable });
      row.present.add(index);
    }
  }
});

const rows = [];
const byKey = (a, b) => (a.family !== b.family ? (a.family < b.family ? -1 : 1) : a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
for (const row of [...seen.values()].sort(byKey)) {
  const indexes = [...row.present].sort((a, b) => a - b);
  const last = indexes.at(-1);
  let first = last;
  while (first > 0 && row.present.has(first - 1)) first--;
  const out = { family: row.family, name: row.name, module: row.module, file: row.file, since: tags[first].version };
  if (indexes[0] < first) out.sinceFirst = tags[indexes[0]].version;
  if (row.prefix) out.prefix = true;
  if (row.changeable) out.changeable = true;
  if (last < tags.length - 1) {
    out.lastIn = tags[last].version;
    out.removedIn = tags[last + 1].version;
  }
  rows.push(out);
}

const newest = tags.at(-1);
const about = {
  generatedBy: 'scripts/gen-variables.mjs; do not edit by hand',
  source: 'github.com/nginx/nginx (BSD-2-Clause)',
  releases: `${tags.length} release tags, ${tags[0].version} to ${newest.version}`,
  newest: `${newest.tag} ${git('rev-parse', `${newest.tag}^{commit}`).trim()}`,
};
writeFileSync(
  join(repoRoot, 'src/data/variables.json'),
  `{"about":${JSON.stringify(about)},"rows":[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]}\n`,
);
const prefixes = rows.filter((row) => row.prefix).length;
console.log(`gen-variables: ${rows.length} variables (${prefixes} prefix families) from ${about.releases}`);
