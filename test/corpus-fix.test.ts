/**
 * `--fix` must never break a configuration: every corpus file real nginx accepted is linted with the recommended
 * rules and `fix: true`, and wherever a fix changed a file, real `nginx -t` must still accept the fixed text.
 *
 * Each changed file is checked in a copy of its repository's corpus directory, wrapped the way the truth wrapped it
 * (nginx-truth.sh): a main config next to the file, so relative includes resolve as they did, holding the file in the
 * context nginx accepted it in, with Debian's dynamic modules, `events {}`, a default certificate, stub log formats
 * and empty files for missing relative include targets. What the truth also made but a test cannot (files at
 * absolute paths, users, host names, addresses) is missing, so a file is first checked unfixed: if it fails already,
 * the fix's effect cannot be told apart and the file is listed as not checkable, not failed.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Directive } from '../src/ast.js';
import type { BlockContext } from '../src/directives.js';
import { lint, type FixedFile } from '../src/engine.js';
import { loadProgram, type Program } from '../src/loader.js';
import { findCorpus, readTruth, type TruthRow } from './helpers/corpus.js';
import { nginxCheck } from './helpers/nginx.js';
import { findNginx } from './reality/harness.js';

const DEBIAN_MODULES = '/etc/nginx/modules-enabled';
const DEBIAN_MODULE_FILES = '/usr/lib/nginx/modules';
/** Include targets the truth copied from Debian's /etc/nginx instead of leaving empty. */
const DEBIAN_STOCK_FILES = new Set(['mime.types', 'fastcgi_params', 'fastcgi.conf', 'proxy_params', 'scgi_params', 'uwsgi_params', 'koi-utf', 'koi-win', 'win-utf']);
/** A dotfile, so that the corpus's own `include *.conf` globs do not pick the wrapper up. */
const WRAPPER_NAME = '.nginx-lint-corpus-wrapper.conf';

const corpus = findCorpus('corpus --fix test');
const nginx = corpus === null ? null : findNginx();

/** The release of the nginx that checks the fixes: the fixes are computed for it. */
function nginxVersionOf(binary: string): string {
  const output = spawnSync(binary, ['-v'], { encoding: 'utf8' }).stderr;
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(output)?.[1];
  if (!version) throw new Error(`cannot read the version from \`${binary} -v\`: ${output}`);
  return version;
}

/** The truth's default certificate for snippets that inherit TLS from their includer; null without openssl. */
function makeCertificate(directory: string): string | null {
  const key = path.join(directory, 'key.pem');
  const certificate = path.join(directory, 'cert.pem');
  const result = spawnSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=corpus.test', '-keyout', key, '-out', certificate]);
  if (result.status !== 0) return null;
  const combined = path.join(directory, 'combined.pem');
  writeFileSync(combined, readFileSync(certificate, 'utf8') + readFileSync(key, 'utf8'));
  return combined;
}

function* allDirectives(program: Program): Generator<Directive> {
  const pending: Directive[] = [...program.files.values()].flatMap((file) => file.directives);
  while (pending.length > 0) {
    const directive = pending.pop()!;
    yield directive;
    if (directive.children) pending.push(...directive.children);
  }
}

/** `log_format` stubs for the formats `access_log` names but no file defines, as the truth added them. */
function logFormatStubs(program: Program): string {
  const defined = new Set<string>(['combined']);
  const used = new Set<string>();
  for (const directive of allDirectives(program)) {
    const [first, second] = directive.args.map((arg) => arg.value);
    if (directive.name === 'log_format' && first) defined.add(first);
    if (directive.name === 'access_log' && first !== 'off' && second && !second.includes('=')) used.add(second);
  }
  return [...used]
    .filter((format) => !defined.has(format) && /^[A-Za-z0-9_.-]+$/.test(format))
    .sort()
    .map((format) => `log_format ${format} '$remote_addr';\n`)
    .join('');
}

/** nginx-truth.sh's wrapper for a context. */
function wrapperText(context: BlockContext, target: string, program: Program, certificate: string | null): string {
  const loadsOwnModules = [...allDirectives(program)].some((directive) => directive.name === 'load_module');
  const modules = loadsOwnModules ? '' : `include ${DEBIAN_MODULES}/*.conf;\n`;
  const include = `include ${target};\n`;
  const inherited = (certificate ? `ssl_certificate ${certificate};\nssl_certificate_key ${certificate};\n` : '') + logFormatStubs(program);
  switch (context) {
    case 'main':
      return modules + include + (program.entry.directives.some((directive) => directive.name === 'events') ? '' : 'events {}\n');
    case 'http':
      return `${modules}events {}\nhttp {\n${inherited}${include}}\n`;
    case 'server':
      return `${modules}events {}\nhttp {\n${inherited}server {\n${include}}\n}\n`;
    case 'location':
      return `${modules}events {}\nhttp {\n${inherited}server {\nlocation / {\n${include}}\n}\n}\n`;
    case 'stream':
      return `${modules}events {}\nstream {\n${include}}\n`;
    default:
      throw new Error(`the truth has no wrapper for context ${context}`);
  }
}

