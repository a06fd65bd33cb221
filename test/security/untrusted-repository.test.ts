/**
 * nginx-lint run on a hostile repository, as CI runs it on a pull request from a fork: everything in the checkout
 * — configs, .nginx-lint.json, compose.yaml, baselines, file names, symlinks — is the attacker's. Each case is built
 * at test time (FIFOs and symlinks included) and bounded in time by the CLI runner's timeout. docs/security.md says
 * what these guarantee.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryProjects } from '../helpers/cli.js';
import { temporaryTrees } from '../helpers/files.js';

const project = temporaryProjects();
const elsewhere = temporaryTrees();
const SECRET = 'root:$6$supersecrethash:19000:0:99999:7:::';

function mkfifo(target: string): void {
  execFileSync('mkfifo', [target]);
}

describe('reading: nothing outside the repository, nothing that is not a file', () => {
  const outside = elsewhere({ secret: `${SECRET};\n`, 'site.conf': 'server { listen 80; }\n' });

  it.each([
    ['an absolute include', `include ${path.join(outside, 'secret')};`],
    ['a ../ include', 'include ../../../../../../../../..' + path.join(outside, 'secret') + ';'],
    ['a glob reaching out', `include ${path.join(outside, '*')};`],
  ])('%s of a file outside is not read, and its content is never printed', (_name, include) => {
    const root = project({ 'nginx.conf': `events {}\nhttp {\n    ${include}\n}\n` });
    for (const format of ['stylish', 'json', 'sarif', 'github', 'compact', 'checkstyle', 'junit', 'gitlab']) {
      const run = runCli(['-f', format, 'nginx.conf'], { cwd: root });
      expect(run.stdout + run.stderr).not.toContain('supersecrethash');
    }
  });

  it('a committed symlink out of the repository is neither read nor rewritten by --fix', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n' });
    mkdirSync(path.join(root, 'conf.d'));
    symlinkSync(path.join(outside, 'site.conf'), path.join(root, 'conf.d', 'x.conf'));
    writeFileSync(path.join(outside, 'site.conf'), 'server { listen 80; proxy_passs http://a; }\n');
    const run = runCli(['--fix', 'nginx.conf'], { cwd: root });
    expect(run.stdout + run.stderr).not.toContain('proxy_passs');
    expect(readFileSync(path.join(outside, 'site.conf'), 'utf8')).toBe('server { listen 80; proxy_passs http://a; }\n');
  });

  it('a compose.yaml, .nginx-lint.json or baseline that is a FIFO does not hang the run', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n' });
    mkfifo(path.join(root, 'compose.yaml'));
    expect(runCli(['nginx.conf'], { cwd: root }).status).toBe(0);
    mkfifo(path.join(root, '.nginx-lint.json'));
    const config = runCli(['nginx.conf'], { cwd: root });
    expect(config.status).toBe(2);
    expect(config.stderr).toMatch(/\.nginx-lint\.json.*not a regular file/);
    mkfifo(path.join(root, 'baseline.json'));
    expect(runCli(['--no-config-lookup', '--baseline', 'baseline.json', 'nginx.conf'], { cwd: root }).stderr).toMatch(/not a regular file/);
  });

  it('a config nested 100,000 levels deep is a config error naming the file, not a crash', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n', '.nginx-lint.json': `{"services":${'['.repeat(100_000)}${']'.repeat(100_000)}}` });
    const run = runCli(['nginx.conf'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.nginx-lint.json');
    expect(run.stderr).toContain('nests deeper than 64 levels');
    expect(run.stderr).not.toContain('internal error');
  });
});

describe('writing: never through a committed link', () => {
  it.each([
    [
      '-o to a symlink',
      (root: string, target: string) => {
        symlinkSync(target, path.join(root, 'report.sarif'));
        return runCli(['-f', 'sarif', '-o', 'report.sarif', 'nginx.conf'], { cwd: root });
      },
    ],
    [
      '--update-baseline through a symlink',
      (root: string, target: string) => {
        symlinkSync(target, path.join(root, 'baseline.json'));
        return runCli(['--baseline', 'baseline.json', '--update-baseline', 'nginx.conf'], { cwd: root });
      },
    ],
    [
      '--init through a dangling .nginx-lint.json',
      (root: string, target: string) => {
        symlinkSync(`${target}.new`, path.join(root, '.nginx-lint.json'));
        return runCli(['--init'], { cwd: root });
      },
    ],
  ])('%s is refused and the link target is untouched', (_name, act) => {
    const outside = elsewhere({ victim: 'precious\n' });
    const root = project({ 'nginx.conf': 'events {}\nhttp {\n    frobnicate on;\n}\n' });
    const run = act(root, path.join(outside, 'victim'));
    expect(run.status).toBe(2);
    expect(readFileSync(path.join(outside, 'victim'), 'utf8')).toBe('precious\n');
    expect(existsSync(path.join(outside, 'victim.new'))).toBe(false);
  });
});

describe('output: inert in every format', () => {
  const root = project({
    // A quoted directive name may hold anything: a terminal escape, a bell, a line that looks like a workflow command.
    'nginx.conf': 'events {}\nhttp {\n    "evil\u001b[2J\u0007\n::error file=README.md,line=1::INJECTED ##[error]x" on;\n}\n',
  });

  it.each(['stylish', 'compact', 'github', 'junit', 'checkstyle'])('%s: no control character, no injected command line', (format) => {
    const run = runCli(['-f', format, 'nginx.conf'], { cwd: root });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toMatch(/[\u001b\u0007]/);
    expect(run.stdout).not.toContain('##[error]');
    const commandLines = run.stdout.split('\n').filter((line) => line.trimStart().startsWith('::'));
    // Only the github format prints commands, one per finding, and none is the injected one.
    if (format === 'github') for (const line of commandLines) expect(line).toMatch(/^::(error|warning) file=nginx\.conf,/);
    else expect(commandLines).toEqual([]);
  });
});

describe('configuration from the repository stays inside it', () => {
  it('extends, serviceFiles and a plugin path outside the repository are not read, even with --allow-plugins', () => {
    const outside = elsewhere({
      'base.json': '{"rules":{"unknown-directive":"off"}}',
      'compose.yaml': `services:\n  x:\n    ports: ["${SECRET}"]\n`,
      'evil.mjs': 'export const rules = [];\n',
    });
    const base = project({ 'nginx.conf': 'events {}\nhttp {}\n' });
    writeFileSync(path.join(base, '.nginx-lint.json'), JSON.stringify({ extends: path.join(outside, 'base.json') }));
    const extendsRun = runCli(['nginx.conf'], { cwd: base });
    expect(extendsRun.status).toBe(2);
    expect(extendsRun.stderr).toContain('extends a file outside the repository');

    writeFileSync(path.join(base, '.nginx-lint.json'), JSON.stringify({ serviceFiles: [path.join(outside, '*.yaml')] }));
    const services = runCli(['nginx.conf'], { cwd: base });
    expect(services.stdout + services.stderr).not.toContain('supersecrethash');
    expect(services.stderr).toContain('reaches outside the repository');

    writeFileSync(path.join(base, '.nginx-lint.json'), JSON.stringify({ plugins: [path.join(outside, 'evil.mjs')] }));
    const plugin = runCli(['--allow-plugins', 'nginx.conf'], { cwd: base });
    expect(plugin.status).toBe(2);
    expect(plugin.stderr).toContain('is outside the repository');
  });

  it('a glob with nested extglobs in ignores does not stall the run: it is refused', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n', [`${'a'.repeat(40)}.conf`]: 'events {}\n' });
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ ignores: ['+(+(+(+(+(a))))).conf', `${'*'.repeat(300)}`] }));
    const started = Date.now();
    const run = runCli(['.'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('extglobs');
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
