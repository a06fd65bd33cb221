/**
 * `--fix` and `--fix-dry-run` end to end on a copy of examples/shop (nginx/ with its includes, and the compose.yaml
 * the 502 rules read the app's ports and latencies from): what the fixes change, that they settle, that they keep
 * the file's line endings, indentation and mode, that a dry run only prints, that an `nginx -T` dump is never
 * rewritten, and — with real nginx — that the fixed configuration passes `nginx -t`.
 */
import { chmodSync, cpSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPatch } from 'diff';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { LintResult } from '../src/lint/results.js';
import { repoRoot, runCli, temporaryProjects } from './helpers/cli.js';
import { nginxAvailable, nginxCheck } from './helpers/nginx.js';

const writeProject = temporaryProjects();
const SHOP = path.join(repoRoot, 'examples/shop');
const FIXED_FILES = ['shop/nginx/conf.d/shop.conf', 'shop/nginx/conf.d/upstreams.conf'];

/** A project holding a copy of examples/shop as `shop/`. */
function shopCopy(): string {
  const root = writeProject();
  cpSync(SHOP, path.join(root, 'shop'), { recursive: true });
  return root;
}

/** Every file under `root` (but .git) by relative path, to compare before and after. */
function snapshot(root: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
    if (entry.split(path.sep)[0] === '.git' || !statSync(path.join(root, entry)).isFile()) continue;
    files.set(entry.split(path.sep).join('/'), readFileSync(path.join(root, entry), 'latin1'));
  }
  return files;
}

function lintJson(root: string, args: string[] = []): LintResult[] {
  const run = runCli(['--format', 'json', ...args, 'shop'], { cwd: root });
  expect(run.status, run.stderr).toBeLessThan(2);
  return JSON.parse(run.stdout) as LintResult[];
}

function ruleIdsIn(results: readonly LintResult[], onlyFixable = false): Set<string | null> {
  // Fixable by --fix: a fix that is not marked unsafe.
  return new Set(
    results.flatMap((result) =>
      result.messages.filter((message) => !onlyFixable || (message.fix && message.fixSafety !== 'unsafe')).map((message) => message.ruleId),
    ),
  );
}

describe('--fix on examples/shop', () => {
  it('fixes what it reports as fixable, in the files where the findings are, and the result re-lints clean of them', () => {
    const root = shopCopy();
    const fixable = ruleIdsIn(lintJson(root), true);
    expect([...fixable].sort()).toEqual([
      'proxy-buffer-size-too-small',
      'proxy-buffers-invalid',
      // proxy-keepalive-disabled's fix is unsafe at first (upstreams.conf keeps the 60s timeout) and becomes safe
      // once upstream-keepalive-timeout-race's fix lowers it: --fix then applies it in a later pass.
      'proxy-next-upstream-missing',
      'proxy-pass-port-mismatch',
      'proxy-timeout-below-p99',
      'upstream-keepalive-timeout-race',
    ]);
    const before = snapshot(root);

    const run = runCli(['--fix', 'shop'], { cwd: root });
    // What is left are findings no fix can settle (the Compose start-up order): warnings, exit 0.
    expect(run.stderr).toBe('');
    expect(run.status, run.stdout).toBe(0);
    const after = snapshot(root);
    const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
    expect(changed.sort()).toEqual(FIXED_FILES);
    expect([...ruleIdsIn(lintJson(root))].filter((ruleId) => fixable.has(ruleId))).toEqual([]);
  });

  it('is idempotent: a second --fix changes nothing, and a dry run then has nothing to show', () => {
    const root = shopCopy();
    runCli(['--fix', 'shop'], { cwd: root });
    const once = snapshot(root);
    expect(runCli(['--fix', 'shop'], { cwd: root }).status).toBe(0);
    expect(snapshot(root)).toEqual(once);
    expect(runCli(['--fix-dry-run', 'shop'], { cwd: root })).toEqual({ status: 0, stdout: '', stderr: '' });
  });

  it('keeps CRLF line endings, tab or space indentation, and the file mode', () => {
    const plain = shopCopy();
    runCli(['--fix', 'shop'], { cwd: plain });

    const root = shopCopy();
    const tabbed = path.join(root, FIXED_FILES[0]!);
    const spaced = path.join(root, FIXED_FILES[1]!);
    writeFileSync(tabbed, readFileSync(tabbed, 'utf8').replaceAll('    ', '\t'));
    for (const file of [...FIXED_FILES, 'shop/nginx/nginx.conf']) {
      const target = path.join(root, file);
      writeFileSync(target, readFileSync(target, 'utf8').replaceAll('\n', '\r\n'));
    }
    chmodSync(tabbed, 0o640);
    chmodSync(spaced, 0o604);

    expect(runCli(['--fix', 'shop'], { cwd: root }).status).toBe(0);
    const tabbedText = readFileSync(tabbed, 'utf8');
    const spacedText = readFileSync(spaced, 'utf8');
    for (const text of [tabbedText, spacedText]) expect(text).not.toMatch(/(?<!\r)\n/);
    expect(tabbedText).not.toMatch(/^ /m);
    expect(spacedText).not.toMatch(/^\t/m);
    // The same fixes as on the LF, space-indented copy: only the line endings and the indentation differ.
    expect(tabbedText.replaceAll('\r\n', '\n').replaceAll('\t', '    ')).toBe(readFileSync(path.join(plain, FIXED_FILES[0]!), 'utf8'));
    expect(spacedText.replaceAll('\r\n', '\n')).toBe(readFileSync(path.join(plain, FIXED_FILES[1]!), 'utf8'));
    expect(statSync(tabbed).mode & 0o777).toBe(0o640);
    expect(statSync(spaced).mode & 0o777).toBe(0o604);
  });
});

