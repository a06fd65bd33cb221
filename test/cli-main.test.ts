/**
 * The command line in process: every flag of src/cli/main.ts and the exit code each outcome gives (0 clean or
 * warnings within --max-warnings, 1 errors or too many warnings, 2 usage, configuration, input or internal error),
 * through `main(argv)` with stdout and stderr captured, in a project directory of its own. What needs a real process
 * (the exit status itself, standard input, --help/--version, a closed pipe, the bin wiring) is in cli.test.ts;
 * `--fix` has its own file, cli-fix.test.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { builtinRules } from '../rules/index.js';
import type { LintMessage, LintResult } from '../src/lint/results.js';
import { DEFAULT_NGINX_VERSION } from '../src/nginx/version.js';
import { repoRoot, runMain, temporaryProjects, type CliRun } from './helpers/cli.js';

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
const ANSI = /\u001b\[/;

function parseJson(run: CliRun): LintResult[] {
  return JSON.parse(run.stdout) as LintResult[];
}

function messagesOf(run: CliRun): (LintMessage & { filePath: string })[] {
  return parseJson(run).flatMap((result) => result.messages.map((message) => ({ ...message, filePath: result.filePath })));
}

function ruleIdsOf(run: CliRun): (string | null)[] {
  return messagesOf(run).map((message) => message.ruleId);
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

describe('usage errors: exit 2, one message, no stack trace', () => {
  const root = writeProject({ 'clean.conf': CLEAN });

  it.each<[string, string[], string | RegExp]>([
    ['an unknown flag', ['--bogus', 'clean.conf'], 'Unknown argument: bogus'],
    ['a --format that does not exist', ['--format', 'xml', 'clean.conf'], /Invalid values:[\s\S]*Given: "xml"/],
    ['a --context that does not exist', ['--context', 'body', 'clean.conf'], /Invalid values:[\s\S]*Given: "body"/],
    ['--fix with --fix-dry-run', ['--fix', '--fix-dry-run', 'clean.conf'], '--fix and --fix-dry-run cannot be combined'],
    ['no files', [], 'no files given'],
    ['--update-baseline without --baseline', ['--update-baseline', 'clean.conf'], '--update-baseline needs --baseline FILE'],
    ['a --max-warnings that is not a number', ['--max-warnings', 'many', 'clean.conf'], '--max-warnings needs a whole number'],
    [
      'a malformed --nginx-version',
      ['--nginx-version', '1.25', 'clean.conf'],
      '--nginx-version: invalid nginx version "1.25": expected major.minor.patch',
    ],
  ])('%s', async (_, args, why) => {
    const run = await runMain(args, { cwd: root });
    expectFailure(run, why);
    expect(run.stderr).toContain('Run nginx-lint --help for usage.');
  });
});

describe('configuration errors name the file, the JSON pointer and what was meant', () => {
  it.each<[string, string, string]>([
    ['an unknown key', '{ "rulez": {} }', 'nginx-lint: conf/.nginx-lint.json:1:3: /rulez: unknown key "rulez" — did you mean "rules"?\n'],
    [
      'a value of the wrong type',
      '{ "rules": ["unknown-directive"] }',
      'nginx-lint: conf/.nginx-lint.json:1:3: /rules: expected object, got array\n',
    ],
    [
      'an unknown rule',
      '{ "rules": { "unknown-directiv": "warn" } }',
      'nginx-lint: conf/.nginx-lint.json:1:14: /rules/unknown-directiv: unknown rule — did you mean "unknown-directive"?\n',
    ],
    [
      'a misspelt severity',
      '{ "rules": { "unknown-directive": "warning" } }',
      'nginx-lint: conf/.nginx-lint.json:1:14: /rules/unknown-directive: expected one of "off", "warn", "error", got "warning" — did you mean "warn"?\n',
    ],
    ['invalid JSON', '{ "rules": {}, }', 'nginx-lint: conf/.nginx-lint.json:1:14: invalid JSON: trailing comma\n'],
  ])('%s', async (_, config, message) => {
    const root = writeProject({ 'conf/.nginx-lint.json': config, 'conf/nginx.conf': CLEAN });
    const run = await runMain(['conf/nginx.conf'], { cwd: root });
    expectFailure(run, message);
    expect(run.stderr).toBe(message);
  });

  it('an unknown rule in --rule, with what was meant', async () => {
    const root = writeProject({ 'clean.conf': CLEAN });
    const run = await runMain(['--rule', 'unknown-directiv: off', 'clean.conf'], { cwd: root });
    expectFailure(run, '--rule "unknown-directiv: off": unknown rule — did you mean "unknown-directive"?');
  });
});

describe('input errors', () => {
  const root = writeProject({ 'empty/README.txt': 'no nginx config here\n', 'binary.conf': new Uint8Array([0x65, 0x76, 0x00, 0x6e]) });

  it('a file that does not exist', async () => {
    expectFailure(await runMain(['missing.conf'], { cwd: root }), 'no nginx configuration files match "missing.conf"');
  });

  it('a directory without nginx configs', async () => {
    expectFailure(await runMain(['empty'], { cwd: root }), 'no nginx configuration files match "empty"');
  });

  it('a binary file', async () => {
    expectFailure(
      await runMain(['binary.conf'], { cwd: root }),
      `${path.join(root, 'binary.conf')}: binary data (a NUL byte), not an nginx configuration file`,
    );
  });
});

describe('--debug', () => {
  const root = writeProject({ '.nginx-lint.json': '{ "rulez": {} }', 'nginx.conf': CLEAN });

  it('adds the stack trace to a failure, which is otherwise one line', async () => {
    const plain = await runMain(['nginx.conf'], { cwd: root });
    expect(plain.stderr).not.toMatch(STACK_LINE);
    const debug = await runMain(['--debug', 'nginx.conf'], { cwd: root });
    expect(debug.status).toBe(2);
    expect(debug.stderr.split('\n')[0]).toBe(plain.stderr.split('\n')[0]);
    expect(debug.stderr).toMatch(STACK_LINE);
  });
});

describe('--format', () => {
  const root = writeProject({ 'typo.conf': TYPO });
  const lintAs = async (format: string) => {
    const run = await runMain(['--format', format, 'typo.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    return run.stdout;
  };

  it('stylish (the default): the file, line:column, severity, message and rule', async () => {
    const output = (await runMain(['typo.conf'], { cwd: root })).stdout;
    expect(await lintAs('stylish')).toBe(output);
    expect(output).toMatch(/^typo\.conf\n {2}5:9 {2}error {4}unknown directive "locaton": did you mean "location"\? {2}unknown-directive$/m);
    expect(output).toContain('suggestion: Rename to "location"');
    expect(output).toContain('✖ 1 problem (1 error, 0 warnings)');
  });

  it("json: ESLint's shape", async () => {
    const results = JSON.parse(await lintAs('json')) as unknown;
    expect(results).toEqual([
      {
        filePath: path.join(root, 'typo.conf'),
        messages: [
          {
            ruleId: 'unknown-directive',
            severity: 2,
            message: 'unknown directive "locaton": did you mean "location"?',
            messageId: 'didYouMean',
            data: { nginxMessage: 'unknown directive "locaton"', suggestion: 'location' },
            line: 5,
            column: 9,
            endLine: 5,
            endColumn: 16,
            suggestions: [{ desc: 'Rename to "location"', fix: { range: [57, 64], text: 'location' } }],
          },
        ],
        errorCount: 1,
        warningCount: 0,
        fixableErrorCount: 0,
        fixableWarningCount: 0,
        nginxVersion: { version: DEFAULT_NGINX_VERSION, source: 'default', origin: 'the default; set nginxVersion or --nginx-version' },
      },
    ]);
  });

  it('-f is --format', async () => {
    expect((await runMain(['-f', 'json', 'typo.conf'], { cwd: root })).stdout).toBe(await lintAs('json'));
  });

  it('sarif: a SARIF 2.1.0 log with the finding', async () => {
    const log = JSON.parse(await lintAs('sarif')) as {
      version: string;
      runs: { tool: { driver: { name: string } }; results: { ruleId: string }[] }[];
    };
    expect(log.version).toBe('2.1.0');
    expect(log.runs[0]!.tool.driver.name).toBe('nginx-lint');
    expect(log.runs[0]!.results.map((result) => result.ruleId)).toEqual(['unknown-directive']);
  });

  it('github: a workflow command per finding', async () => {
    expect(await lintAs('github')).toMatch(
      /^::error file=typo\.conf,line=5,col=9,endLine=5,endColumn=16,title=nginx-lint\(unknown-directive\)::unknown directive "locaton"/,
    );
  });

  it.each(['checkstyle', 'junit'])('%s: well-formed XML', async (format) => {
    const output = await lintAs(format);
    expect(output.startsWith('<?xml')).toBe(true);
    expect(XMLValidator.validate(output)).toBe(true);
    expect(output).toContain('unknown-directive');
  });

  it('gitlab: a Code Quality report', async () => {
    const issues = JSON.parse(await lintAs('gitlab')) as { check_name: string; location: { path: string; lines: { begin: number } } }[];
    expect(issues.map((issue) => [issue.check_name, issue.location.path, issue.location.lines.begin])).toEqual([
      ['unknown-directive', 'typo.conf', 5],
    ]);
  });

  it('compact: one line per finding', async () => {
    expect(await lintAs('compact')).toBe('typo.conf:5:9: error: unknown directive "locaton": did you mean "location"? [unknown-directive]\n');
  });
});

describe('--output-file, --color and --no-color', () => {
  const root = writeProject({ 'typo.conf': TYPO });

  it('-o writes the report to the file and nothing to stdout, without ANSI codes even when colour is forced', async () => {
    const run = await runMain(['--color', '-o', 'report.txt', 'typo.conf'], { cwd: root, env: { FORCE_COLOR: '1' } });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
    const report = readFileSync(path.join(root, 'report.txt'), 'utf8');
    expect(report).toContain('unknown-directive');
    expect(report).not.toMatch(ANSI);
  });

  it('--output-file with a machine format', async () => {
    await runMain(['--format', 'json', '--output-file', 'report.json', 'typo.conf'], { cwd: root });
    expect((JSON.parse(readFileSync(path.join(root, 'report.json'), 'utf8')) as LintResult[])[0]!.errorCount).toBe(1);
  });

  it('--color colours stylish output on a pipe, and --no-color wins over FORCE_COLOR', async () => {
    expect((await runMain(['--color', 'typo.conf'], { cwd: root })).stdout).toMatch(ANSI);
    expect((await runMain(['--no-color', 'typo.conf'], { cwd: root, env: { FORCE_COLOR: '1' } })).stdout).not.toMatch(ANSI);
  });
});

describe('--quiet', () => {
  const root = writeProject({ 'two.conf': TWO_TYPOS });
  // Both typos become warnings.
  const asWarnings = ['--rule', 'unknown-directive: warn', '--format', 'json'];

  it('reports errors only', async () => {
    const config = writeProject({
      '.nginx-lint.json': JSON.stringify({ overrides: [{ files: ['warn.conf'], rules: { 'unknown-directive': 'warn' } }] }),
      'error.conf': TYPO,
      'warn.conf': TYPO,
    });
    const run = await runMain(['--quiet', '--format', 'json', 'error.conf', 'warn.conf'], { cwd: config });
    expect(run.status, run.stderr).toBe(1);
    expect(messagesOf(run).map((message) => [path.basename(message.filePath), message.severity])).toEqual([['error.conf', 2]]);
  });

  it('leaves a run with only warnings clean', async () => {
    const run = await runMain(['--quiet', ...asWarnings, 'two.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(messagesOf(run)).toEqual([]);
  });

  it('with --max-warnings still counts the warnings it does not report', async () => {
    const run = await runMain(['--quiet', '--max-warnings', '0', ...asWarnings, 'two.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(messagesOf(run)).toEqual([]);
    expect(run.stderr).toContain('2 warning(s), more than --max-warnings 0 allows');
  });
});

describe('--config and --no-config-lookup', () => {
  const root = writeProject({
    'site/.nginx-lint.json': JSON.stringify({ rules: { 'unknown-directive': 'off' } }),
    'site/nginx.conf': TYPO,
    'shared/as-warning.json': JSON.stringify({ rules: { 'unknown-directive': 'warn' } }),
  });

  it('looks up the nearest .nginx-lint.json by default', async () => {
    expect((await runMain(['site/nginx.conf'], { cwd: root })).status).toBe(0);
  });

  it('--no-config-lookup ignores it', async () => {
    expect((await runMain(['--no-config-lookup', 'site/nginx.conf'], { cwd: root })).status).toBe(1);
  });

  it('--config (-c) uses the given file instead', async () => {
    for (const flag of ['--config', '-c']) {
      const run = await runMain([flag, 'shared/as-warning.json', '--format', 'json', 'site/nginx.conf'], { cwd: root });
      expect(run.status, run.stderr).toBe(0);
      expect(messagesOf(run).map((message) => message.severity)).toEqual([1]);
    }
  });

  it('stops looking at the repository root', async () => {
    const outside = writeProject({
      '.nginx-lint.json': JSON.stringify({ rules: { 'unknown-directive': 'off' } }),
      'repo/.git/HEAD': '',
      'repo/nginx.conf': TYPO,
    });
    expect((await runMain(['repo/nginx.conf'], { cwd: outside })).status).toBe(1);
  });
});

describe('--rule', () => {
  const root = writeProject({
    '.nginx-lint.json': JSON.stringify({ services: { api: { port: 3000, p99: '2s' } } }),
    'nginx.conf': CLEAN.replace('return 200;', 'proxy_pass http://api:3000; proxy_read_timeout 3s;'),
    'typo.conf': TYPO,
  });

  it.each([
    ['before the files', ['--rule', 'unknown-directive: off', 'typo.conf']],
    ['after the files', ['typo.conf', '--rule', 'unknown-directive: off']],
  ])("'id: off' %s turns the rule off", async (_, args) => {
    expect(await runMain(args, { cwd: root })).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it.each([
    ['before the files', ['--rule', 'proxy-timeout-below-p99: [warn, {"headroom": 1}]', '--format', 'json', 'nginx.conf']],
    ['after the files', ['--format', 'json', 'nginx.conf', '--rule', 'proxy-timeout-below-p99: [warn, {"headroom": 1}]']],
  ])("'id: [warn, {options}]' %s sets severity and options", async (_, args) => {
    // With the default headroom of 20%, 3s is enough for a P99 of 2s; with 100% it must be 4s.
    expect((await runMain(['nginx.conf'], { cwd: root })).status).toBe(0);
    const run = await runMain(args, { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(messagesOf(run).map((message) => [message.ruleId, message.severity, message.line])).toEqual([['proxy-timeout-below-p99', 1, 5]]);
    expect(messagesOf(run)[0]!.detail).toContain('plus 100% headroom, 4s');
  });

  it('repeats, the last setting of a rule winning', async () => {
    const run = await runMain(['--rule', 'unknown-directive: off', 'typo.conf', '--rule', 'unknown-directive: warn', '--format', 'json'], {
      cwd: root,
    });
    expect(messagesOf(run).map((message) => message.severity)).toEqual([1]);
  });

  it('options the rule does not take are a configuration error', async () => {
    const run = await runMain(['--rule', 'unknown-directive: [warn, {"distance": 2}]', 'typo.conf'], { cwd: root });
    expectFailure(run, '--rule "unknown-directive: [warn, {\\"distance\\": 2}]": /1: this rule takes no options');
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

  it('as a file operand: findings are reported under the paths the dump names', async () => {
    expect(findingsOf(await runMain(['--format', 'json', 'dump.txt'], { cwd: root }))).toEqual(expected);
  });
});

describe('--print-config', () => {
  const root = writeProject({
    'site/.nginx-lint.json': JSON.stringify({ extends: 'nginx-lint:strict', rules: { 'unknown-directive': 'warn' }, nginxVersion: '1.26.3' }),
    'site/nginx.conf': CLEAN,
    'other/nginx.conf': CLEAN,
  });

  it('prints the configuration that applies to a file', async () => {
    const run = await runMain(['--print-config', 'site/nginx.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      configFile: string;
      extends: string[];
      nginxVersion: string;
      requireSuppressionReason: boolean;
      rules: Record<string, unknown>;
    };
    expect(printed.configFile).toBe(path.join(root, 'site/.nginx-lint.json'));
    expect(printed.extends).toEqual(['nginx-lint:strict']);
    expect(printed.nginxVersion).toBe('1.26.3');
    expect(printed.requireSuppressionReason).toBe(true);
    expect(printed.rules['unknown-directive']).toBe('warn');
    expect(printed.rules['syntax-error']).toBe('error');
  });

  it('says when no config file applies', async () => {
    const printed = JSON.parse((await runMain(['--print-config', 'other/nginx.conf'], { cwd: root })).stdout) as {
      configFile: string | null;
      extends: string[];
    };
    expect(printed.configFile).toBeNull();
    expect(printed.extends).toEqual(['nginx-lint:recommended']);
  });
});

describe('--init', () => {
  it('writes a starter config that the linter then accepts, and refuses to overwrite it', async () => {
    const root = writeProject({ 'nginx.conf': CLEAN });
    const configPath = path.join(root, '.nginx-lint.json');
    const first = await runMain(['--init'], { cwd: root });
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Wrote .nginx-lint.json');
    const written = readFileSync(configPath, 'utf8');
    expect(JSON.parse(written)).toMatchObject({ extends: 'nginx-lint:recommended' });
    // No node_modules/nginx-lint here and no homepage in package.json: no $schema an editor could not load.
    expect(JSON.parse(written)).not.toHaveProperty('$schema');
    expect(first.stdout).toContain('No "$schema" written');
    expect((await runMain(['nginx.conf'], { cwd: root })).status).toBe(0);
    expect((JSON.parse((await runMain(['--print-config', 'nginx.conf'], { cwd: root })).stdout) as { configFile: string }).configFile).toBe(
      configPath,
    );

    const second = await runMain(['--init'], { cwd: root });
    expect(second.status).toBe(2);
    expect(second.stderr).toBe('nginx-lint: .nginx-lint.json already exists; not overwriting it\n');
    expect(readFileSync(configPath, 'utf8')).toBe(written);
  });
});

describe('--list-rules and --explain', () => {
  const root = writeProject();

  it('--list-rules lists every rule with its description, severity and category', async () => {
    const run = await runMain(['--list-rules'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => line.split(/\s+/)[0])).toEqual(builtinRules.map((rule) => rule.meta.id).sort());
    for (const line of lines) expect(line).toMatch(/^[a-z0-9-]+ +\S.* \((error|warn), [a-z]+(, fixable)?\)$/);
  });

  it('--explain prints the rule page', async () => {
    const run = await runMain(['--explain', 'proxy-keepalive-disabled'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(readFileSync(path.join(repoRoot, 'docs/rules/proxy-keepalive-disabled.md'), 'utf8'));
  });

  it.each(['proxy-keepalive', '../README'])('--explain %s: no such rule, exit 2', async (name) => {
    expectFailure(await runMain(['--explain', name], { cwd: root }), `no rule named "${name}"; see nginx-lint --list-rules`);
  });
});

describe('--nginx-version', () => {
  // Before nginx 1.29.7, proxied requests send "Connection: close" unless proxy_set_header Connection "" is set.
  const root = writeProject({
    'nginx.conf': CLEAN.replace('return 200;', 'proxy_pass http://app; proxy_http_version 1.1;').replace(
      '    server {',
      '    upstream app { server 127.0.0.1:3000; keepalive 8; }\n    server {',
    ),
  });

  it('decides what the version-dependent rules assume', async () => {
    const old = await runMain(['--nginx-version', '1.22.1', '--format', 'json', 'nginx.conf'], { cwd: root });
    expect(ruleIdsOf(old)).toEqual(['proxy-keepalive-disabled']);
    expect(messagesOf(old)[0]!.detail).toContain('sends "Connection: close"');
    const current = await runMain(['--nginx-version', '1.30.0', '--format', 'json', 'nginx.conf'], { cwd: root });
    expect(ruleIdsOf(current)).toEqual([]);
  });

  it('a malformed version is a usage error, not an internal one', async () => {
    expectFailure(await runMain(['--nginx-version', 'latest', 'nginx.conf'], { cwd: root }), '--nginx-version: invalid nginx version "latest"');
  });
});

describe('--prefix', () => {
  const root = writeProject({
    'conf/nginx.conf': CLEAN.replace('location / { return 200; }', 'include snippets/app.conf;'),
    'prefix/snippets/app.conf': 'locaton / { return 200; }\n',
  });

  it('relative includes resolve against the main file’s directory by default', async () => {
    const run = await runMain(['--format', 'json', 'conf/nginx.conf'], { cwd: root });
    expect(ruleIdsOf(run)).toEqual(['include-not-found']);
    expect(messagesOf(run)[0]!.message).toContain(`open() "${path.join(root, 'conf/snippets/app.conf')}" failed`);
  });

  it.each(['--prefix', '-p'])('%s resolves them against the given directory', async (flag) => {
    const run = await runMain([flag, 'prefix', '--format', 'json', 'conf/nginx.conf'], { cwd: root });
    expect(messagesOf(run).map((message) => [message.filePath, message.ruleId])).toEqual([
      [path.join(root, 'prefix/snippets/app.conf'), 'unknown-directive'],
    ]);
  });
});

describe('--context and the context pragma', () => {
  const root = writeProject({
    'server-snippet.conf': 'listen 80;\nserver_name shop;\n',
    'location-pragma.conf': '# nginx-lint context: location\nlisten 80;\n',
  });
  const findings = async (args: string[]) => ruleIdsOf(await runMain(['--format', 'json', ...args], { cwd: root }));

  it('a snippet is linted in the first context that accepts it', async () => {
    expect(await findings(['server-snippet.conf'])).toEqual([]);
  });

  it('--context names the context', async () => {
    expect(await findings(['--context', 'server', 'server-snippet.conf'])).toEqual([]);
    expect(await findings(['--context', 'location', 'server-snippet.conf'])).toEqual(['directive-not-allowed-here', 'directive-not-allowed-here']);
  });

  it('so does a "# nginx-lint context:" comment, which --context overrides', async () => {
    expect(await findings(['location-pragma.conf'])).toEqual(['directive-not-allowed-here']);
    expect(await findings(['--context', 'server', 'location-pragma.conf'])).toEqual([]);
  });
});

describe('--no-follow-includes', () => {
  const root = writeProject({
    'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n    include missing.conf;\n}\n',
    'conf.d/app.conf': 'server {\n    locaton / { return 200; }\n}\n',
  });

  it('lints each file alone, without reading what it includes', async () => {
    expect(ruleIdsOf(await runMain(['--format', 'json', 'nginx.conf'], { cwd: root })).sort()).toEqual(['include-not-found', 'unknown-directive']);
    const run = await runMain(['--no-follow-includes', '--format', 'json', 'nginx.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(parseJson(run).map((result) => result.filePath)).toEqual([path.join(root, 'nginx.conf')]);
  });
});

describe('--baseline and --update-baseline', () => {
  it('adopts a legacy config: recorded findings stop failing, new ones fail', async () => {
    const root = writeProject({ 'nginx.conf': TYPO });
    const baselinePath = path.join(root, 'nginx-lint-baseline.json');

    expectFailure(await runMain(['--baseline', 'nginx-lint-baseline.json', 'nginx.conf'], { cwd: root }), `${baselinePath}: file not found`);

    const update = await runMain(['--baseline', 'nginx-lint-baseline.json', '--update-baseline', 'nginx.conf'], { cwd: root });
    // Everything found is recorded, so the update run itself passes.
    expect(update.status).toBe(0);
    expect(update.stdout).toBe('');
    expect(update.stderr).toBe('nginx-lint: wrote 1 finding(s) to nginx-lint-baseline.json\n');
    expect(JSON.parse(readFileSync(baselinePath, 'utf8'))).toEqual({
      version: 1,
      findings: { 'nginx.conf': { 'unknown-directive': { 'http > server > locaton /': 1 } } },
    });

    const known = await runMain(['--baseline', 'nginx-lint-baseline.json', 'nginx.conf'], { cwd: root });
    expect(known).toEqual({ status: 0, stdout: '', stderr: 'nginx-lint: 1 known finding(s) in nginx-lint-baseline.json not reported\n' });

    writeFileSync(path.join(root, 'nginx.conf'), TWO_TYPOS);
    const fresh = await runMain(['--baseline', 'nginx-lint-baseline.json', '--format', 'json', 'nginx.conf'], { cwd: root });
    expect(fresh.status).toBe(1);
    expect(messagesOf(fresh).map((message) => message.message)).toEqual(['unknown directive "servr_name": did you mean "server_name"?']);
  });
});

describe('--no-error-on-unmatched-pattern', () => {
  const root = writeProject({ 'typo.conf': TYPO });

  it('operands that match nothing are an error by default', async () => {
    expectFailure(
      await runMain(['missing.conf', 'nothing/*.conf', 'typo.conf'], { cwd: root }),
      'no nginx configuration files match "missing.conf", "nothing/*.conf"',
    );
  });

  it('and are skipped with the flag, as pre-commit needs when it passes no matching files', async () => {
    expect(await runMain(['--no-error-on-unmatched-pattern', 'missing.conf'], { cwd: root })).toEqual({ status: 0, stdout: '', stderr: '' });
    expect((await runMain(['--no-error-on-unmatched-pattern', 'missing.conf', 'typo.conf'], { cwd: root })).status).toBe(1);
  });
});

describe('suppression comments', () => {
  const suppressed = `events {}
http {
    server {
        listen 80;
        # nginx-lint-disable-next-line unknown-directive -- vendor module, loaded in production only
        locaton /a { return 200; }
        # nginx-lint-disable unknown-directive
        locaton /b { return 200; }
        locaton /c { return 200; }
        # nginx-lint-enable unknown-directive
        locaton /d { return 200; }
        # nginx-lint-disable-next-line proxy-timeout-below-p99 -- nothing to suppress here
        location /e { return 200; }
    }
}
`;
  const root = writeProject({
    'site.conf': suppressed,
    'vendor.conf': `# nginx-lint-disable-file unknown-directive -- generated by the vendor's installer\n${TWO_TYPOS}`,
    'strict.json': JSON.stringify({ extends: 'nginx-lint:strict' }),
  });
  const findings = async (args: string[]) =>
    messagesOf(await runMain(['--format', 'json', ...args], { cwd: root })).map((message) => [message.line, message.ruleId, message.severity]);

  it('next-line and ranges suppress, what they leave is reported, and an unused suppression is a warning', async () => {
    expect(await findings(['site.conf'])).toEqual([
      [11, 'unknown-directive', 2],
      [12, 'unused-suppression', 1],
    ]);
  });

  it('a file-wide suppression covers the whole file', async () => {
    expect((await runMain(['vendor.conf'], { cwd: root })).status).toBe(0);
  });

  it('under nginx-lint:strict every suppression needs a reason', async () => {
    expect(await findings(['--config', 'strict.json', 'site.conf'])).toEqual([
      [7, 'suppression-reason-missing', 2],
      [11, 'unknown-directive', 2],
      [12, 'unused-suppression', 1],
    ]);
  });
});

describe('directories', () => {
  const root = writeProject({
    'nginx/nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    'nginx/conf.d/app.conf': 'server {\n    listen 80;\n    locaton / { return 200; }\n}\n',
    'nginx/conf.d/admin.conf': 'server {\n    listen 81;\n    location / { return 200; }\n}\n',
    'nginx/README.md': 'not a config\n',
  });

  it('expand to their configs; conf.d files are linted through the include of nginx.conf, not also alone', async () => {
    const run = await runMain(['--format', 'json', 'nginx'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(parseJson(run).map((result) => path.relative(root, result.filePath))).toEqual([
      'nginx/conf.d/admin.conf',
      'nginx/conf.d/app.conf',
      'nginx/nginx.conf',
    ]);
    // Linted alone as well, app.conf would carry a second finding without includedFrom.
    expect(messagesOf(run).map((message) => [message.filePath, message.line, message.ruleId, message.includedFrom])).toEqual([
      [path.join(root, 'nginx/conf.d/app.conf'), 3, 'unknown-directive', [`${path.join(root, 'nginx/nginx.conf')}:3`]],
    ]);
  });

  it('a glob names files the same way', async () => {
    const run = await runMain(['--format', 'json', 'nginx/**/*.conf'], { cwd: root });
    expect(messagesOf(run).map((message) => message.includedFrom)).toEqual([[`${path.join(root, 'nginx/nginx.conf')}:3`]]);
  });
});

