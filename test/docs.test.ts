/**
 * Docs that run: every fenced block of README.md and docs/*.md carries a marker, an HTML comment on the line(s)
 * before it, saying how it is checked, and this test checks it that way:
 *
 *   <!-- doc-test: run [in=DIR] [exit=N] -->      sh: each command line runs in a git-initialised temp copy of DIR
 *                                                 (default examples/shop), `nginx-lint`/`npx nginx-lint` being the built
 *                                                 CLI; the exit status must be N (default: 0 or 1, never 2)
 *   <!-- doc-test: output [in=DIR] [exit=N] -->   console: `$ command` lines run like `run`; what follows each, up to the
 *                                                 next `$`, is its stdout, compared exactly (a `…` line stands for any lines)
 *   <!-- doc-test: config [in=DIR] -->            json: a .nginx-lint.json, validated with schema.json as an editor does
 *                                                 and loaded by the CLI (`--print-config`) in a temp copy of DIR
 *   <!-- doc-test: nginx [context=C] -->          nginx: parsed and linted; no syntax or structural error
 *   <!-- doc-test: action -->                     yaml: every step using nginx-lint passes only inputs action.yml declares
 *   <!-- doc-test: pre-commit -->                 yaml: every hook id is one .pre-commit-hooks.yaml publishes, and a
 *                                                 block that is a hook definition equals the published one
 *   <!-- doc-test: gitlab -->                     yaml: a GitLab job whose script runs and writes its codequality report
 *   <!-- doc-test: yaml -->                       yaml: parses
 *   <!-- doc-test: readme-example -->             README's example output: scripts/readme-example.mjs --check runs it
 *   <!-- doc-test: skip: REASON -->               not executed, with the reason written in the doc
 * `in=DIR` is the folder copied (default examples/shop), `as=PATH` where it goes in the sandbox (default its root),
 * `with=DIR` a folder copied over it (files the commands name that the example has not).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { lint } from '../src/run.js';
import { CLI_PATH, cliEnvironment, repoRoot } from './helpers/cli.js';

interface Block {
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly info: string;
  readonly body: string;
  readonly kind: string;
  readonly options: Readonly<Record<string, string>>;
}

const DOCS = [
  'README.md',
  ...readdirSync(path.join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

function blocksOf(doc: string): Block[] {
  const lines = readFileSync(path.join(repoRoot, doc), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^```(.*)$/.exec(lines[index]!);
    if (!open) continue;
    const close = lines.findIndex((line, at) => at > index && line === '```');
    const body = lines.slice(index + 1, close).join('\n');
    // The marker: the nearest `doc-test` comment among the HTML comments right above the fence.
    let marker: string | undefined;
    for (let above = index - 1; above >= 0 && /^<!--.*-->$/.test(lines[above]!); above--) {
      const found = /^<!-- doc-test: (.*) -->$/.exec(lines[above]!);
      if (found) {
        marker = found[1];
        break;
      }
    }
    const [kind = 'unmarked', ...rest] = (marker ?? 'unmarked').split(' ');
    const options = Object.fromEntries(rest.filter((word) => word.includes('=')).map((word) => word.split('=', 2) as [string, string]));
    blocks.push({
      doc,
      line: index + 1,
      info: open[1]!,
      body,
      kind: kind.replace(/:$/, ''),
      options: kind === 'skip:' ? { reason: rest.join(' ') } : options,
    });
    index = close;
  }
  return blocks;
}

const blocks = DOCS.flatMap(blocksOf);
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

/** A bin folder whose `nginx-lint` is the built CLI, and a git-initialised copy of `dir` to run in. */
function sandbox(dir = 'examples/shop', as = '.', extra?: string): { cwd: string; env: NodeJS.ProcessEnv } {
  const base = mkdtempSync(path.join(tmpdir(), 'nginx-lint-docs-'));
  temporary.push(base);
  const bin = path.join(base, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'nginx-lint'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI_PATH)} "$@"\n`);
  chmodSync(path.join(bin, 'nginx-lint'), 0o755);
  const cwd = path.join(base, 'project');
  cpSync(path.join(repoRoot, dir), path.join(cwd, as), { recursive: true });
  if (extra) cpSync(path.join(repoRoot, extra), cwd, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd });
  return { cwd, env: { ...cliEnvironment(), PATH: `${bin}:${process.env.PATH}`, GIT_CONFIG_NOSYSTEM: '1' } };
}

function shell(command: string, where: { cwd: string; env: NodeJS.ProcessEnv }) {
  const run = spawnSync('sh', ['-c', command.replace(/\bnpx nginx-lint\b/g, 'nginx-lint')], { ...where, encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function expectStatus(status: number | null, options: Readonly<Record<string, string>>, what: string): void {
  if (options.exit !== undefined) expect(status, what).toBe(Number(options.exit));
  else expect([0, 1], what).toContain(status);
}

/** Expected output with `…` lines standing for any run of lines, as a regular expression. */
function outputPattern(expected: string): RegExp {
  const escaped = expected.split('\n').map((line) => (line === '…' ? '[\\s\\S]*?' : line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${escaped.join('\n')}\n?$`);
}

