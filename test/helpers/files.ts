/** Temporary directory trees for tests that read from disk; each test file's trees are removed after it. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

/** Files to write, by path relative to the tree's root. */
export type FileTree = Record<string, string | Uint8Array>;

/** Call at the top of a test file: returns a function that writes a tree into a fresh directory and returns it. */
export function temporaryTrees(): (files?: FileTree) => string {
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });
  return (files = {}) => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-test-'));
    roots.push(root);
    writeFiles(root, files);
    return root;
  };
}

/** Writes each file under `root`, creating the directories its path names. */
export function writeFiles(root: string, files: Readonly<FileTree>): void {
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}
