/**
 * Generated files must match their sources: the rule registry, README's rules table and docs skeletons (from each
 * rule's meta, via ts-morph) and README's example output (from running the built CLI on examples/shop).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function run(args: string[]) {
  return spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
}

describe('generated files are up to date', () => {
  it('rules/index.ts, the README rules table and docs/rules/*.md match the rule modules', () => {
    const check = run(['node_modules/tsx/dist/cli.mjs', 'scripts/generate-registry.ts', '--check']);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it("README's example output is what the CLI prints for examples/shop", () => {
    const check = run(['scripts/readme-example.mjs', '--check']);
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });
});