describe('--fix-dry-run on examples/shop', () => {
  it('prints a unified diff of what --fix writes, and writes nothing', () => {
    const root = shopCopy();
    const before = snapshot(root);
    const dryRun = runCli(['--fix-dry-run', 'shop'], { cwd: root });
    expect(dryRun.status).toBe(0);
    expect(snapshot(root)).toEqual(before);
    expect(dryRun.stdout).toMatch(/^--- a\/shop\/nginx\/conf\.d\/shop\.conf\n\+\+\+ b\/shop\/nginx\/conf\.d\/shop\.conf\n@@ /);
    expect(dryRun.stdout).toContain('\n--- a/shop/nginx/conf.d/upstreams.conf\n+++ b/shop/nginx/conf.d/upstreams.conf\n@@ ');
    expect(dryRun.stdout).toContain('\n-        proxy_pass http://orders:8000;\n+        proxy_pass http://orders:8080;\n');

    runCli(['--fix', 'shop'], { cwd: root });
    const fixed = snapshot(root);
    for (const file of FIXED_FILES) {
      const patch = dryRun.stdout.slice(dryRun.stdout.indexOf(`--- a/${file}\n`)).split(/\n(?=--- a\/)/)[0]!;
      expect(applyPatch(before.get(file)!, patch), file).toBe(fixed.get(file));
    }
  });

  it('with --format json to a file, the report holds each fixed file’s output', () => {
    const root = shopCopy();
    const dryRun = runCli(['--fix-dry-run', '--format', 'json', '-o', 'report.json', 'shop'], { cwd: root });
    expect(dryRun.stdout).toContain('+++ b/shop/nginx/conf.d/shop.conf');
    const results = JSON.parse(readFileSync(path.join(root, 'report.json'), 'utf8')) as LintResult[];
    const withOutput = results
      .filter((result) => result.output !== undefined)
      .map((result) => path.relative(root, result.filePath).split(path.sep).join('/'));
    expect(withOutput.sort()).toEqual(FIXED_FILES);
  });
});

