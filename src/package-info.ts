/** Where the package is installed, found the same way from `src/` (tests) and `dist/src/` (the built CLI). */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root) return root;
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'package.json')) && path.dirname(directory) !== directory) directory = path.dirname(directory);
  root = directory;
  return root;
}

let manifest: { version: string; homepage?: string } | undefined;

function packageJson(): { version: string; homepage?: string } {
  manifest ??= JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string; homepage?: string };
  return manifest;
}

export function toolVersion(): string {
  return packageJson().version;
}

/** package.json's `homepage`, when it names one: where the rule pages are published. */
export function packageHomepage(): string | undefined {
  return packageJson().homepage;
}

/**
 * The GitHub repository the package is published from, `https://github.com/<owner>/<name>`, when package.json's
 * `homepage` is one; undefined otherwise. Rule links and the `$schema` that `--init` writes are made from it.
 */
export function githubRepository(): string | undefined {
  const match = /^https:\/\/github\.com\/[^/#?]+\/[^/#?]+/.exec(packageHomepage() ?? '');
  return match?.[0].replace(/\.git$/, '');
}

/** A file of the committed data tables (src/data), which the package ships as they are for src/ and dist/ alike. */
export function dataFile(name: string): string {
  return path.join(packageRoot(), 'src', 'data', name);
}