describe('plugins', () => {
  const example = path.join(repoRoot, 'examples/plugin');
  const brokenPlugins: Record<string, string> = {
    'no-export.mjs': 'export const rule = { meta: { id: "x" }, check() {} };\n',
    'throws.mjs': 'throw new Error("cannot reach the license server");\n',
    'duplicate.mjs': 'export const rules = [{ meta: { id: "unknown-directive" }, check() {} }];\n',
  };
  const root = writeProject({ ...brokenPlugins, 'nginx.conf': CLEAN });
  const withConfig = async (config: object) => {
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify(config));
    return await runMain(['--allow-plugins', 'nginx.conf'], { cwd: root });
  };

  it("is not run without --allow-plugins: the config is the repository's, so its code is not trusted; the run goes on", async () => {
    writeFileSync(path.join(root, 'evil.mjs'), 'import { writeFileSync } from "node:fs"; writeFileSync("pwned", "x"); export const rules = [];\n');
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ plugins: ['./evil.mjs'], rules: { 'evil-rule': 'error' } }));
    const run = await runMain(['nginx.conf'], { cwd: root });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('plugin ./evil.mjs');
    expect(run.stderr).toContain('not loaded: pass --allow-plugins to run code from this repository');
    expect(existsSync(path.join(root, 'pwned'))).toBe(false);
  });

  it('the example reports through the config that names it', async () => {
    const run = await runMain(['--allow-plugins', '--format', 'json', path.join(example, 'nginx.conf')], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    const plugin = messagesOf(run).filter((message) => message.ruleId === 'require-request-id');
    expect(plugin.map((message) => [message.line, message.ruleId, message.severity])).toEqual([
      [27, 'require-request-id', 2],
      [33, 'require-request-id', 2],
    ]);
    expect(plugin[0]!.message).toContain('location /api/ sends no X-Request-Id');
  });

  it('the example takes options checked against its schema', async () => {
    const header = [
      '--allow-plugins',
      '--rule',
      'require-request-id: [error, {"header": "X-Correlation-Id"}]',
      '--format',
      'json',
      path.join(example, 'nginx.conf'),
    ];
    // No level sets X-Correlation-Id, so every proxying location is reported, /internal/ at its proxy_pass.
    const lines = messagesOf(await runMain(header, { cwd: root }))
      .filter((message) => message.ruleId === 'require-request-id')
      .map((message) => message.line);
    expect(lines).toEqual([20, 27, 34]);
    const misspelt = await runMain(
      ['--allow-plugins', '--rule', 'require-request-id: [error, {"headr": "X-Correlation-Id"}]', path.join(example, 'nginx.conf')],
      { cwd: root },
    );
    expectFailure(misspelt, '/1/headr: unknown key "headr" — did you mean "header"?');
  });

  it('is not loaded when no config names it: its rules are unknown, and a broken one does no harm', async () => {
    const run = await runMain(['--no-config-lookup', '--rule', 'require-request-id: error', path.join(example, 'nginx.conf')], { cwd: root });
    expectFailure(run, 'unknown rule');
    expect((await withConfig({ rules: { 'unknown-directive': 'error' } })).status).toBe(0);
  });

  it.each<[string, string]>([
    ['no-export.mjs', 'exports no `rules` array'],
    ['throws.mjs', 'failed to load: cannot reach the license server'],
    ['duplicate.mjs', 'redefines rule "unknown-directive"'],
  ])('a broken plugin (%s) stops the run with one line', async (plugin, why) => {
    const run = await withConfig({ plugins: [`./${plugin}`] });
    expectFailure(run, why);
    expect(run.stderr).toBe(`nginx-lint: ${path.join(root, '.nginx-lint.json')}: plugin "./${plugin}" ${why}\n`);
  });
});

describe('writePieces', () => {
  it('makes a piece only once the stream has taken the one before, and stops at a closed stream', async () => {
    const { writePieces } = await import('../src/cli/output.js');
    const { Writable } = await import('node:stream');
    const written: string[] = [];
    const made: string[] = [];
    let release: (() => void) | undefined;
    // Takes one piece at a time and finishes it only when told: every write fills it.
    const stream = new Writable({
      highWaterMark: 1,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.toString());
        release = callback;
      },
    });
    function* pieces() {
      for (const piece of ['a', 'b', 'c']) {
        made.push(piece);
        yield piece;
      }
    }
    const done = writePieces(pieces(), stream);
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).toEqual(['a']);
    release!();
    await new Promise((resolve) => setImmediate(resolve));
    expect(made).toEqual(['a', 'b']);
    stream.destroy();
    await done;
    expect(made).toEqual(['a', 'b']);
    expect(written).toEqual(['a', 'b']);
  });
});
