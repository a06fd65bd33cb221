/**
 * The project root as a boundary (src/load/file-access.ts), plugins, bounded readers and globs, and inert output in
 * every format: each attack of issue 10 built at test time, as a pull request from a fork would build it.
 * docs/security.md says what these guarantee. Every run is bounded by the CLI runner's timeout (a hang fails).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { runCli, temporaryProjects } from '../helpers/cli.js';
import { temporaryTrees } from '../helpers/files.js';

const project = temporaryProjects();
const elsewhere = temporaryTrees();
const SECRET = 'root:$6$supersecrethash:19000:0:99999:7:::';
const FORMATS = ['stylish', 'json', 'sarif', 'github', 'compact', 'checkstyle', 'junit', 'gitlab'];
/** A config nginx-lint has a safe fix for: the fix adds proxy_busy_buffers_size 16k. */
const FIXABLE =
  'events {}\nhttp {\n    server {\n        location /o/ {\n            proxy_pass http://127.0.0.1:8000;\n            proxy_buffer_size 16k;\n        }\n    }\n}\n';
const SERVER_FIXABLE = 'server {\n    location /o/ {\n        proxy_pass http://127.0.0.1:8000;\n        proxy_buffer_size 16k;\n    }\n}\n';

function everyFormat(args: readonly string[], cwd: string): string {
  return FORMATS.map((format) => {
    const run = runCli(['-f', format, ...args], { cwd });
    return run.stdout + run.stderr;
  }).join('\n');
}

describe('the project root', () => {
  it('an operand that links out of the repository is neither read, printed nor fixed', () => {
    const outside = elsewhere({ 'site.conf': `${SECRET};\n${FIXABLE}` });
    const root = project({});
    symlinkSync(path.join(outside, 'site.conf'), path.join(root, 'link.conf'));
    const run = runCli(['--fix', 'link.conf'], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('outside the project root');
    expect(run.stdout + run.stderr).not.toContain('supersecrethash');
    expect(readFileSync(path.join(outside, 'site.conf'), 'utf8')).toBe(`${SECRET};\n${FIXABLE}`);
  });

  it('an include through a committed symlink is a warning that says it was not read, and --fix leaves the target alone', () => {
    const outside = elsewhere({ 'site.conf': SERVER_FIXABLE });
    const root = project({ 'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n' });
    mkdirSync(path.join(root, 'conf.d'));
    symlinkSync(path.join(outside, 'site.conf'), path.join(root, 'conf.d', 'x.conf'));
    const run = runCli(['-f', 'compact', '--fix', 'nginx.conf'], { cwd: root });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/warning: .*conf\.d\/x\.conf leads outside the project root .*: not read, so not checked.*\[include-not-found\]/);
    expect(run.stdout).not.toContain('nginx refuses to start');
    expect(readFileSync(path.join(outside, 'site.conf'), 'utf8')).toBe(SERVER_FIXABLE);
  });

  it('a glob whose folder is outside the root is not listed', () => {
    const outside = elsewhere({ 'secret-name-1.conf': 'server {}\n' });
    // An absolute include is a container path (unmapped: not read either); ../ reaches the host's folder itself.
    const root = project({ 'nginx.conf': `events {}\nhttp {\n    include ../../../../../../../../..${outside}/*.conf;\n}\n` });
    const output = everyFormat(['nginx.conf'], root);
    expect(output).not.toContain('secret-name-1');
    expect(output).toContain('leads outside the project root');
  });

  it('a file the user names on the command line may be read from outside the root', () => {
    const outside = elsewhere({ 'shared.conf': 'server { listen 80; }\n' });
    const root = project({ 'nginx.conf': `events {}\nhttp {\n    include ../../../../../../../../..${path.join(outside, 'shared.conf')};\n}\n` });
    const named = runCli(['-f', 'compact', 'nginx.conf', path.join(outside, 'shared.conf')], { cwd: root });
    expect(named.stdout).not.toContain('leads outside');
    const unnamed = runCli(['-f', 'compact', 'nginx.conf'], { cwd: root });
    expect(unnamed.stdout).toContain('leads outside the project root');
  });

  it('with no .git above the operand (a server linting its own config), absolute includes are read as nginx reads them', () => {
    const server = elsewhere({ 'site.conf': 'server { frobnicate on; }\n' });
    const host = elsewhere({ 'nginx.conf': `events {}\nhttp {\n    include ${path.join(server, 'site.conf')};\n}\n` });
    const run = runCli(['-f', 'compact', 'nginx.conf'], { cwd: host });
    expect(run.stdout).toContain('unknown directive "frobnicate"');
    expect(run.stderr).toContain("read as this machine's own configuration");
  });

  it('--root narrows the root; a config pathMap cannot map outside it, --path-map can', () => {
    const outside = elsewhere({ 'conf.d/site.conf': 'server { frobnicate on; }\n' });
    const root = project({ 'deploy/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n', 'other/x.conf': 'server {}\n' });
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ pathMap: { '/etc/nginx': path.relative(root, outside) } }));
    const fromConfig = runCli(['-f', 'compact', 'deploy/nginx.conf'], { cwd: root });
    expect(fromConfig.stdout).not.toContain('frobnicate');
    expect(fromConfig.stdout).not.toContain('site.conf');
    expect(fromConfig.stdout).toContain('leads outside the project root');
    // The operand after a repeated --path-map stays an operand (an array option would swallow it).
    const fromCli = runCli(
      ['-f', 'compact', '--no-config-lookup', '--path-map', '/srv/unused=other', '--path-map', `/etc/nginx=${outside}`, 'deploy/nginx.conf'],
      { cwd: root },
    );
    expect(fromCli.stdout).toContain('unknown directive "frobnicate"');
    const narrowed = runCli(['-f', 'compact', '--no-config-lookup', '--root', 'deploy', 'deploy/nginx.conf'], { cwd: root });
    expect(narrowed.status).toBeLessThan(2);
    writeFileSync(path.join(root, 'deploy/nginx.conf'), 'events {}\nhttp {\n    include ../other/x.conf;\n}\n');
    expect(runCli(['-f', 'compact', '--no-config-lookup', '--root', 'deploy', 'deploy/nginx.conf'], { cwd: root }).stdout).toContain('leads outside');
  });

  it('a compose.yaml linking out of the repository is not read', () => {
    const outside = elsewhere({ 'compose.yaml': `services:\n  x:\n    ports: ["${SECRET}"]\n` });
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n' });
    symlinkSync(path.join(outside, 'compose.yaml'), path.join(root, 'compose.yaml'));
    const output = everyFormat(['nginx.conf'], root);
    expect(output).not.toContain('supersecrethash');
    expect(output).toContain('leads outside the project root');
  });
});

