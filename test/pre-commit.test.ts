/**
 * The pre-commit hooks for real: Debian's `pre-commit` installs this repository as a hook (which runs `npm install`
 * and `npm pack` in it — the step a build banner on stdout used to break) and runs it on a scratch repository with a
 * bad and a good config. Needs `pre-commit` on PATH; under CI=true its absence fails instead of skipping.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryTrees } from './helpers/files.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;
if (!hasPreCommit) {
  if (process.env.CI === 'true') throw new Error('pre-commit is not installed, and CI=true: .ci/run installs it (apt-get install pre-commit)');
  console.log('pre-commit hook test: pre-commit is not installed; not run');
}
const tree = temporaryTrees();

function scratchRepository(files: Record<string, string>): string {
  const root = tree(files);
  execFileSync('git', ['init', '-q'], { cwd: root });
  execFileSync('git', ['add', '.'], { cwd: root });
  return root;
}

describe.skipIf(!hasPreCommit)('pre-commit try-repo', { timeout: 300_000 }, () => {
  const bad = 'events {}\nhttp {\n    server {\n        locaton / { }\n    }\n}\n';
  const good = 'events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n';

  it('nginx-lint: fails on the bad config and prints the finding; passes on the good one', () => {
    const root = scratchRepository({ 'nginx/nginx.conf': bad, 'other/nginx.conf': good });
    const env = { ...process.env, PRE_COMMIT_HOME: path.join(root, '.cache'), NO_COLOR: '1' };
    const failing = spawnSync('pre-commit', ['try-repo', repoRoot, 'nginx-lint', '--all-files'], { cwd: root, encoding: 'utf8', env });
    expect(failing.status, failing.stdout + failing.stderr).toBe(1);
    expect(failing.stdout).toContain('unknown directive "locaton"');

    const clean = scratchRepository({ 'nginx/nginx.conf': good });
    const passing = spawnSync('pre-commit', ['try-repo', repoRoot, 'nginx-lint', '--all-files'], {
      cwd: clean,
      encoding: 'utf8',
      env: { ...env, PRE_COMMIT_HOME: path.join(root, '.cache') },
    });
    expect(passing.status, passing.stdout + passing.stderr).toBe(0);
  });

  it('nginx-lint-fix: fixes what is safe, and the commit fails once with the fixed file', () => {
    const fixable =
      'events {}\nhttp {\n    upstream app { server 127.0.0.1:8080; keepalive 8; }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_next_upstream off;\n        }\n    }\n}\n';
    const root = scratchRepository({ 'nginx.conf': fixable });
    const env = { ...process.env, PRE_COMMIT_HOME: path.join(root, '.cache'), NO_COLOR: '1' };
    const run = spawnSync('pre-commit', ['try-repo', repoRoot, 'nginx-lint-fix', '--all-files'], { cwd: root, encoding: 'utf8', env });
    expect(run.status, run.stdout + run.stderr).toBe(1);
    expect(readFileSync(path.join(root, 'nginx.conf'), 'utf8')).toContain('proxy_next_upstream error timeout;');
  });
});
