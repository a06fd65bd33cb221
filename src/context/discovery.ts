import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { lazyRequire } from '../lazy-require.js';

export { findRepoRoot } from '../files.js';

const tinyglobby = lazyRequire<typeof import('tinyglobby')>('tinyglobby');

/** The names `docker compose` looks for, in its order of preference: it reads the first one a directory has. */
const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'];

/** The override files `docker compose` applies on top of the main file when present, in the same order. */
const COMPOSE_OVERRIDE_FILE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'];

function firstExisting(directory: string, names: readonly string[]): string | undefined {
  return names.map((name) => path.join(directory, name)).find((file) => existsSync(file));
}

/**
 * The directories from `startDirectory` up, nearest first. The walk stops after `repoRoot` when given, else after the
 * first directory holding `.git` (a directory, or the file of a worktree or submodule), else at the filesystem root.
 */
export function directoriesUp(startDirectory: string, repoRoot?: string): string[] {
  const stop = repoRoot === undefined ? undefined : path.resolve(repoRoot);
  const directories: string[] = [];
  let directory = path.resolve(startDirectory);
  for (;;) {
    directories.push(directory);
    const atRoot = stop === undefined ? existsSync(path.join(directory, '.git')) : directory === stop;
    const parent = path.dirname(directory);
    if (atRoot || parent === directory) return directories;
    directory = parent;
  }
}

/** A Dockerfile by its name, as `docker build` and `podman build` find one, or as projects name their variants. */
const DOCKERFILE_NAME = /^(Dockerfile|Containerfile)(\..+)?$|\.Dockerfile$/;

/**
 * The Dockerfiles of `startDirectory` and its parents up to `repoRoot`, nearest first, by name within a folder. A
 * Dockerfile copies from its own folder (its build context), so only one in a folder above a config can copy it:
 * these are all the candidates, found without a search of the whole repository.
 */
export function dockerfilesAbove(startDirectory: string, repoRoot: string): string[] {
  return directoriesUp(startDirectory, repoRoot).flatMap((directory) => {
    try {
      return readdirSync(directory)
        .filter((name) => DOCKERFILE_NAME.test(name))
        .sort()
        .map((name) => path.join(directory, name));
    } catch {
      return []; // An unreadable folder holds nothing to read.
    }
  });
}

/**
 * The Compose files nginx's own directory and its parents hold, nearest first, as `docker compose` would pick them in
 * each directory (the main file and its override), up to the repository root (see `directoriesUp`).
 */
export function findComposeFiles(startDirectory: string, repoRoot?: string): string[] {
  return directoriesUp(startDirectory, repoRoot).flatMap((directory) =>
    [COMPOSE_FILE_NAMES, COMPOSE_OVERRIDE_FILE_NAMES].flatMap((names) => firstExisting(directory, names) ?? []),
  );
}

/**
 * Compose files that `docker compose` reads only when named with `-f`, for one environment each:
 * `docker-compose.prod.yml`, `compose.staging.yaml`, `docker-compose-prod.yml`, the flavour named first
 * (`fpm-docker-compose.yml`, `fpm-alpine-nginx-docker-compose.yml`: akaunting/docker's README runs
 * `docker-compose -f fpm-alpine-nginx-docker-compose.yml up`), and cookiecutter-django's `production.yml` (its name
 * from 2017 until the template renamed it `docker-compose.production.yml` in 2024). The main files and the override
 * files, which `docker compose` reads by itself, are not variants.
 */
const COMPOSE_VARIANT_NAME = /^(?:(?:docker-)?compose\.[^/\\]+|docker-compose-[^/\\]+|[^/\\]+[-.](?:docker-)?compose|production)\.ya?ml$/;

/** The Compose variants of the directories from `startDirectory` up to the repository root: nearest first, by name in a directory. */
export function findComposeVariants(startDirectory: string, repoRoot?: string): string[] {
  return directoriesUp(startDirectory, repoRoot).flatMap((directory) => {
    let names: string[];
    try {
      names = readdirSync(directory);
    } catch {
      return [];
    }
    return names
      .filter((name) => COMPOSE_VARIANT_NAME.test(name) && !COMPOSE_FILE_NAMES.includes(name) && !COMPOSE_OVERRIDE_FILE_NAMES.includes(name))
      .sort()
      .map((name) => path.join(directory, name));
  });
}

/** Whether a variant's name says it is the production deployment: `prod` or `production` as a word of it. */
export function isProductionVariant(file: string): boolean {
  return /(?:^|[.\-_])prod(?:uction)?(?:[.\-_]|$)/i.test(path.basename(file).replace(/\.ya?ml$/, ''));
}

/** The main Compose file of a directory, as `docker compose` picks it without `-f`. */
export function mainComposeFile(directory: string): string | undefined {
  return firstExisting(directory, COMPOSE_FILE_NAMES);
}

/** What one `serviceFiles` pattern matched; patterns starting with `!` exclude and match nothing themselves. */
export interface PatternMatches {
  readonly pattern: string;
  readonly index: number;
  readonly files: readonly string[];
}

/**
 * Expands the `serviceFiles` globs against `configDirectory`, each including pattern on its own so that one
 * matching nothing (a typo, a moved folder) can be reported. Files come back absolute and sorted.
 */
export function expandServiceFiles(patterns: readonly string[], configDirectory: string): PatternMatches[] {
  const exclusions = patterns.filter((pattern) => pattern.startsWith('!'));
  return patterns.flatMap((pattern, index) => {
    if (pattern.startsWith('!')) return [];
    const files = tinyglobby().globSync([pattern, ...exclusions], {
      cwd: configDirectory,
      absolute: true,
      dot: true,
      // A pattern names files; a bare directory would pull in READMEs and charts that are not manifests.
      expandDirectories: false,
    });
    return [{ pattern, index, files: files.map((file) => path.normalize(file)).sort() }];
  });
}

/**
 * The files of a repository matching `patterns` (relative to `root`), absolute and sorted, node_modules and .git left
 * out and links not followed; at most `max`, so a huge repository costs a bounded search.
 */
export function repositoryFiles(root: string, patterns: string | readonly string[], max: number): string[] {
  return tinyglobby()
    .globSync(typeof patterns === 'string' ? [patterns] : [...patterns], {
      cwd: root,
      absolute: true,
      dot: true,
      onlyFiles: true,
      ignore: ['**/node_modules/**', '**/.git/**'],
      followSymbolicLinks: false,
    })
    .map((file) => path.normalize(file))
    .sort()
    .slice(0, max);
}

/**
 * The Compose files `docker compose` reads together with `file` when run in its folder: the main file and the override
 * file of that folder, when `file` is one of them; else `file` alone (a variant, read with `-f`).
 */
export function composeProjectFiles(file: string): string[] {
  const name = path.basename(file);
  if (!COMPOSE_FILE_NAMES.includes(name) && !COMPOSE_OVERRIDE_FILE_NAMES.includes(name)) return [file];
  const directory = path.dirname(file);
  return [COMPOSE_FILE_NAMES, COMPOSE_OVERRIDE_FILE_NAMES].flatMap((names) => firstExisting(directory, names) ?? []);
}
