/**
 * Turns command-line operands into the files to lint: files as given, directories expanded to the nginx
 * configuration files in them, globs matched. Which of those are entry points (and which are only reached through
 * an `include`) is decided by the engine once it has read them.
 */
import { statSync } from 'node:fs';
import picomatch from 'picomatch';
import path from 'node:path';
import { readRegularTextFile } from '../files.js';
import { getDirective, isKnownStatement } from '../nginx/directives.js';
import type { Directive } from '../syntax/ast.js';
import { parse } from '../syntax/parser.js';
import { isJinjaTemplate, looksLikeGoTemplate, looksLikeJinjaTemplate, renderGoTemplate, renderJinja } from './templates.js';
import { lazyRequire } from '../lazy-require.js';

const tinyglobby = lazyRequire<typeof import('tinyglobby')>('tinyglobby');

/** What counts as an nginx configuration inside a directory. */
const CONFIG_PATTERNS = [
  '**/*.conf',
  '**/*.nginx',
  '**/nginx.conf*',
  '**/sites-available/*',
  '**/sites-enabled/*',
  // Debian's and many images' conf.d hold extension-less sites too; a README there has an extension.
  '**/conf.d/!(*.*)',
  // A folder named nginx holds its configs, often without an extension (sameersbn/docker-gitlab's
  // assets/runtime/config/nginx/gitlab); what does not read as nginx is left out.
  '**/nginx/!(*.*)',
  // What the official image renders into conf.d at start-up (templates/*.template).
  '**/*.conf.template',
  '**/templates/*.template',
  // Configs rendered from a template before nginx reads them (Ansible's *.conf.j2, gomplate's *.conf.tmpl), read
  // rendered; another program's template is left out by what it holds, as a *.conf is. Not `nginx.tmpl`: the one of
  // kubernetes/ingress-nginx runs in its own nginx build (Lua compiled in), which nginx-lint cannot know from the
  // repository (27 false errors); name it to lint it.
  '**/*.conf.{j2,jinja,jinja2,tmpl,tpl}',
];
const SKIPPED_DIRECTORIES = ['**/node_modules/**', '**/.git/**'];
let configPathMatcher: ((relative: string) => boolean) | undefined;
/** Whether a path relative to a scanned folder matches CONFIG_PATTERNS, read as glob(7) reads them. */
const isConfigPath = (relative: string): boolean => (configPathMatcher ??= picomatch(CONFIG_PATTERNS, { dot: true }))(relative);
/** `Dockerfile.nginx`, `Containerfile.proxy`: build files named after the image they build, not nginx configs. */
const BUILD_FILES = ['**/Dockerfile', '**/Dockerfile.*', '**/Containerfile', '**/Containerfile.*', '**/*.Dockerfile'];
/** YAML files, and the `.tpl` manifests a Helm chart renders (any file of its templates/ folder but `_` partials). */
const MANIFEST_PATTERNS = ['**/*.yaml', '**/*.yml', '**/templates/**/[!_]*.tpl'];