interface Sandbox {
  readonly wrapper: string;
  /** Where a corpus file is in the copy, or null for a file outside the copied repository. */
  copyOf(corpusPath: string): string | null;
}

/** A copy of the row's repository directory with the wrapper next to the file, as the truth's sandbox had it. */
function prepareSandbox(root: string, row: TruthRow, workDirectory: string, certificate: string | null): Sandbox {
  const repository = row.path.split('/')[0]!;
  const copyRoot = mkdtempSync(path.join(workDirectory, 'sandbox-'));
  cpSync(path.join(root, repository), path.join(copyRoot, repository), { recursive: true });
  const copyOf = (corpusPath: string): string | null => {
    const inRepository = path.relative(path.join(root, repository), corpusPath);
    return inRepository.startsWith('..') || path.isAbsolute(inRepository) ? null : path.join(copyRoot, repository, inRepository);
  };

  const program = loadProgram(path.join(root, row.path));
  for (const resolution of program.includes.values()) {
    const missing = resolution.error !== null && resolution.files.length === 0 ? copyOf(resolution.pattern) : null;
    if (missing === null || existsSync(missing)) continue;
    mkdirSync(path.dirname(missing), { recursive: true });
    const stock = path.join('/etc/nginx', path.basename(missing));
    if (DEBIAN_STOCK_FILES.has(path.basename(missing)) && existsSync(stock)) copyFileSync(stock, missing);
    else writeFileSync(missing, '');
  }

  const directory = path.dirname(copyOf(path.join(root, row.path))!);
  // nginxCheck makes the wrapper's directory the prefix: default logs and `load_module modules/…` resolve there.
  mkdirSync(path.join(directory, 'logs'), { recursive: true });
  if (existsSync(DEBIAN_MODULE_FILES) && !existsSync(path.join(directory, 'modules'))) symlinkSync(DEBIAN_MODULE_FILES, path.join(directory, 'modules'));
  const wrapper = path.join(directory, WRAPPER_NAME);
  writeFileSync(wrapper, wrapperText(row.context, path.join(directory, path.basename(row.path)), program, certificate));
  return { wrapper, copyOf };
}

function verdictText(verdict: ReturnType<typeof nginxCheck>): string {
  return verdict.file ? `${verdict.message} in ${verdict.file}:${verdict.line}` : `${verdict.message}`;
}

describe.skipIf(corpus === null || nginx === null)('corpus --fix: fixed files stay valid for real nginx -t', () => {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-corpus-fix-'));
  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  it('every fix that changes an accepted corpus file leaves it accepted', async () => {
    const root = corpus!;
    const nginxVersion = nginxVersionOf(nginx!);
    const certificate = makeCertificate(workDirectory);
    const accepted = readTruth(root).filter((row) => row.accepted);
    const changed: { row: TruthRow; fixedFiles: FixedFile[] }[] = [];
    for (const row of accepted) {
      // No config file: the recommended preset, as for a user without one.
      const run = await lint([path.join(root, row.path)], { cwd: root, configLookup: false, context: row.context, nginxVersion, fix: true });
      if (run.fixedFiles.length > 0) changed.push({ row, fixedFiles: run.fixedFiles });
    }

    const notCheckable: Record<string, string> = {};
    const broken: Record<string, string> = {};
    let checked = 0;
    for (const { row, fixedFiles } of changed) {
      const sandbox = prepareSandbox(root, row, workDirectory, certificate);
      const before = nginxCheck(sandbox.wrapper);
      if (before.message !== null) {
        notCheckable[row.path] = `fails unfixed in this sandbox: ${verdictText(before)}`;
        continue;
      }
      const outside = fixedFiles.filter((file) => sandbox.copyOf(file.path) === null).map((file) => file.path);
      if (outside.length > 0) {
        notCheckable[row.path] = `the fix changed files outside the corpus copy: ${outside.join(', ')}`;
        continue;
      }
      for (const file of fixedFiles) writeFileSync(sandbox.copyOf(file.path)!, Buffer.from(file.after, file.encoding));
      const after = nginxCheck(sandbox.wrapper);
      checked++;
      if (after.message !== null) {
        const files = fixedFiles.map((file) => path.relative(root, file.path)).join(', ');
        broken[row.path] = `nginx -t rejects the fixed ${files}: ${verdictText(after)}`;
      }
    }

    console.log(
      `corpus --fix (nginx ${nginxVersion}): ${changed.length}/${accepted.length} accepted files changed by --fix; ` +
        `${checked} checked with nginx -t, ${checked - Object.keys(broken).length} still accepted; ` +
        `${Object.keys(notCheckable).length} not checkable${certificate ? '' : ' (no openssl: no default certificate)'}`,
    );
    for (const [file, reason] of Object.entries(notCheckable)) console.log(`  not checkable: ${file}: ${reason}`);
    expect(broken).toEqual({});
  });
});