describe('plugins', () => {
  const marker = (root: string) => path.join(root, 'PWNED');
  const evil = (root: string) => `require('fs').writeFileSync(${JSON.stringify(marker(root))}, 'x'); module.exports = { rules: [] };\n`;

  it('a plugin named by the repository, even two extends away, does not run, also under --print-config', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n' });
    writeFiles(root, {
      'b/evil.cjs': evil(root),
      'b/base.json': '{"plugins":["./evil.cjs"]}',
      'a/mid.json': '{"extends":"../b/base.json"}',
      '.nginx-lint.json': '{"extends":"./a/mid.json"}',
    });
    const run = runCli(['nginx.conf'], { cwd: root });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('plugin ./evil.cjs not loaded: pass --allow-plugins to run code from this repository');
    expect(runCli(['--print-config', 'nginx.conf'], { cwd: root }).status).toBe(0);
    expect(existsSync(marker(root))).toBe(false);
    // The user's own choice: --allow-plugins, or --plugin naming the file.
    expect(runCli(['--plugin', 'b/evil.cjs', '--no-config-lookup', 'nginx.conf'], { cwd: root }).status).toBe(0);
    expect(existsSync(marker(root))).toBe(true);
  });
});

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
}

describe('bounded readers and globs', () => {
  it.each([
    ['ignores', { ignores: [`${'a*'.repeat(60)}b`] }],
    ['serviceFiles', { serviceFiles: ['*?*?*?*?*?*?*?b'] }],
    ['overrides', { overrides: [{ files: ['+(+(+(a)))'], rules: {} }] }],
    ['a long pattern', { ignores: ['x'.repeat(300)] }],
  ])('a glob in %s that could backtrack is a config error naming it, at once', (_name, config) => {
    const root = project({
      'nginx.conf': 'events {}\nhttp {}\n',
      [`${'a'.repeat(200)}c.conf`]: 'events {}\n',
      '.nginx-lint.json': JSON.stringify(config),
    });
    const started = Date.now();
    const run = runCli(['.'], { cwd: root });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('.nginx-lint.json');
  });

  it('YAML nested past 64 levels is refused naming the file; a baseline nested 100,000 levels too', () => {
    let yaml = 'services:\n  x:\n    labels:\n';
    for (let level = 0; level < 100; level++) yaml += `${'  '.repeat(3 + level)}k${level}:\n`;
    const root = project({ 'nginx.conf': 'events {}\nhttp {}\n', 'compose.yaml': `${yaml}${'  '.repeat(103)}v\n` });
    const run = runCli(['-f', 'compact', 'nginx.conf'], { cwd: root });
    expect(run.stdout).toContain('compose.yaml: cannot be read: nests deeper than 64 levels');
    writeFileSync(path.join(root, 'baseline.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    const baseline = runCli(['--baseline', 'baseline.json', 'nginx.conf'], { cwd: root });
    expect(baseline.status).toBe(2);
    expect(baseline.stderr).toContain('baseline.json');
    expect(baseline.stderr).not.toContain('internal error');
  });

  it('-o to a FIFO or a folder is refused, not waited on', () => {
    const root = project({ 'nginx.conf': 'events {}\nhttp {\n    frobnicate on;\n}\n' });
    execFileSync('mkfifo', [path.join(root, 'report.txt')]);
    mkdirSync(path.join(root, 'folder'));
    for (const target of ['report.txt', 'folder']) {
      const run = runCli(['-o', target, 'nginx.conf'], { cwd: root });
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/(cannot|refusing to) write .*(not a regular file|is a directory)/);
    }
  });
});

describe('output', () => {
  const NAME = 'ev\u001b[31mil\u0007\u009bx\r\n::error file=a::INJ ##[error]y.conf';
  const root = project({
    [`conf.d/${NAME}`]: 'events {}\nhttp {\n    "q\u001b]0;t\u0007\u009bz\rw\n::warning::Q" on;\n    "line\none" on;\n}\n',
    'binary.conf': `events {}\nhttp {\n    "\u0001\u0002\u0003${'\u00ff'.repeat(10)}" on;\n    ${'y'.repeat(500)} on;\n}\n`,
  });
  const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it.each(FORMATS)('%s: no control character, no injected command, no raw line break in an attribute', (format) => {
    const run = runCli(['-f', format, 'conf.d', 'binary.conf'], { cwd: root });
    expect(run.status).toBe(1);
    // stylish's code frames show the source line itself (inert, from a file inside the root); the rest is checked.
    const reported = run.stdout
      .split('\n')
      .filter((line) => !/^\s+[> ] +\d+ \|/.test(line))
      .join('\n');
    expect(run.stdout.replace(/\n/g, '')).not.toMatch(CONTROL);
    expect(run.stdout).not.toContain('##[');
    const commandLines = run.stdout.split('\n').filter((line) => line.trimStart().startsWith('::'));
    if (format === 'github')
      for (const line of commandLines) expect(line).toMatch(/^::(error|warning) file=(conf\.d\/ev|binary\.conf)[^\n]*,line=\d/);
    else expect(commandLines).toEqual([]);
    // Binary-looking tokens are not echoed; long ones are cut.
    expect(reported).toContain('characters that are not text');
    expect(reported).not.toContain('ÿÿÿ');
    expect(reported).not.toContain('y'.repeat(100));
    if (format === 'json' || format === 'sarif' || format === 'gitlab') JSON.parse(run.stdout);
    if (format === 'junit' || format === 'checkstyle') {
      new XMLParser({ ignoreAttributes: false }).parse(run.stdout);
      for (const attribute of run.stdout.match(/="[^"]*"/g) ?? []) expect(attribute).not.toMatch(/[\r\n]/);
    }
  });

  it('a quoted token spanning lines gives regions that never end before they start', () => {
    const spanning = project({ 'nginx.conf': 'events {}\nhttp {\n    server {\n        proxy_pass "http://a\n  b";\n    }\n}\n' });
    const sarif = JSON.parse(runCli(['-f', 'sarif', 'nginx.conf'], { cwd: spanning }).stdout) as {
      runs: {
        results: {
          locations?: { physicalLocation: { region?: { startLine: number; startColumn?: number; endLine?: number; endColumn?: number } } }[];
        }[];
      }[];
    };
    for (const result of sarif.runs[0]!.results) {
      const region = result.locations?.[0]?.physicalLocation.region;
      if (!region || region.endLine === undefined) continue;
      expect(region.endLine).toBeGreaterThanOrEqual(region.startLine);
      if (region.endLine === region.startLine && region.endColumn !== undefined)
        expect(region.endColumn).toBeGreaterThanOrEqual(region.startColumn ?? 1);
    }
    for (const line of runCli(['-f', 'github', 'nginx.conf'], { cwd: spanning }).stdout.split('\n')) {
      const match = /line=(\d+),col=(\d+),endLine=(\d+),endColumn=(\d+)/.exec(line);
      if (!match) continue;
      const [, line1, col1, line2, col2] = match.map(Number);
      expect(line2! > line1! || (line2 === line1 && col2! >= col1!)).toBe(true);
    }
  });
});