function isManifest(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface ExpandedInputs {
  readonly files: string[];
  /**
   * YAML files: Kubernetes manifests that may hold nginx config in a ConfigMap. Those named on the command line are
   * in `namedManifests` too (nothing found in them is worth saying); those found in a folder only here.
   */
  readonly manifests: string[];
  readonly namedManifests: string[];
  /** Operands that matched nothing. */
  readonly unmatched: string[];
  /** The folders scanned (operands that are directories), absolute. */
  readonly folders: string[];
}

/** Files larger than this found in a folder are taken as nginx configs unread: sniffing them would cost a parse. */
const MAX_SNIFFED_BYTES = 1024 * 1024;

/**
 * Whether a `*.conf` found in a folder is nginx configuration: it has at least one complete statement (ended by `;`
 * or opening a block) that names a directive of nginx or of a module nginx-lint knows. A repository's `redis.conf`,
 * `postgresql.conf`, `supervisord.conf` or `php-fpm.conf` has none — their lines end without `;` — and is not
 * nginx-lint's to judge; nor is a file of `key = value;` statements (rspamd's UCL), whatever its keys. The statement
 * must have the directive's shape: Sphinx's `index name {` opens a block, which nginx's `index` never does. A file named on the command line is always linted.
 */
export function readsAsNginx(file: string): boolean {
  const text = sniffedText(file);
  // Too large to sniff, or unreadable (the lint says why): linted.
  return text === null || textReadsAsNginx(text, file);
}

/** The text of a file small enough to sniff, or null when it is larger or cannot be read. */
function sniffedText(file: string): string | null {
  try {
    return statSync(file).size > MAX_SNIFFED_BYTES ? null : readRegularTextFile(file);
  } catch {
    return null;
  }
}

/** Whether `text`, the content of `file`, reads as nginx configuration (`readsAsNginx`). */
export function textReadsAsNginx(text: string, file: string): boolean {
  // A script (`#!/bin/sh`): `gzip -k9 …;` or `set …;` in it may read as a directive, but no nginx config starts so.
  if (text.startsWith('#!')) return false;
  // A template is judged as it will be rendered: a Go action's `{{` would otherwise open blocks nginx never sees.
  const rendered =
    !isJinjaTemplate(file) && looksLikeGoTemplate(text)
      ? renderGoTemplate(text, undefined, { nginx: true }).text
      : isJinjaTemplate(file) || looksLikeJinjaTemplate(text)
        ? renderJinja(text, { nginx: true }).text
        : text;
  const { directives } = parse(rendered, file);
  // `reject = 15;`, `add_header = 8;`: the `key = value;` of rspamd's UCL and similar formats, never nginx's own.
  // `// comment` lines (HOCON, as jitsi's jibri.conf; C-like formats) start no nginx statement: nginx comments use `#`.
  const assigns = (statements: readonly Directive[]): boolean =>
    statements.some(
      (directive) =>
        (directive.args[0]?.value === '=' && directive.name !== 'location') || directive.name.startsWith('//') || assigns(directive.children ?? []),
    );
  if (assigns(directives)) return false;
  // A known statement counts inside known blocks only: HOCON's `http { … }` under `jibri {` is no nginx http block.
  // A block whose body is not statements (`map`, `geo`, `types`, Lua) counts as it is.
  const known = (statements: readonly Directive[]): boolean =>
    statements.some((directive) => {
      if (directive.terminator === null || !isKnownStatement(directive.name, directive.terminator === '{')) return false;
      const children = directive.children ?? [];
      return directive.terminator === ';' || children.length === 0 || !holdsStatements(directive.name) || known(children);
    });
  return known(directives);
}

/**
 * Whether `file` holds another program's configuration: something that is not nginx's, where an empty or comment-only
 * file says nothing either way. An include's namesake elsewhere in the repository is read in its place only when it is
 * not (serversideup/docker-php's Apache `vhost-templates/http.conf` is not nginx's `site-opts.d/http.conf`).
 */
export function readsAsAnotherFormat(file: string): boolean {
  const text = sniffedText(file);
  // Too large to sniff, or unreadable (the include's resolution says why): not known to be another program's.
  return text !== null && text.replace(/^\s*#.*$/gm, '').trim() !== '' && !textReadsAsNginx(text, file);
}

/** Whether a block directive's body is nginx statements (not `map`/`geo`/`types` entries or Lua code). */
function holdsStatements(name: string): boolean {
  return getDirective(name).some((spec) => spec.block && spec.blockBody === 'directives');
}

export function expandInputs(operands: readonly string[], cwd: string): ExpandedInputs {
  const files = new Set<string>();
  const manifests = new Set<string>();
  const namedManifests: string[] = [];
  const unmatched: string[] = [];
  const folders: string[] = [];
  for (const operand of operands) {
    const absolute = path.resolve(cwd, operand);
    let isDirectory = false;
    let exists = false;
    try {
      const stats = statSync(absolute);
      exists = true;
      isDirectory = stats.isDirectory();
    } catch {
      // Not a path on disk: maybe a glob, else unmatched.
    }
    let matches: string[];
    const manifestsBefore = manifests.size;
    if (exists && !isDirectory && isManifest(absolute)) {
      manifests.add(path.normalize(absolute));
      namedManifests.push(path.normalize(absolute));
      continue;
    } else if (exists && !isDirectory) matches = [absolute];
    else if (isDirectory) {
      folders.push(path.normalize(absolute));
      const yamlFiles = tinyglobby().globSync(MANIFEST_PATTERNS, {
        cwd: absolute,
        absolute: true,
        onlyFiles: true,
        dot: true,
        ignore: SKIPPED_DIRECTORIES,
        followSymbolicLinks: false,
      });
      for (const file of yamlFiles.sort()) manifests.add(path.normalize(file));
      // dot: configs in dot-folders (`.docker/nginx`) count too; `ignores` in the config leaves any out.
      matches = tinyglobby()
        .globSync(CONFIG_PATTERNS, {
          cwd: absolute,
          absolute: true,
          onlyFiles: true,
          dot: true,
          ignore: [...SKIPPED_DIRECTORIES, ...BUILD_FILES],
          followSymbolicLinks: false,
        })
        // tinyglobby lets `nginx/!(*.*)` match a file a folder deeper (`nginx/site-confs/default.conf.sample`, whose
        // folder name has no dot); picomatch, which reads the patterns as glob(7) does, decides.
        .filter((file) => isConfigPath(path.relative(absolute, file).split(path.sep).join('/')))
        .filter(readsAsNginx);
    } else if (tinyglobby().isDynamicPattern(operand)) {
      matches = tinyglobby().globSync(operand, { cwd, absolute: true, onlyFiles: true, ignore: SKIPPED_DIRECTORIES });
    } else matches = [];
    if (matches.length === 0 && !(isDirectory && manifests.size > manifestsBefore)) unmatched.push(operand);
    for (const match of matches.sort()) {
      if (!isDirectory && isManifest(match)) manifests.add(path.normalize(match));
      else files.add(path.normalize(match));
    }
  }
  return { files: [...files], manifests: [...manifests], namedManifests, unmatched, folders };
}
