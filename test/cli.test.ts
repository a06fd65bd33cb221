/**
 * The command line as a real process, `node bin/nginx-lint.cjs`: what only a process shows — its exit status, standard
 * input, --help and --version (yargs prints them through the console), a reader closing the pipe, a plugin loaded by
 * the bundled CLI. Every flag's behaviour is tested in process, through main(argv), in cli-main.test.ts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LintMessage, LintResult } from '../src/lint/results.js';
import { CLI_PATH, cliEnvironment, repoRoot, runCli, temporaryProjects, type CliRun } from './helpers/cli.js';

const writeProject = temporaryProjects();

const CLEAN = `events {}
http {
    server {
        listen 80;
        location / { return 200; }
    }
}
`;
/** One finding: unknown-directive (an error by default) at 5:9. */
const TYPO = CLEAN.replace('location /', 'locaton /');
/** A second, unrelated finding: unknown-directive at 4:9. */
const TWO_TYPOS = TYPO.replace('listen 80;', 'listen 80;\n        servr_name shop;');

/** A line of a JavaScript stack trace. */
const STACK_LINE = /^ {4}at /m;

function parseJson(run: CliRun): LintResult[] {
  return JSON.parse(run.stdout) as LintResult[];
}

function messagesOf(run: CliRun): (LintMessage & { filePath: string })[] {
  return parseJson(run).flatMap((result) => result.messages.map((message) => ({ ...message, filePath: result.filePath })));
}

/** Exit 2, nothing on stdout, and `nginx-lint: <why>` on stderr with no stack trace. */
function expectFailure(run: CliRun, why: string | RegExp): void {
  expect(run.status, run.stderr).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toMatch(/^nginx-lint: /);
  if (typeof why === 'string') expect(run.stderr).toContain(why);
  else expect(run.stderr).toMatch(why);
  expect(run.stderr).not.toMatch(STACK_LINE);
  expect(run.stderr).not.toContain('internal error');
}

