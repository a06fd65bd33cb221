/**
 * `--fix` must never break a configuration: every corpus file real nginx accepted is linted with the recommended
 * rules and `fix: true`, and wherever a fix changed a file, real `nginx -t` must still accept the fixed text.
 *
 * Each changed file is checked in a sandbox made the way the truth made its own (nginx-truth.sh): the files nginx
 * reads, copied with their paths in the repository kept, and a main config next to the file (so relative includes
 * resolve as they did) holding it in the context nginx accepted it in, with Debian's dynamic modules, `events {}`, a
 * default certificate and stub log formats. The truth created what a corpus cannot ship (certificates, DH params,
 * missing include targets, log and temp directories) at their absolute paths inside a throwaway overlay of `/`; a
 * test must not write outside its temporary directory, so those paths are pointed into the sandbox instead, in the
 * copied text before and after the fix alike. Users, host names and addresses cannot be made at all, so each file is
 * first checked unfixed: if that fails, the fix's effect cannot be told apart, and the file is listed as not
 * checkable rather than failed.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Directive } from '../src/syntax/ast.js';
import type { BlockContext } from '../src/nginx/directives.js';
import { lint, type FixedFile } from '../src/run.js';
import { loadProgram, type Program } from '../src/load/program.js';
import { parse } from '../src/syntax/parser.js';
import { findCorpus, readTruth, type TruthRow } from './helpers/corpus.js';
import { type FileVerdict, nginxCheck } from './helpers/nginx.js';
import { findNginx } from './reality/harness.js';

const DEBIAN_CONFIG = '/etc/nginx';
const DEBIAN_MODULES = '/etc/nginx/modules-enabled';
const DEBIAN_MODULE_FILES = '/usr/lib/nginx/modules';
/** Include targets the truth copied from Debian's /etc/nginx instead of leaving empty. */
const DEBIAN_STOCK_FILES = new Set([
  'mime.types',
  'fastcgi_params',
  'fastcgi.conf',
  'proxy_params',
  'scgi_params',
  'uwsgi_params',
  'koi-utf',
  'koi-win',
  'win-utf',
]);
/** A dotfile, so that the corpus's own `include *.conf` globs do not pick the wrapper up. */
const WRAPPER_NAME = '.nginx-lint-corpus-wrapper.conf';
/** Where absolute paths outside the corpus land in a sandbox; a dot directory, out of the globs' reach too. */
const HOST_PATHS = '.host';
const GLOB_CHARS = /[*?[]/;

const corpus = findCorpus('corpus --fix test');
const nginx = corpus === null ? null : findNginx();

/** The release of the nginx that checks the fixes: the fixes are computed for it. */
function nginxVersionOf(binary: string): string {
  const output = spawnSync(binary, ['-v'], { encoding: 'utf8' }).stderr;
  const version = /nginx\/(\d+\.\d+\.\d+)/.exec(output)?.[1];
  if (!version) throw new Error(`cannot read the version from \`${binary} -v\`: ${output}`);
  return version;
}

/** The truth's key material; a member is null when openssl cannot make it, and files that need it fail unfixed. */
interface KeyMaterial {
  /** Certificate and key in one PEM, usable for both directives. */
  readonly certificate: string | null;
  readonly dhParameters: string | null;
}

function makeKeyMaterial(directory: string): KeyMaterial {
  const openssl = (args: string[]) => spawnSync('openssl', args).status === 0;
  const key = path.join(directory, 'key.pem');
  const certificate = path.join(directory, 'cert.pem');
  const combined = path.join(directory, 'combined.pem');
  const dhParameters = path.join(directory, 'dh.pem');
  const certificateMade = openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=corpus.test',
    '-keyout',
    key,
    '-out',
    certificate,
  ]);
  if (certificateMade) writeFileSync(combined, readFileSync(certificate, 'utf8') + readFileSync(key, 'utf8'));
  // A named group: instant, where generating fresh parameters takes seconds.
  const dhMade = openssl(['genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', dhParameters]);
  return { certificate: certificateMade ? combined : null, dhParameters: dhMade ? dhParameters : null };
}

function* walk(directives: readonly Directive[]): Generator<Directive> {
  for (const directive of directives) {
    yield directive;
    if (directive.children) yield* walk(directive.children);
  }
}

