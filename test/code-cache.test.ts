/**
 * The bin starts its bundle from V8's code cache (src/cli/code-cache.cts), which the build writes. These tests run a
 * copy of the built package, so that its bundle and cache can be edited without touching dist/.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/cli.js';

const CONFIG = 'events {}\nhttp {\n    server {\n        listen 80;\n        locaton / { }\n    }\n}\n';
const HEADLINE = 'Checked against nginx ';

const copies: string[] = [];
afterEach(() => {
  for (const copy of copies.splice(0)) rmSync(copy, { recursive: true, force: true });
});

/** The built package as npm would install it: bin, dist, data, package.json and the dependencies. */
function packageCopy(): { root: string; bundle: string; cache: string; lint: () => { status: number | null; stdout: string; stderr: string } } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-code-cache-test-'));
  copies.push(root);
  for (const part of ['bin', 'dist', 'package.json']) cpSync(path.join(repoRoot, part), path.join(root, part), { recursive: true });
  symlinkSync(path.join(repoRoot, 'src'), path.join(root, 'src'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'));
  writeFileSync(path.join(root, 'nginx.conf'), CONFIG);
  const lint = () => {
    const run = spawnSync(process.execPath, [path.join(root, 'bin', 'nginx-lint.cjs'), '--debug', '--no-config-lookup', 'nginx.conf'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const bundle = path.join(root, 'dist', 'src', 'nginx-lint.cjs');
  return { root, bundle, cache: `${bundle}.cache`, lint };
}

describe('the code cache', () => {
  it('is written by the build and used by the bin', () => {
    const run = packageCopy().lint();
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('unknown directive "locaton"');
    expect(run.stderr).toMatch(/^nginx-lint: code cache used \(/);
  });

  it('is not used for a bundle edited in place, even to the same length (V8 checks only the length)', () => {
    const copy = packageCopy();
    const text = readFileSync(copy.bundle, 'utf8');
    expect(text).toContain(HEADLINE);
    writeFileSync(copy.bundle, text.replace(HEADLINE, HEADLINE.toUpperCase()));
    const run = copy.lint();
    expect(run.stderr).toMatch(/^nginx-lint: code cache not used: made for another bundle/);
    expect(run.stdout).toContain(HEADLINE.toUpperCase());
  });

  it('that V8 refuses, or none at all, leaves the run as it was', () => {
    const copy = packageCopy();
    const expected = copy.lint().stdout;
    const cache = readFileSync(copy.cache);
    // The bundle's checksum kept, V8's data spoilt.
    writeFileSync(copy.cache, Buffer.concat([cache.subarray(0, 4), Buffer.alloc(cache.length - 4, 7)]));
    const refused = copy.lint();
    expect(refused.stderr).toMatch(/^nginx-lint: code cache not used: made by another Node or with other V8 flags/);
    expect(refused.stdout).toBe(expected);
    rmSync(copy.cache);
    const without = copy.lint();
    expect(without.stderr).toMatch(/^nginx-lint: code cache not used: none written/);
    expect(without.stdout).toBe(expected);
  });
});
