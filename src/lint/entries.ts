/**
 * Which main config to lint a file through. nginx never reads `conf.d/orders.conf` alone: it reads it because an
 * `nginx.conf` includes it, where the `upstream orders` block that file proxies to is defined. So when a file is given
 * on its own (a pre-commit hook passes only the changed files), it is linted through the entry config that includes
 * it — a main config of the same repository, or the nginx image's own nginx.conf when a Compose volume mounts the
 * file into the image's `conf.d` — and only the given file is reported. A file nothing includes is linted alone, with
 * the nearest `nginx.conf`'s folder as its prefix, as that main config would resolve its includes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { findRepoRoot, repositoryFiles } from '../context/discovery.js';
import { scanRegularTextFile } from '../files.js';
import { MAX_CONFIG_BYTES } from '../load/program.js';
import { dataFile } from '../package-info.js';
import type { Linter } from './runner.js';

/** More main configs than this in one repository are not searched for includers: the cost would be the whole repo. */
const MAX_MAIN_CONFIGS = 200;
const MAIN_CONFIG_NAME = 'nginx.conf';

export interface EntryPlan {
  readonly entry: string;
  /** Report only these files of the entry's program; absent: every file it reads. */
  readonly reportOnly?: ReadonlySet<string>;
}

/** The most text of one piece kept for the next while looking for MAIN_ONLY_BLOCK. */
const MAX_CARRIED = 4096;

/** `events {` or `http {` at the start of a line: blocks only a main config holds, so no other file includes it. */
const MAIN_ONLY_BLOCK = /^[ \t]*(events|http)[ \t\r\n]*\{/m;

/**
 * A main config: named nginx.conf, or holding a block only main configs hold (`nginx-prod.conf` with `events {}`),
 * which is linted as it is instead of searching the repository for a config that includes it.
 */
function isMainConfig(file: string, unsaved: ReadonlyMap<string, string>): boolean {
  if (path.basename(file) === MAIN_CONFIG_NAME) return true;
  const text = unsaved.get(file);
  if (text !== undefined) return MAIN_ONLY_BLOCK.test(text);
  // Read until the block shows: near the top of a main config, so a huge one is not read twice (here and to lint it).
  // The text kept between pieces starts at the last line with a word, so `http` and a `{` lines below it still meet;
  // a longer tail than MAX_CARRIED cannot be `http` and blanks, and keeping it would make a file of one long line
  // quadratic to scan.
  let pending = '';
  try {
    return scanRegularTextFile(file, MAX_CONFIG_BYTES, (piece) => {
      const text = pending + piece;
      if (MAIN_ONLY_BLOCK.test(text)) return true;
      const lastLineWithWord = text.lastIndexOf('\n', text.trimEnd().length - 1) + 1;
      pending = text.length - lastLineWithWord <= MAX_CARRIED ? text.slice(lastLineWithWord) : '';
      return false;
    });
  } catch {
    return false;
  }
}

/** The nearest folder at or above the file's, up to the repository root, that holds an nginx.conf. */
function nearestMainConfigDir(file: string, repoRoot: string | null): string | null {
  let directory = path.dirname(file);
  for (;;) {
    if (existsSync(path.join(directory, MAIN_CONFIG_NAME))) return directory;
    const parent = path.dirname(directory);
    if (directory === repoRoot || parent === directory) return null;
    directory = parent;
  }
}

/** The main configs of a repository, nearest to `near` first. */
function mainConfigsOf(repoRoot: string): string[] {
  return repositoryFiles(repoRoot, `**/${MAIN_CONFIG_NAME}`, MAX_MAIN_CONFIGS);
}

/**
 * Plans the entries of a run: main configs as given first; then each other file through the entry that includes it,
 * else alone. `candidates` are the files the operands matched.
 */
export async function planEntries(candidates: readonly string[], linter: Linter): Promise<EntryPlan[]> {
  const plans: EntryPlan[] = [];
  const covered = new Set<string>();
  const cover = async (entry: string) => {
    for (const file of await linter.filesOf(entry)) covered.add(file);
  };

  const main = new Map(candidates.map((candidate) => [candidate, isMainConfig(candidate, linter.files)]));
  const mains = candidates.filter((candidate) => main.get(candidate)).sort(byDepth);
  for (const entry of mains) {
    plans.push({ entry });
    await cover(entry);
  }

  const reposSearched = new Map<string, string[]>();
  const contextEntries = new Map<string, Set<string>>();
  const imageEntry = dataFile(path.join('nginx-image', MAIN_CONFIG_NAME));
  for (const file of candidates.filter((candidate) => !main.get(candidate)).sort(byDepth)) {
    if (covered.has(file)) continue;
    const repoRoot = findRepoRoot(path.dirname(file));
    let includer: string | null = null;
    if (repoRoot !== null) {
      if (!reposSearched.has(repoRoot)) reposSearched.set(repoRoot, mainConfigsOf(repoRoot));
      for (const main of reposSearched.get(repoRoot)!) {
        if ((await linter.filesOf(main)).has(file)) {
          includer = main;
          break;
        }
      }
      // Mounted into the image's conf.d with no main config of the repository mounted over the image's own.
      const service = includer === null ? linter.nginxServiceFor(file, repoRoot) : null;
      if (
        service?.entryContainerPath?.startsWith('/etc/nginx/conf.d/') &&
        !service.mappings.some((mapping) => mapping.container === '/etc/nginx/nginx.conf')
      ) {
        await linter.adoptImageEntry(imageEntry, service, file);
        if ((await linter.filesOf(imageEntry)).has(file)) includer = imageEntry;
      }
    }
    if (includer !== null) {
      const reported = contextEntries.get(includer) ?? new Set<string>();
      reported.add(file);
      contextEntries.set(includer, reported);
      continue;
    }
    const prefix = nearestMainConfigDir(file, repoRoot);
    if (prefix !== null) linter.setPrefix(file, prefix);
    plans.push({ entry: file });
    await cover(file);
  }
  for (const [entry, reportOnly] of contextEntries) plans.push({ entry, reportOnly });
  return plans;
}

function byDepth(a: string, b: string): number {
  return a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b);
}