function* allDirectives(program: Program): Generator<Directive> {
  for (const file of program.files.values()) yield* walk(file.directives);
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

/** What nginx -t opens or creates through a directive's first argument. */
type OpenedPath = 'include' | 'certificate' | 'dh-parameters' | 'ticket-key' | 'log' | 'directory';

function openedPathOf(name: string): OpenedPath | null {
  if (name === 'include') return 'include';
  if (name === 'ssl_dhparam') return 'dh-parameters';
  if (name === 'ssl_session_ticket_key') return 'ticket-key';
  if (/(^|_)ssl_certificate(_key)?$|_trusted_certificate$|^ssl_client_certificate$/.test(name)) return 'certificate';
  if (name === 'access_log' || name === 'error_log' || name === 'pid') return 'log';
  if (/_(temp|cache)_path$/.test(name)) return 'directory';
  return null;
}

/** Whether an argument names a file: not a variable, `off`, `stderr`, or a `syslog:`/`memory:`/`data:` value. */
function isPlainPath(value: string): boolean {
  return !value.includes('$') && !/^[a-z]+:/.test(value) && value !== 'off' && value !== 'stderr';
}

/**
 * The files nginx reads for one corpus file, copied under a fresh directory with their paths in the repository
 * kept, plus the wrapper next to the corpus file.
 */
class Sandbox {
  private readonly root: string;
  private readonly repository: string;
  private readonly prefix: string;
  readonly wrapper: string;

  constructor(
    corpusRoot: string,
    row: TruthRow,
    workDirectory: string,
    private readonly keys: KeyMaterial,
  ) {
    this.repository = path.join(corpusRoot, row.path.split('/')[0]!);
    this.root = mkdtempSync(path.join(workDirectory, 'sandbox-'));
    const program = loadProgram(path.join(corpusRoot, row.path));
    const entryCopy = this.copyOf(program.entry.path)!;
    // The wrapper's directory is nginx's prefix (nginxCheck's -p) and conf prefix: relative paths resolve there.
    this.prefix = path.dirname(entryCopy);
    mkdirSync(path.join(this.prefix, 'logs'), { recursive: true });
    if (existsSync(DEBIAN_MODULE_FILES) && !existsSync(path.join(this.prefix, 'modules')))
      symlinkSync(DEBIAN_MODULE_FILES, path.join(this.prefix, 'modules'));
    for (const file of program.files.values()) {
      if (this.copyOf(file.path) !== null) this.write(file.path, file.text, file.encoding ?? 'utf8');
    }
    this.wrapper = path.join(this.prefix, WRAPPER_NAME);
    writeFileSync(this.wrapper, wrapperText(row.context, entryCopy, program, keys.certificate));
  }

  /** Where a corpus file is in the sandbox, or null for a file outside the copied repository. */
  copyOf(corpusPath: string): string | null {
    const inRepository = path.relative(this.repository, corpusPath);
    return inRepository.startsWith('..') || path.isAbsolute(inRepository) ? null : path.join(this.root, inRepository);
  }

  /** Writes a corpus file's text into the sandbox, its opened paths pointed at stand-ins. */
  write(corpusPath: string, text: string, encoding: 'utf8' | 'latin1'): void {
    const target = this.copyOf(corpusPath)!;
    const edits: { start: number; end: number; text: string }[] = [];
    for (const directive of walk(parse(text, target).directives)) {
      const opened = openedPathOf(directive.name);
      const argument = directive.args[0];
      if (opened === null || argument === undefined || !isPlainPath(argument.value)) continue;
      const standIn = this.standIn(opened, argument.value);
      if (standIn !== argument.value)
        edits.push({ start: argument.start, end: argument.end, text: /[\s;{}"'#\\]/.test(standIn) ? `"${standIn}"` : standIn });
    }
    let rewritten = text;
    for (const edit of edits.sort((a, b) => b.start - a.start)) rewritten = rewritten.slice(0, edit.start) + edit.text + rewritten.slice(edit.end);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(rewritten, encoding));
  }

  /** nginx's verdict, with the file it names given by its path in the repository. */
  describe(verdict: FileVerdict): string {
    return verdict.file ? `${verdict.message} in ${path.relative(this.root, verdict.file)}:${verdict.line}` : `${verdict.message}`;
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  /**
   * The path the sandbox uses for a directive's path argument, with the stand-in made there: inside the sandbox as
   * written; outside it, moved under HOST_PATHS — except Debian's module configs and existing files nginx only reads
   * (`/etc/nginx/mime.types`, a distribution's certificate), which the truth's overlay of `/` had too.
   */
  private standIn(opened: OpenedPath, value: string): string {
    const resolved = path.resolve(this.prefix, value);
    const inside = !path.relative(this.root, resolved).startsWith('..');
    const readOnly = opened === 'include' || opened === 'certificate' || opened === 'dh-parameters' || opened === 'ticket-key';
    if (!inside && (resolved.startsWith(`${DEBIAN_MODULES}/`) || (readOnly && !GLOB_CHARS.test(resolved) && existsSync(resolved)))) return value;
    const target = inside ? resolved : path.join(this.root, HOST_PATHS, resolved);
    this.make(opened, target);
    return inside ? value : target;
  }

  private make(opened: OpenedPath, target: string): void {
    const directory = opened === 'directory' ? target : path.dirname(target);
    mkdirSync(directory, { recursive: true });
    if (opened === 'directory' || opened === 'log' || existsSync(target)) return;
    if (opened === 'include') {
      // A glob that matches nothing is fine; only a plain name must exist.
      if (GLOB_CHARS.test(target)) return;
      const stock = path.join(DEBIAN_CONFIG, path.basename(target));
      if (DEBIAN_STOCK_FILES.has(path.basename(target)) && existsSync(stock)) copyFileSync(stock, target);
      else writeFileSync(target, '');
      return;
    }
    if (opened === 'ticket-key') {
      writeFileSync(target, randomBytes(80));
      return;
    }
    const material = opened === 'certificate' ? this.keys.certificate : this.keys.dhParameters;
    if (material !== null) copyFileSync(material, target);
  }
}

/** nginx -t on the files as the corpus has them, then with the fixes written over them. */
function checkFix(
  root: string,
  row: TruthRow,
  fixedFiles: readonly FixedFile[],
  workDirectory: string,
  keys: KeyMaterial,
): { verdict: 'accepted' | 'rejected' | 'not-checkable'; detail: string } {
  const sandbox = new Sandbox(root, row, workDirectory, keys);
  try {
    const before = nginxCheck(sandbox.wrapper);
    if (before.message !== null) return { verdict: 'not-checkable', detail: `fails unfixed in this sandbox: ${sandbox.describe(before)}` };
    const outside = fixedFiles.filter((file) => sandbox.copyOf(file.path) === null).map((file) => file.path);
    if (outside.length > 0) return { verdict: 'not-checkable', detail: `the fix changed files outside the repository: ${outside.join(', ')}` };
    for (const file of fixedFiles) sandbox.write(file.path, file.after, file.encoding);
    const after = nginxCheck(sandbox.wrapper);
    if (after.message === null) return { verdict: 'accepted', detail: '' };
    const files = fixedFiles.map((file) => path.relative(root, file.path)).join(', ');
    return { verdict: 'rejected', detail: `nginx -t rejects the fixed ${files}: ${sandbox.describe(after)}` };
  } finally {
    sandbox.remove();
  }
}

describe.skipIf(corpus === null || nginx === null)('corpus --fix: fixed files stay valid for real nginx -t', () => {
  const workDirectory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-corpus-fix-'));
  afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

  it('every fix that changes an accepted corpus file leaves it accepted', async () => {
    const root = corpus!;
    const nginxVersion = nginxVersionOf(nginx!);
    const keys = makeKeyMaterial(workDirectory);
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
      const outcome = checkFix(root, row, fixedFiles, workDirectory, keys);
      if (outcome.verdict === 'not-checkable') notCheckable[row.path] = outcome.detail;
      else checked++;
      if (outcome.verdict === 'rejected') broken[row.path] = outcome.detail;
    }

    const missingKeys = [keys.certificate ? '' : 'certificate', keys.dhParameters ? '' : 'DH parameters'].filter(Boolean);
    console.log(
      `corpus --fix (nginx ${nginxVersion}): ${changed.length}/${accepted.length} accepted files changed by --fix; ` +
        `${checked} checked with nginx -t, ${checked - Object.keys(broken).length} still accepted; ` +
        `${Object.keys(notCheckable).length} not checkable` +
        (missingKeys.length > 0 ? ` (openssl made no ${missingKeys.join(' or ')})` : ''),
    );
    for (const [file, reason] of Object.entries(notCheckable)) console.log(`  not checkable: ${file}: ${reason}`);
    expect(broken).toEqual({});
    // The README's fidelity block (written by corpus-fidelity.test.ts) states these counts: they must be the measured ones.
    const stated = `\`--fix\` changes ${changed.length} of the ${accepted.length} accepted files; real \`nginx -t\` still accepts all ${checked} of them it can check here`;
    const readme = readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8').replace(/\s+/g, ' ');
    expect(readme.includes(stated), `README.md --fix figures are stale; measured: ${stated}`).toBe(true);
  });
});
