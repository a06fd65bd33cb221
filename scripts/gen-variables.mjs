#!/usr/bin/env node
/**
 * Builds src/data/variables.json, nginx's own variables per release, from a git clone of nginx
 * (github.com/nginx/nginx, BSD-2-Clause):
 *
 *   node scripts/gen-variables.mjs path/to/nginx.git
 *
 * For every `release-*` tag from 1.0.0 on it reads the `ngx_http_variable_t` / `ngx_stream_variable_t` arrays of
 * src/http and src/stream (each blob parsed once) and records, per (family, name): the module file that defines it,
 * the first release of its final unbroken run of releases (`since`), the first release without it when it is gone
 * (`removedIn`), and whether it is a prefix family (`http_`, `arg_`, …: flag NGX_*_VAR_PREFIX, or the prefixes
 * nginx resolved by hand before that flag existed in 1.13.4), and whether `set`, `map` and the like may define it
 * again (`changeable`; otherwise nginx says `the duplicate "NAME" variable`).
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const gitDir = process.argv[2];
if (!gitDir) {
  console.error('usage: node scripts/gen-variables.mjs path/to/nginx.git');
  process.exit(1);
}
const git = (...args) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

function versionKey(version) {
  return version.split('.').map(Number);
}
function compare(a, b) {
  const [x, y] = [versionKey(a), versionKey(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

const tags = git('tag', '--list', 'release-*')
  .split('\n')
  .filter(Boolean)
  .map((tag) => ({ tag, version: tag.slice('release-'.length) }))
  .filter(({ version }) => /^\d+\.\d+\.\d+$/.test(version) && compare(version, '1.0.0') >= 0)
  .sort((a, b) => compare(a.version, b.version));

/** Prefixes nginx resolved in ngx_http_get_variable() by name before the NGX_HTTP_VAR_PREFIX flag. */
const LEGACY_PREFIXES = { http: ['http_', 'sent_http_', 'cookie_', 'arg_', 'upstream_http_', 'upstream_cookie_'], stream: [] };

const blobCache = new Map();
function parseBlob(blob) {
  let found = blobCache.get(blob);
  if (found) return found;
  const text = git('cat-file', 'blob', blob).replace(/\/\*[\s\S]*?\*\//g, '');
  found = [];
  const arrayPattern = /ngx_(http|stream)_variable_t\s+\w+\[\]\s*=\s*\{([\s\S]*?)\n\};/g;
  for (const array of text.matchAll(arrayPattern)) {
    const family = array[1];
    for (const entry of array[2].matchAll(/\{\s*ngx_string\("([A-Za-z0-9_]+)"\)([^}]*)\}/g)) {
      const prefix = /VAR_PREFIX/.test(entry[2]);
      found.push({ family, name: entry[1], prefix, changeable: /VAR_CHANGEABLE/.test(entry[2]) });
    }
  }
  // Variables a module adds by name in its init (`$gzip_ratio`, `$invalid_referer`, `$uid_got`, …).
  for (const call of text.matchAll(/ngx_(http|stream)_add_variable\(cf,\s*&(\w+)/g)) {
    const definition = new RegExp(`ngx_str_t\\s+${call[2]}\\s*=\\s*ngx_string\\("([A-Za-z0-9_]+)"\\)`).exec(text);
    if (definition) found.push({ family: call[1], name: definition[1], prefix: false });
  }
  blobCache.set(blob, found);
  return found;
}

/** key family:name → { module, prefix, present: Set<version> } */
const seen = new Map();
for (const { tag, version } of tags) {
  const listing = git('ls-tree', '-r', tag, '--', 'src/http', 'src/stream');
  for (const line of listing.split('\n')) {
    const match = /^\d+ blob ([0-9a-f]+)\t(.*\.c)$/.exec(line);
    if (!match) continue;
    for (const variable of parseBlob(match[1])) {
      const key = `${variable.family}:${variable.name}`;
      let row = seen.get(key);
      if (!row)
        seen.set(key, (row = { family: variable.family, name: variable.name, module: basename(match[2], '.c'), prefix: false, present: new Set() }));
      row.module = basename(match[2], '.c');
      row.changeable = variable.changeable === true;
      if (variable.prefix || LEGACY_PREFIXES[variable.family].includes(variable.name)) row.prefix = true;
      row.present.add(version);
    }
  }
}
// Before 1.13.4 the legacy prefixes were not in the arrays at all.
for (const family of ['http']) {
  for (const name of LEGACY_PREFIXES[family]) {
    const key = `${family}:${name}`;
    let row = seen.get(key);
    if (!row) seen.set(key, (row = { family, name, module: 'ngx_http_variables', prefix: true, present: new Set() }));
    row.prefix = true;
  }
}
const legacySince = { upstream_cookie_: '1.7.14' };

const versions = tags.map(({ version }) => version);
const rows = [];
for (const row of [...seen.values()].sort((a, b) => (a.family + a.name < b.family + b.name ? -1 : 1))) {
  let last = -1;
  for (let i = versions.length - 1; i >= 0; i--)
    if (row.present.has(versions[i])) {
      last = i;
      break;
    }
  let first = last;
  while (first > 0 && row.present.has(versions[first - 1])) first--;
  let since = last === -1 ? '1.0.0' : versions[first];
  if (LEGACY_PREFIXES[row.family]?.includes(row.name)) since = legacySince[row.name] ?? '1.0.0';
  const removedIn = last !== -1 && last < versions.length - 1 ? versions[last + 1] : undefined;
  const out = { family: row.family, name: row.name, module: row.module, since };
  if (row.prefix) out.prefix = true;
  // set, map, geo and the like may define it too (NGX_*_VAR_CHANGEABLE in the newest release that has it).
  if (row.changeable) out.changeable = true;
  if (removedIn) out.removedIn = removedIn;
  rows.push(out);
}
const head = git('rev-parse', tags.at(-1).tag + '^{commit}').trim();
const output = {
  about: `nginx variables per release, generated by scripts/gen-variables.mjs from github.com/nginx/nginx (BSD-2-Clause) release tags 1.0.0 to ${tags.at(-1).version} (${head})`,
  rows,
};
writeFileSync(
  join(repoRoot, 'src/data/variables.json'),
  `{"about":${JSON.stringify(output.about)},"rows":[\n${rows.map((row) => JSON.stringify(row)).join(',\n')}\n]}\n`,
);
console.log(`${rows.length} variables`);
