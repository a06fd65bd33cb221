/**
 * The CI action run as the runner runs it: action.yml's Lint step is scripts/action.sh with the inputs as
 * environment. Its annotations and SARIF file are checked (SARIF against the official 2.1.0 schema).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '..');

function runAction(inputs: Record<string, string>) {
  return spawnSync('bash', [path.join(repoRoot, 'scripts/action.sh')], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, GITHUB_ACTION_PATH: repoRoot, ...inputs },
  });
}

describe('action.yml', () => {
  it('declares the inputs the step reads', () => {
    const action = readFileSync(path.join(repoRoot, 'action.yml'), 'utf8');
    for (const input of ['paths', 'config', 'format', 'fail-level', 'nginx-version', 'sarif-file']) expect(action).toContain(`  ${input}:`);
    expect(action).toContain('scripts/action.sh');
  });

  it('annotates the findings, writes SARIF that validates, and fails on errors', () => {
    const sarifFile = path.join(os.tmpdir(), `nginx-lint-action-${process.pid}.sarif`);
    const run = runAction({ NGINX_LINT_PATHS: 'examples/analytics', NGINX_LINT_SARIF_FILE: sarifFile });
    expect(run.status, run.stderr).toBe(1);
    const annotations = run.stdout.split('\n').filter((line) => line.startsWith('::'));
    expect(annotations).toContainEqual(
      expect.stringMatching(/^::error file=examples\/analytics\/nginx\/nginx\.conf,line=18,.*title=nginx-lint\(upstream-keepalive-timeout-race\)::/),
    );
    const schema = JSON.parse(readFileSync(path.join(repoRoot, 'test/fixtures/sarif-schema-2.1.0.json'), 'utf8')) as object;
    const ajv = new AjvDraft04.default({ allErrors: true });
    addFormats.default(ajv);
    const log = JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs: { results: unknown[] }[] };
    expect(ajv.validate(schema, log), JSON.stringify(ajv.errors)).toBe(true);
    expect(log.runs[0]!.results.length).toBe(annotations.length);
  });

  it('passes on warnings unless fail-level is warning', () => {
    const warningsOnly = { NGINX_LINT_PATHS: 'examples/analytics/nginx/nginx.conf', NGINX_LINT_NGINX_VERSION: '1.27.5' };
    // Only the race rule, set to warn: the fail level decides the exit status.
    const config = path.join(os.tmpdir(), `nginx-lint-action-${process.pid}.json`);
    writeFileSync(config, JSON.stringify({ extends: [], rules: { 'upstream-keepalive-timeout-race': 'warn' } }));
    expect(runAction({ ...warningsOnly, NGINX_LINT_CONFIG: config }).status).toBe(0);
    expect(runAction({ ...warningsOnly, NGINX_LINT_CONFIG: config, NGINX_LINT_FAIL_LEVEL: 'warning' }).status).toBe(1);
  });
});