describe('exit codes', () => {
  const root = writeProject({ 'clean.conf': CLEAN, 'typo.conf': TYPO, 'two.conf': TWO_TYPOS });
  const asWarnings = ['--rule', 'unknown-directive: warn'];

  it('0 and no output for a clean file', () => {
    expect(runCli(['clean.conf'], { cwd: root })).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('1 for an error finding', () => {
    const run = runCli(['typo.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('typo.conf');
    expect(run.stdout).toContain('5:9');
    expect(run.stdout).toContain('unknown directive "locaton": did you mean "location"?');
  });

  it('0 for warnings without --max-warnings, and up to --max-warnings', () => {
    expect(runCli([...asWarnings, 'two.conf'], { cwd: root }).status).toBe(0);
    expect(runCli([...asWarnings, '--max-warnings', '2', 'two.conf'], { cwd: root }).status).toBe(0);
  });

  it('1 for more warnings than --max-warnings, saying so on stderr', () => {
    const run = runCli([...asWarnings, '--max-warnings', '1', 'two.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toBe('nginx-lint: 2 warning(s), more than --max-warnings 1 allows\n');
  });
});

describe('usage errors: exit 2, one message, no stack trace', () => {
  const root = writeProject({ 'clean.conf': CLEAN });

  it.each<[string, string[], string]>([
    ['an unknown flag', ['--bogus', 'clean.conf'], 'Unknown argument: bogus'],
    ['--fix with --stdin', ['--fix', '--stdin'], '--fix cannot write to standard input; use --fix-dry-run'],
  ])('%s', (_, args, why) => {
    const run = runCli(args, { cwd: root, input: CLEAN });
    expectFailure(run, why);
    expect(run.stderr).toContain('Run nginx-lint --help for usage.');
  });
});

describe('--version and --help', () => {
  const root = writeProject();
  const declaredOptions = [...readFileSync(path.join(repoRoot, 'src/cli/main.ts'), 'utf8').matchAll(/\.option\('([a-z-]+)'/g)].map(
    (match) => match[1]!,
  );

  it('--version (-v) prints the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    expect(runCli(['--version'], { cwd: root })).toEqual({ status: 0, stdout: `${version}\n`, stderr: '' });
    expect(runCli(['-v'], { cwd: root }).stdout).toBe(`${version}\n`);
  });

  it('--help (-h) describes every option', () => {
    expect(declaredOptions.length).toBeGreaterThan(20);
    for (const flag of ['--help', '-h']) {
      const run = runCli([flag], { cwd: root });
      expect(run.status, run.stderr).toBe(0);
      for (const option of declaredOptions) expect(run.stdout).toContain(`--${option}`);
    }
  });

  it('docs/cli.md documents every option', () => {
    const docs = readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
    const undocumented = declaredOptions.filter((option) => !docs.includes(`--${option}`) && !docs.includes(`--no-${option}`));
    expect(undocumented).toEqual([]);
  });
});

describe('standard input', () => {
  const root = writeProject({
    'site/.nginx-lint.json': JSON.stringify({ rules: { 'unknown-directive': 'warn' } }),
    'site/nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    'site/conf.d/app.conf': 'server {\n    listen 80;\n    locaton / { return 200; }\n}\n',
  });

  it('--stdin lints the text as <stdin>', () => {
    const run = runCli(['--stdin'], { cwd: root, input: TYPO });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^<stdin>\n {2}5:9 {2}error/);
  });

  it('- as an operand is standard input', () => {
    const run = runCli(['-'], { cwd: root, input: TYPO });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/^<stdin>\n/);
  });

  it('--stdin-filename names the text, picks its config and resolves its includes', () => {
    const entry = path.join(root, 'site/nginx.conf');
    const run = runCli(['--stdin', '--stdin-filename', 'site/nginx.conf', '--format', 'json'], { cwd: root, input: readFileSync(entry, 'utf8') });
    // site/.nginx-lint.json made the finding a warning.
    expect(run.status, run.stderr).toBe(0);
    expect(messagesOf(run).map((message) => [message.filePath, message.ruleId, message.severity, message.includedFrom])).toEqual([
      [path.join(root, 'site/conf.d/app.conf'), 'unknown-directive', 1, [`${entry}:3`]],
    ]);
  });

  it('--stdin-filename text wins over the file on disk', () => {
    const run = runCli(['--stdin', '--stdin-filename', 'site/conf.d/app.conf', '--format', 'json'], {
      cwd: root,
      input: 'server {\n    listen 80;\n}\n',
    });
    expect(run.status, run.stderr).toBe(0);
    expect(messagesOf(run)).toEqual([]);
  });
});

describe('an nginx -T dump', () => {
  // What `nginx -T` prints: each file it read after a marker naming it, the main config first.
  const dump = [
    '# configuration file /etc/nginx/nginx.conf:',
    'events {}',
    'http {',
    '    include /etc/nginx/conf.d/*.conf;',
    '}',
    '',
    '# configuration file /etc/nginx/conf.d/shop.conf:',
    'server {',
    '    listen 80;',
    '    locaton / { return 200; }',
    '}',
    '',
  ].join('\n');
  const root = writeProject({ 'dump.txt': dump });
  const expected = [['/etc/nginx/conf.d/shop.conf', 3, 'unknown-directive', ['/etc/nginx/nginx.conf:3']]];
  const findingsOf = (run: CliRun) => messagesOf(run).map((message) => [message.filePath, message.line, message.ruleId, message.includedFrom]);

  it('on stdin: findings are reported under the paths the dump names', () => {
    const run = runCli(['--stdin', '--format', 'json'], { cwd: root, input: dump });
    expect(run.status, run.stderr).toBe(1);
    expect(findingsOf(run)).toEqual(expected);
    expect(parseJson(run).map((result) => result.filePath)).toEqual(['/etc/nginx/conf.d/shop.conf', '/etc/nginx/nginx.conf']);
  });
});

describe('a closed pipe', () => {
  it('a reader that closes the pipe early ends the run quietly', async () => {
    const root = writeProject();
    const child = spawn(process.execPath, [CLI_PATH, '--list-rules'], { cwd: root, env: cliEnvironment(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(0);
  });

  /** 3,000 unknown-directive errors: a JSON report of ~1 MB, far more than a pipe holds. */
  const MANY_ERRORS = `events {}\nhttp {\n    server {\n${'        proxy_pas http://backend;\n'.repeat(3000)}    }\n}\n`;

  it('a report larger than the pipe holds reaches a reader that waits before reading, whole', async () => {
    const root = writeProject({ 'many.conf': MANY_ERRORS });
    const child = spawn(process.execPath, [CLI_PATH, '--format', 'json', 'many.conf'], {
      cwd: root,
      env: cliEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stdout.resume();
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const report = Buffer.concat(chunks).toString('utf8');
    expect(report.length).toBeGreaterThan(2 ** 20);
    expect(status).toBe(1);
    expect((JSON.parse(report) as LintResult[])[0]!.messages.length).toBe(3000);
  });

  it('a reader that closes the pipe in the middle of a large report ends the run without more output', async () => {
    const root = writeProject({ 'many.conf': MANY_ERRORS });
    const child = spawn(process.execPath, [CLI_PATH, '--format', 'json', 'many.conf'], {
      cwd: root,
      env: cliEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(status).toBe(1);
  });
});

describe('a plugin, loaded by the bundled CLI', () => {
  it('the example reports through the config that names it', () => {
    const root = writeProject();
    const run = runCli(['--allow-plugins', '--format', 'json', path.join(repoRoot, 'examples/plugin/nginx.conf')], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(
      messagesOf(run)
        .filter((message) => message.ruleId === 'require-request-id')
        .map((message) => message.line),
    ).toEqual([27, 33]);
  });
});

describe('on a real terminal (a pseudo-terminal from util-linux script(1))', () => {
  const root = writeProject({ 'typo.conf': TYPO });
  const ANSI = /\u001b\[\d+m/;

  /** Runs the CLI on a terminal `columns` wide, with `env` added to an environment without NO_COLOR or FORCE_COLOR. */
  function onTerminal(columns: number, env: Readonly<Record<string, string>> = {}): string {
    const environment = { ...cliEnvironment(env) };
    if (!('NO_COLOR' in env)) delete environment.NO_COLOR;
    const command = `stty cols ${columns}; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} typo.conf`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: root, env: environment, encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(1);
    return run.stdout.replace(/\r\n/g, '\n');
  }

  it('colours the report and wraps the message to the terminal width', () => {
    const output = onTerminal(60);
    expect(output).toMatch(ANSI);
    const plain = output.replace(/\u001b\[\d+m/g, '');
    expect(plain).toContain('  5:9  error    unknown directive "locaton": did you mean\n                "location"?  unknown-directive\n');
    expect(onTerminal(200).replace(/\u001b\[\d+m/g, '')).toContain('unknown directive "locaton": did you mean "location"?  unknown-directive\n');
  });

  it('NO_COLOR turns colour off on a terminal; on a pipe there is none unless FORCE_COLOR', () => {
    expect(onTerminal(80, { NO_COLOR: '1' })).not.toMatch(ANSI);
    expect(runCli(['typo.conf'], { cwd: root }).stdout).not.toMatch(ANSI);
    const forced = runCli(['typo.conf'], { cwd: root, env: { NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stdout).toMatch(ANSI);
  });
});