describe('an nginx -T dump', () => {
  /** The shop as `nginx -T` prints it when installed in /etc/nginx: each file after a marker naming it. */
  function shopDump(): string {
    const files = ['nginx.conf', 'mime.types', 'conf.d/shop.conf', 'conf.d/upstreams.conf'];
    return files.map((file) => `# configuration file /etc/nginx/${file}:\n${readFileSync(path.join(SHOP, 'nginx', file), 'utf8')}\n`).join('');
  }

  it('is never fixed: --fix leaves the file as it is and reports what it found', () => {
    const root = writeProject({ 'compose.yaml': readFileSync(path.join(SHOP, 'compose.yaml'), 'utf8'), 'nginx-T.txt': shopDump() });
    const report = runCli(['--format', 'json', 'nginx-T.txt'], { cwd: root });
    const results = JSON.parse(report.stdout) as LintResult[];
    const shop = results.find((result) => result.filePath === '/etc/nginx/conf.d/shop.conf')!;
    // The findings are there, but none is offered as fixable: the file exists only inside the dump.
    expect(shop.errorCount).toBeGreaterThan(0);
    expect(shop.fixableErrorCount).toBe(0);

    const run = runCli(['--fix', '--format', 'json', 'nginx-T.txt'], { cwd: root });
    expect(run.status, run.stderr).toBe(1);
    expect(readFileSync(path.join(root, 'nginx-T.txt'), 'utf8')).toBe(shopDump());
    expect((JSON.parse(run.stdout) as LintResult[]).filter((result) => result.output !== undefined)).toEqual([]);
  });

  it('on stdin, --fix-dry-run shows no diff', () => {
    const root = writeProject({ 'compose.yaml': readFileSync(path.join(SHOP, 'compose.yaml'), 'utf8') });
    const run = runCli(['--stdin', '--stdin-filename', 'nginx-T.txt', '--fix-dry-run'], { cwd: root, input: shopDump() });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toBe('');
  });
});

/**
 * Replaces every `host:port` whose host is a Compose service or network alias with `127.0.0.1:port`.
 *
 * nginx resolves the host names of `upstream` servers and of `proxy_pass` when it loads a configuration, so
 * `nginx -t` on the shop fails with "host not found in upstream" outside the Compose network. Mapping the names in
 * /etc/hosts would change the machine, and a resolver wrapper would only work where namespaces are allowed; so the
 * check runs on a copy whose Compose hosts all become 127.0.0.1, ports unchanged. Upstream names without a port
 * (`proxy_pass http://api`) are not hosts and stay. Everything nginx checks besides the addresses is the fixed text.
 */
function withLoopbackHosts(config: string, composeFile: string): string {
  const compose = parseYaml(readFileSync(composeFile, 'utf8')) as { services: Record<string, { networks?: Record<string, { aliases?: string[] }> }> };
  const hosts = Object.entries(compose.services).flatMap(([name, service]) => [
    name,
    ...Object.values(service.networks ?? {}).flatMap((network) => network.aliases ?? []),
  ]);
  // Longest first, so that `api-2:3000` is not read as `api` followed by something else.
  const alternatives = hosts.sort((a, b) => b.length - a.length).map((host) => host.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'));
  return config.replace(new RegExp(`(?<=[\\s/])(?:${alternatives.join('|')}):(?=\\d)`, 'g'), '127.0.0.1:');
}

describe.runIf(nginxAvailable)('with real nginx', () => {
  it('the shop fails nginx -t before --fix and passes it after', () => {
    const root = shopCopy();
    const nginxDir = path.join(root, 'shop/nginx');
    const checkWithLoopbackHosts = (copyName: string) => {
      const checked = path.join(root, copyName);
      cpSync(nginxDir, checked, { recursive: true });
      for (const file of readdirSync(checked, { recursive: true, encoding: 'utf8' }).filter((entry) => entry.endsWith('.conf'))) {
        const target = path.join(checked, file);
        writeFileSync(target, withLoopbackHosts(readFileSync(target, 'utf8'), path.join(root, 'shop/compose.yaml')));
      }
      return nginxCheck(path.join(checked, 'nginx.conf'));
    };

    const broken = checkWithLoopbackHosts('before-fix');
    expect(broken.message).toContain('"proxy_busy_buffers_size" must be less than the size of all "proxy_buffers" minus one buffer');

    expect(runCli(['--fix', 'shop'], { cwd: root }).status).toBe(0);
    expect(checkWithLoopbackHosts('after-fix')).toEqual({ message: null, file: null, line: null });
  });
});
