/**
 * The package as a user gets it: `npm pack`, installed into an empty project, then its CLI, its API and its types
 * used from there. Catches what in-repository tests cannot: a file left out of `files`, an export the build does not
 * write, a data table read from a path only the checkout has.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient } from './helpers/lsp-client.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const project = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-package-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('the packed tarball, installed', { timeout: 240_000 }, () => {
  beforeAll(() => {
    const tarball = execFileSync('npm', ['pack', '--pack-destination', project], {
      cwd: repoRoot,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    })
      .trim()
      .split('\n')
      .pop()!;
    // pre-commit reads the tarball's name from npm pack's stdout: it must be the only thing printed there.
    expect(tarball).toMatch(/^nginx-lint-\d+\.\d+\.\d+\.tgz$/);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    cpSync(path.join(repoRoot, 'examples/plugin'), path.join(project, 'plugin'), { recursive: true });
    execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', path.join(project, tarball)], { cwd: project, stdio: 'pipe' });
  }, 240_000);

  it('ships what runs and user docs, not sources or tests', () => {
    const installed = path.join(project, 'node_modules', 'nginx-lint');
    const top = readdirSync(installed).sort();
    expect(top).toEqual(expect.arrayContaining(['bin', 'dist', 'docs', 'schema.json', 'LICENSE', 'CHANGELOG.md']));
    expect(top).not.toContain('test');
    expect(readdirSync(path.join(installed, 'src'))).toEqual(['data']);
  });

  it('runs the CLI: npx nginx-lint on a config, exit 1 and the finding', () => {
    writeFileSync(path.join(project, 'nginx.conf'), 'events {}\nhttp {\n    server {\n        locaton / { }\n    }\n}\n');
    const run = spawnSync('npx', ['nginx-lint', 'nginx.conf'], { cwd: project, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('unknown directive "locaton"');
  });

  it('writes the code cache at install (postinstall), with the Node that installs it, and starts from it', () => {
    const installed = path.join(project, 'node_modules', 'nginx-lint');
    const cache = path.join(installed, 'dist', 'src', 'nginx-lint.cjs.cache');
    const startsFromCache = () => spawnSync('npx', ['nginx-lint', '--debug', 'nginx.conf'], { cwd: project, encoding: 'utf8' }).stderr;
    expect(startsFromCache()).toMatch(/^nginx-lint: code cache used \(/);
    // As a cache another Node wrote would be: V8 refuses it, the CLI compiles its bundle, until the install writes it again.
    writeFileSync(cache, Buffer.concat([readFileSync(cache).subarray(0, 4), Buffer.alloc(64, 7)]));
    expect(startsFromCache()).toMatch(/^nginx-lint: code cache not used: made by another Node/);
    const postinstall = spawnSync(process.execPath, ['scripts/postinstall.mjs'], { cwd: installed, encoding: 'utf8' });
    expect(postinstall.status, postinstall.stderr).toBe(0);
    expect(postinstall.stdout + postinstall.stderr).toBe('');
    expect(startsFromCache()).toMatch(/^nginx-lint: code cache used \(/);
  });

  it('serves --lsp from the installed bin: initialize, then diagnostics for an open buffer', async () => {
    // What an editor runs: the bin npm links, with the language server's bundle and its protocol dependencies.
    const client = LspClient.spawn(path.join(project, 'node_modules', '.bin', 'nginx-lint'), ['--lsp'], project);
    try {
      const initialized = await client.request<{ serverInfo: { name: string; version: string }; capabilities: object }>('initialize', {
        processId: process.pid,
        rootUri: pathToFileURL(project).href,
        capabilities: {},
        initializationOptions: { debounceMs: 0 },
      });
      expect(initialized.serverInfo).toEqual({ name: 'nginx-lint', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
      expect(initialized.capabilities).toMatchObject({ hoverProvider: true });
      client.notify('initialized', {});
      const uri = pathToFileURL(path.join(project, 'buffer.conf')).href;
      const text = 'events {}\nhttp {\n    server {\n        locaton / { }\n    }\n}\n';
      client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text } });
      const published = await client.waitFor<{ uri: string; diagnostics: { code: string; message: string }[] }>(
        'textDocument/publishDiagnostics',
        (params) => params.uri === uri,
      );
      expect(published.diagnostics.map((diagnostic) => diagnostic.code)).toEqual(['unknown-directive']);
      expect(await client.stop()).toBe(0);
    } finally {
      if (client.child.exitCode === null) client.child.kill();
    }
  });

  it('runs the installed CLI on the example plugin, which it loads with --allow-plugins', () => {
    const run = spawnSync('npx', ['nginx-lint', '--allow-plugins', '--format', 'json', 'plugin/nginx.conf'], { cwd: project, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(1);
    const results = JSON.parse(run.stdout) as { messages: { ruleId: string; line: number }[] }[];
    const plugin = results.flatMap((result) => result.messages).filter((message) => message.ruleId === 'require-request-id');
    expect(plugin.map((message) => message.line)).toEqual([27, 33]);
  });

  it('imports the API and lints with it', () => {
    const script = `import { lint, defineRule } from 'nginx-lint';
const run = await lint(['nginx.conf'], { cwd: process.cwd() });
console.log(typeof defineRule, run.results[0].messages.map((message) => message.ruleId).join(','));`;
    writeFileSync(path.join(project, 'use-api.mjs'), script);
    const run = spawnSync(process.execPath, ['use-api.mjs'], { cwd: project, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('function unknown-directive');
  });

  it('type-checks a TypeScript plugin against the installed types', () => {
    writeFileSync(
      path.join(project, 'plugin.ts'),
      `import { defineRule, type RuleContext } from 'nginx-lint';
export const rule = defineRule({
  meta: { id: 'my-rule', description: 'x', category: 'style', severity: 'warn', presets: [], fixable: false, messages: { found: 'found {{name}}' } },
  check(context: RuleContext<Record<string, unknown>>) {
    for (const node of context.model.nodes('server')) context.report({ node, messageId: 'found', data: { name: node.directive.name } });
  },
});
`,
    );
    writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          allowJs: true,
          checkJs: true,
          skipLibCheck: false,
          types: [],
        },
        // The example plugin is JavaScript typed with JSDoc `import('nginx-lint')`: checked as a user's editor would.
        files: ['plugin.ts', 'plugin/require-request-id.mjs'],
      }),
    );
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