const editorSchema = new Ajv({ allErrors: true, strictTuples: false }).compile(
  JSON.parse(readFileSync(path.join(repoRoot, 'schema.json'), 'utf8')) as object,
);
const action = parseYaml(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown> };
const hooks = parseYaml(readFileSync(path.join(repoRoot, '.pre-commit-hooks.yaml'), 'utf8')) as { id: string }[];

const checks: Record<string, (block: Block) => Promise<void> | void> = {
  run(block) {
    const where = sandbox(block.options.in, block.options.as, block.options.with);
    for (const command of block.body.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'))) {
      const run = shell(command, where);
      expectStatus(run.status, block.options, `${command}\n${run.stderr}`);
    }
  },
  output(block) {
    const where = sandbox(block.options.in, block.options.as, block.options.with);
    const parts = block.body.split(/^\$ /m).filter((part) => part !== '');
    expect(parts.length).toBeGreaterThan(0);
    for (const part of parts) {
      const [command, ...expected] = part.split('\n');
      const run = shell(command!, where);
      expectStatus(run.status, block.options, `${command}\n${run.stderr}`);
      const shown = block.options.stream === 'stderr' ? run.stderr : run.stdout;
      expect(shown, command).toMatch(outputPattern(expected.join('\n').replace(/\n$/, '')));
    }
  },
  config(block) {
    const config = JSON.parse(block.body) as unknown;
    expect(editorSchema(config) ? [] : editorSchema.errors).toEqual([]);
    const where = sandbox(block.options.in, block.options.as, block.options.with);
    writeFileSync(path.join(where.cwd, '.nginx-lint.json'), block.body);
    const run = shell('nginx-lint --print-config nginx/nginx.conf', where);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  },
  async nginx(block) {
    const { cwd } = sandbox('examples/shop');
    writeFileSync(path.join(cwd, 'snippet.conf'), block.body);
    const context = block.options.context as 'http' | undefined;
    const result = await lint([path.join(cwd, 'snippet.conf')], { cwd, configLookup: false, ...(context ? { context } : {}) });
    const structural = result.results.flatMap((file) => file.messages).filter((message) => message.ruleId === 'syntax-error' || message.fatal);
    expect(structural).toEqual([]);
  },
  action(block) {
    const steps = [parseYaml(block.body) as unknown].flat(3) as Record<string, unknown>[];
    const uses = JSON.stringify(steps).match(/"uses":"[^"]*nginx-lint@[^"]*"/g) ?? [];
    expect(uses.length).toBeGreaterThan(0);
    const inputs = new Set(Object.keys(action.inputs));
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object') {
        const step = value as Record<string, unknown>;
        if (typeof step.uses === 'string' && /nginx-lint@/.test(step.uses)) {
          for (const key of Object.keys((step.with ?? {}) as object)) expect(inputs, `input "${key}"`).toContain(key);
        }
        Object.values(step).forEach(walk);
      }
    };
    walk(parseYaml(block.body));
  },
  'pre-commit'(block) {
    // A fragment of a config (the hook under `hooks:`) is indented as it stands there.
    const indent = Math.min(
      ...block.body
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => /^ */.exec(line)![0].length),
    );
    const parsed = parseYaml(block.body.replace(new RegExp(`^ {${indent}}`, 'gm'), '')) as unknown;
    const ids = [...block.body.matchAll(/- id: (\S+)/g)].map((match) => match[1]);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(hooks.map((hook) => hook.id)).toContain(id);
    // A block that is a whole hook definition (it has an entry) is the published one.
    if (Array.isArray(parsed) && (parsed[0] as Record<string, unknown>).entry !== undefined) {
      expect(parsed[0]).toEqual(hooks.find((hook) => hook.id === ids[0]));
    }
  },
  gitlab(block) {
    const jobs = parseYaml(block.body) as Record<string, { script: string[]; artifacts: { reports: { codequality: string } } }>;
    const where = sandbox(block.options.in, block.options.as, block.options.with);
    for (const job of Object.values(jobs)) {
      for (const command of job.script) expectStatus(shell(command, where).status, block.options, command);
      const report = JSON.parse(readFileSync(path.join(where.cwd, job.artifacts.reports.codequality), 'utf8')) as unknown[];
      expect(report.length).toBeGreaterThan(0);
    }
  },
  yaml(block) {
    expect(() => parseYaml(block.body) as unknown).not.toThrow();
  },
  'readme-example'() {
    const check = spawnSync(process.execPath, ['scripts/readme-example.mjs', '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  },
  skip(block) {
    expect(block.options.reason, 'a skipped block says why').toMatch(/\w{3}/);
  },
};

describe('docs that run', () => {
  it('marks every fenced block of README.md and docs/*.md with how it is checked', () => {
    const unmarked = blocks.filter((block) => !(block.kind in checks)).map((block) => `${block.doc}:${block.line} (${block.kind})`);
    expect(unmarked).toEqual([]);
  });

  it.each(blocks.filter((block) => block.kind in checks).map((block) => [`${block.doc}:${block.line} ${block.kind}`, block] as const))(
    '%s',
    async (_name, block) => {
      await checks[block.kind]!(block);
    },
  );
});
