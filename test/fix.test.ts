import * as fs from 'node:fs';
import {
  chmodSync,
  chownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { applyPatch, createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';
import fc from 'fast-check';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Directive, SourceFile } from '../src/syntax/ast.js';
import { applyTextChanges, fixUntilStable, mergeChanges, type LintForFixesResult, type ProposedFix } from '../src/fix/apply.js';
import { unifiedDiff } from '../src/fix/diff.js';
import { insertStatementsInBlock, replaceToken } from '../src/syntax/edits.js';
import { readConfigFile } from '../src/load/program.js';
import { parse } from '../src/syntax/parser.js';
import { buildTree, walkTree } from '../src/load/tree.js';

// Spies that call the real functions unless a test makes them fail, to interrupt a write at a chosen step.
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return {
    ...actual,
    writeFileSync: vi.fn(actual.writeFileSync),
    fsyncSync: vi.fn(actual.fsyncSync),
    renameSync: vi.fn(actual.renameSync),
  };
});

describe('applyTextChanges', () => {
  it('defers a change that overlaps one taken before it, and applies changes that merely touch', () => {
    const replaceBcd = { start: 1, end: 4, text: 'X' };
    const replaceC = { start: 2, end: 3, text: 'Y' };
    const insertInsideBcd = { start: 2, end: 2, text: 'Z' };
    const insertAfterBcd = { start: 4, end: 4, text: '+' };
    const result = applyTextChanges('abcdef', [insertAfterBcd, replaceC, replaceBcd, insertInsideBcd]);
    expect(result.text).toBe('aX+ef');
    expect(result.applied).toEqual([replaceBcd, insertAfterBcd]);
    expect(result.deferred).toEqual([insertInsideBcd, replaceC]);
  });

  it('applies insertions at the same offset in the order given, before a replacement starting there', () => {
    const result = applyTextChanges('abcdef', [
      { start: 3, end: 5, text: 'R' },
      { start: 3, end: 3, text: '1' },
      { start: 3, end: 3, text: '2' },
      { start: 3, end: 3, text: '3' },
    ]);
    expect(result.text).toBe('abc123Rf');
    expect(result.deferred).toEqual([]);
  });

  it('rejects a range outside the text', () => {
    expect(() => applyTextChanges('abc', [{ start: 2, end: 4, text: '' }])).toThrow(RangeError);
    expect(() => applyTextChanges('abc', [{ start: 2, end: 1, text: '' }])).toThrow(RangeError);
  });
});

describe('mergeChanges', () => {
  it('makes one change spanning a fix’s changes, copying the text between them', () => {
    expect(
      mergeChanges('listen 80 default;', [
        { start: 7, end: 9, text: '443' },
        { start: 10, end: 17, text: 'ssl' },
      ]),
    ).toEqual({
      start: 7,
      end: 17,
      text: '443 ssl',
    });
  });

  it('gives what applying the changes to the text they span gives, in whatever order they come', () => {
    const change = (length: number) =>
      fc
        .tuple(fc.integer({ min: 0, max: length }), fc.integer({ min: 0, max: length }), fc.constantFrom('', 'X', 'YZ'))
        .map(([a, b, text]) => ({ start: Math.min(a, b), end: Math.max(a, b), text }));
    const text = 'abcdefghij';
    fc.assert(
      fc.property(fc.array(change(text.length), { minLength: 1, maxLength: 5 }), (changes) => {
        const start = Math.min(...changes.map((one) => one.start));
        const end = Math.max(...changes.map((one) => one.end));
        const applied = applyTextChanges(
          text.slice(start, end),
          changes.map((one) => ({ start: one.start - start, end: one.end - start, text: one.text })),
        );
        expect(mergeChanges(text, changes)).toEqual(
          applied.deferred.length > 0 ? { invalid: 'its changes overlap each other' } : { start, end, text: applied.text },
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('reports changes of one fix that overlap each other', () => {
    expect(
      mergeChanges('abcdef', [
        { start: 1, end: 3, text: '' },
        { start: 2, end: 4, text: '' },
      ]),
    ).toEqual({ invalid: 'its changes overlap each other' });
  });
});

/** The statements of a parsed file as rules see them: tree nodes, depth first. */
function statementsOf(file: SourceFile): Directive[] {
  const program = { entry: file, files: new Map([[file.path, file]]), includes: new Map(), prefix: '/etc/nginx', fromDump: false };
  const statements: Directive[] = [];
  walkTree(buildTree(program, 'main').roots, (node) => statements.push(node.directive));
  return statements;
}

type TestRule = (file: SourceFile) => ProposedFix[];

/**
 * A small stand-in for the engine: parses the text, runs the given rules for fixes, and reports syntax errors and
 * one structural problem — a directive repeated in its block — as position-free keys.
 */
function linterWith(rules: readonly TestRule[]): { lint: (text: string) => LintForFixesResult; calls: () => number } {
  let calls = 0;
  const lint = (text: string): LintForFixesResult => {
    calls++;
    const file = parse(text, '/etc/nginx/nginx.conf');
    const problemKeys = file.errors.map((error) => `syntax: ${error.message}`);
    for (const directive of statementsOf(file)) {
      const siblings = directive.parent?.children ?? file.directives;
      const earlier = siblings.slice(0, siblings.indexOf(directive));
      if (earlier.some((sibling) => sibling.name === directive.name && sibling.name !== 'location')) {
        problemKeys.push(`duplicate: "${directive.name}" is duplicate`);
      }
    }
    return { fixes: file.errors.length > 0 ? [] : rules.flatMap((rule) => rule(file)), problemKeys };
  };
  return { lint, calls: () => calls };
}

const raiseReadTimeout: TestRule = (file) =>
  statementsOf(file)
    .filter((directive) => directive.name === 'proxy_read_timeout' && directive.args[0]?.value === '5s')
    .map((directive) => ({ ruleId: 'raise-read-timeout', changes: replaceToken(file, directive.args[0]!, '60s') }));

/** Proposes its fix only once the read timeout is fixed, so fixing takes a second pass. */
const matchSendTimeout: TestRule = (file) =>
  statementsOf(file)
    .filter((directive) => directive.name === 'proxy_read_timeout' && directive.args[0]?.value === '60s')
    .filter((directive) => !directive.parent?.children?.some((sibling) => sibling.name === 'proxy_send_timeout'))
    .map((directive) => ({ ruleId: 'match-send-timeout', changes: insertStatementsInBlock(directive.parent!, ['proxy_send_timeout 60s;'], 'end') }));

function http11Rule(ruleId: string): TestRule {
  return (file) =>
    statementsOf(file)
      .filter((directive) => directive.name === 'location' && !directive.children?.some((child) => child.name === 'proxy_http_version'))
      .map((location) => ({ ruleId, changes: insertStatementsInBlock(location, ['proxy_http_version 1.1;'], 'start') }));
}

/** A buggy rule whose fix opens a block that is never closed. */
const openBrace: TestRule = (file) =>
  statementsOf(file)
    .filter((directive) => directive.name === 'gzip')
    .map((directive) => ({ ruleId: 'open-brace', changes: [{ file, start: directive.end, end: directive.end, text: ' {' }] }));

const CONFIG = 'location / {\n    proxy_pass http://app;\n    proxy_read_timeout 5s;\n}\ngzip on;\n';

describe('fixUntilStable', () => {
  it('fixes in passes until nothing is left to fix', async () => {
    const { lint } = linterWith([raiseReadTimeout, matchSendTimeout]);
    const result = await fixUntilStable({ initialText: CONFIG, lintForFixes: lint });
    expect(result).toEqual({
      text: 'location / {\n    proxy_pass http://app;\n    proxy_read_timeout 60s;\n    proxy_send_timeout 60s;\n}\ngzip on;\n',
      passes: 2,
      dropped: [],
      changed: true,
    });
  });

  it('applies an overlapping fix in a later pass', async () => {
    let lintCount = 0;
    const result = await fixUntilStable({
      initialText: 'user nginx;\n',
      lintForFixes: (text) => {
        lintCount++;
        const file = parse(text, 'a.conf');
        const userArg = file.directives[0]!.args[0]!;
        const fixes: ProposedFix[] = [];
        if (userArg.value === 'nginx') fixes.push({ ruleId: 'rename', changes: replaceToken(file, userArg, 'www') });
        if (file.directives[0]!.args.length === 1) fixes.push({ ruleId: 'group', changes: replaceToken(file, userArg, `${userArg.raw} www`) });
        return { fixes, problemKeys: [] };
      },
    });
    expect(result.text).toBe('user www www;\n');
    expect(result.passes).toBe(2);
    // One lint per pass plus the initial one; the third finds nothing left to fix.
    expect(lintCount).toBe(3);
  });

  it('is idempotent: fixing its own output changes nothing', async () => {
    const { lint } = linterWith([raiseReadTimeout, matchSendTimeout, http11Rule('http11')]);
    const first = await fixUntilStable({ initialText: CONFIG, lintForFixes: lint });
    const again = await fixUntilStable({ initialText: first.text, lintForFixes: lint });
    expect(again).toEqual({ text: first.text, passes: 0, dropped: [], changed: false });
    const withoutFixes = await fixUntilStable({ initialText: first.text, lintForFixes: () => ({ fixes: [], problemKeys: [] }) });
    expect(withoutFixes).toEqual({ text: first.text, passes: 0, dropped: [], changed: false });
  });

  it('drops a fix that introduces a syntax error, keeps the others of its pass, and does not retry it', async () => {
    const linter = linterWith([openBrace, raiseReadTimeout]);
    const result = await fixUntilStable({ initialText: CONFIG, lintForFixes: linter.lint });
    expect(result.text).toBe(CONFIG.replace('5s', '60s'));
    expect(parse(result.text, 'a.conf').errors).toEqual([]);
    expect(result.dropped).toEqual([{ ruleId: 'open-brace', reason: 'the fix would introduce: syntax: unexpected "{"' }]);
    // The initial lint, the failed pass and its replay of each of its 2 fixes; the dropped fix, proposed again
    // after the pass, is recognised and not retried.
    expect(linter.calls()).toBe(4);
  });

  it('replays a failed pass by halves: one bad fix among 64 costs two relints per halving, not one per fix', async () => {
    const initialText = Array.from({ length: 64 }, (_, index) => `gzip on; # ${index}\n`).join('');
    let calls = 0;
    const lintForFixes = (text: string): LintForFixesResult => {
      calls++;
      const file = parse(text, 'a.conf');
      const fixes = file.directives.flatMap((directive, index) =>
        directive.args[0]?.value === 'on'
          ? [{ ruleId: index === 37 ? 'bad' : 'good', changes: replaceToken(file, directive.args[0]!, index === 37 ? 'off {' : 'off') }]
          : [],
      );
      return { fixes, problemKeys: file.errors.map((error) => `syntax: ${error.message}`) };
    };
    const result = await fixUntilStable({ initialText, lintForFixes });
    const lines = result.text.split('\n');
    expect(lines.filter((line) => line.startsWith('gzip off;'))).toHaveLength(63);
    expect(lines[37]).toBe('gzip on; # 37');
    expect(result.dropped.map((note) => note.ruleId)).toEqual(['bad']);
    // The initial lint, the failed pass, then two trials for each of the 6 halvings from 64 fixes down to the bad
    // one (a replay fix by fix would have taken 64); the bad fix proposed again after the pass is not retried.
    expect(calls).toBe(2 + 2 * 6);
  });

  it('drops the second of two fixes that are harmless alone but together repeat a directive', async () => {
    const { lint } = linterWith([http11Rule('http11-a'), http11Rule('http11-b')]);
    const result = await fixUntilStable({ initialText: 'location / {\n    proxy_pass http://app;\n}\n', lintForFixes: lint });
    expect(result.text).toBe('location / {\n    proxy_http_version 1.1;\n    proxy_pass http://app;\n}\n');
    expect(result.dropped).toEqual([{ ruleId: 'http11-b', reason: 'the fix would introduce: duplicate: "proxy_http_version" is duplicate' }]);
  });

  it('counts repeated problem keys, so a second copy of an existing problem is caught', async () => {
    const text = 'gzip on;\ngzip on;\nsendfile on;\n';
    const duplicateGzip = (current: string): ProposedFix[] =>
      current.includes('sendfile')
        ? [{ ruleId: 'gzip-again', changes: [{ start: current.indexOf('sendfile'), end: current.length - 1, text: 'gzip off;' }] }]
        : [];
    const { lint } = linterWith([]);
    const result = await fixUntilStable({ initialText: text, lintForFixes: (current) => ({ ...lint(current), fixes: duplicateGzip(current) }) });
    expect(result.changed).toBe(false);
    expect(result.dropped.map((note) => note.ruleId)).toEqual(['gzip-again']);
  });

  it('drops a fix whose own changes overlap, with a note', async () => {
    const result = await fixUntilStable({
      initialText: 'abcdef',
      lintForFixes: () => ({
        fixes: [
          {
            ruleId: 'broken',
            changes: [
              { start: 0, end: 3, text: 'x' },
              { start: 2, end: 4, text: 'y' },
            ],
          },
        ],
        problemKeys: [],
      }),
    });
    expect(result).toEqual({
      text: 'abcdef',
      passes: 0,
      dropped: [{ ruleId: 'broken', reason: 'the fix cannot be applied: its changes overlap each other' }],
      changed: false,
    });
  });

  it('ignores fixes that change nothing and stops after maxPasses when fixes never settle', async () => {
    const noOp = await fixUntilStable({
      initialText: 'gzip on;',
      lintForFixes: () => ({ fixes: [{ ruleId: 'same', changes: [{ start: 5, end: 7, text: 'on' }] }], problemKeys: [] }),
    });
    expect(noOp).toEqual({ text: 'gzip on;', passes: 0, dropped: [], changed: false });

    const toggle = (text: string): LintForFixesResult => ({
      fixes: [{ ruleId: 'toggle', changes: [{ start: 5, end: text.length - 1, text: text.includes('on') ? 'off' : 'on' }] }],
      problemKeys: [],
    });
    const result = await fixUntilStable({ initialText: 'gzip on;', lintForFixes: toggle, maxPasses: 3 });
    expect(result).toEqual({ text: 'gzip off;', passes: 3, dropped: [], changed: true });
  });
});

describe('writeFileAtomic', () => {
  // The write module as it runs over the spied node:fs above. The unit layer shares one module graph per worker
  // (isolate: false, vitest.config.ts), so another test file may have loaded it over the real one: load it afresh.
  let write: typeof import('../src/fix/write.js');
  beforeAll(async () => {
    vi.resetModules();
    write = await import('../src/fix/write.js');
  });
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-write-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const temporaryFiles = (inDirectory = directory) => readdirSync(inDirectory).filter((name) => name.endsWith('.tmp'));

  it('replaces the contents and leaves no temporary file', () => {
    const target = path.join(directory, 'nginx.conf');
    writeFileSync(target, 'user nginx;\n');
    write.writeFileAtomic(target, 'user www;\n', 'utf8');
    expect(readFileSync(target, 'utf8')).toBe('user www;\n');
    expect(readdirSync(directory)).toEqual(['nginx.conf']);
  });

  it.each([
    ['renameSync', 'EXDEV: cross-device link not permitted'],
    ['fsyncSync', 'EIO: i/o error'],
    ['writeFileSync', 'ENOSPC: no space left on device'],
  ] as const)('leaves the original intact and no temporary file when %s fails', (step, message) => {
    const target = path.join(directory, 'nginx.conf');
    writeFileSync(target, 'user nginx;\n');
    vi.mocked(fs[step]).mockImplementationOnce(() => {
      throw new Error(message);
    });
    expect(() => write.writeFileAtomic(target, 'user www;\n', 'utf8')).toThrow(message);
    expect(readFileSync(target, 'utf8')).toBe('user nginx;\n');
    expect(temporaryFiles()).toEqual([]);
  });

  it('keeps the mode of the original', () => {
    const target = path.join(directory, 'secret.conf');
    writeFileSync(target, 'ssl_password_file /x;\n');
    chmodSync(target, 0o640);
    write.writeFileAtomic(target, 'ssl_password_file /y;\n', 'utf8');
    expect(statSync(target).mode & 0o7777).toBe(0o640);
  });

  it.runIf(process.getuid?.() === 0)('keeps the owner and group of the original when running as root', () => {
    const target = path.join(directory, 'owned.conf');
    writeFileSync(target, 'user nginx;\n');
    chownSync(target, 1234, 5678);
    write.writeFileAtomic(target, 'user www;\n', 'utf8');
    expect(statSync(target)).toMatchObject({ uid: 1234, gid: 5678 });
  });

  it('writes latin1 files back byte for byte outside the edit', () => {
    const target = path.join(directory, 'latin1.conf');
    const original = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nuser nginx;\n')]);
    writeFileSync(target, original);
    const file = readConfigFile(target);
    expect(file.encoding).toBe('latin1');
    write.writeFixedFile(file, file.text.replace('nginx', 'www'));
    expect(readFileSync(target)).toEqual(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9, 0xff]), Buffer.from('\nuser www;\n')]));
  });

  it('refuses text latin1 cannot hold instead of mangling it', () => {
    const target = path.join(directory, 'latin1.conf');
    writeFileSync(target, Buffer.from([0x23, 0xe9, 0x0a]));
    expect(() => write.writeFileAtomic(target, '#\u00e9 \u2014\n', 'latin1')).toThrow(/latin1 cannot represent/);
    expect(readFileSync(target)).toEqual(Buffer.from([0x23, 0xe9, 0x0a]));
    expect(temporaryFiles()).toEqual([]);
  });

  it('writes through a symbolic link, which stays a link', () => {
    const realDirectory = path.join(directory, 'sites-available');
    const linkDirectory = path.join(directory, 'sites-enabled');
    mkdirSync(realDirectory);
    mkdirSync(linkDirectory);
    const target = path.join(realDirectory, 'app.conf');
    const link = path.join(linkDirectory, 'app.conf');
    writeFileSync(target, 'listen 80;\n');
    symlinkSync('../sites-available/app.conf', link);
    write.writeFileAtomic(link, 'listen 8080;\n', 'utf8');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('../sites-available/app.conf');
    expect(readFileSync(target, 'utf8')).toBe('listen 8080;\n');
    expect([...temporaryFiles(realDirectory), ...temporaryFiles(linkDirectory)]).toEqual([]);
  });

  it('never writes a file cut out of an nginx -T dump', () => {
    const target = path.join(directory, 'nginx.conf');
    writeFileSync(target, 'user nginx;\n');
    const file: SourceFile = { ...parse('user www;\n', target), virtual: true };
    expect(() => write.writeFixedFile(file, 'user root;\n')).toThrow(/nginx -T/);
    expect(readFileSync(target, 'utf8')).toBe('user nginx;\n');
  });
});

describe('unifiedDiff', () => {
  it('prints a git-style patch with paths relative to the working directory', () => {
    const patch = unifiedDiff('/srv/conf/nginx.conf', 'user nginx;\ngzip on;\n', 'user www;\ngzip on;\n', '/srv');
    expect(patch).toBe('--- a/conf/nginx.conf\n+++ b/conf/nginx.conf\n@@ -1,2 +1,2 @@\n-user nginx;\n+user www;\n gzip on;\n');
  });

  it('is empty when nothing changed', () => {
    expect(unifiedDiff('nginx.conf', 'user nginx;\n', 'user nginx;\n')).toBe('');
  });

  it('applies back to the original, CRLF and a missing final line break included', () => {
    const before = 'user nginx;\r\nevents {\r\n}\r\ngzip on;';
    const after = 'user nginx;\r\nevents {\r\n    worker_connections 512;\r\n}\r\ngzip off;';
    expect(applyPatch(before, unifiedDiff('nginx.conf', before, after))).toBe(after);
  });

  it('gives the hunks of one whole-file diff for fixes spread over a file, in time linear in it', () => {
    // Between 0 and 6 comment lines apart: consecutive services' changes are 6 to 12 equal lines apart, so some share
    // a hunk and some do not.
    const service = (index: number, version: string) =>
      `${'# service\n'.repeat(index % 7)}upstream b${index} {\n    server 127.0.0.1:${index};\n    keepalive 8;\n}\nserver {\n    location / {\n        proxy_pass http://b${index};\n        proxy_http_version ${version};\n    }\n}\n`;
    const config = (count: number, fixed: boolean) =>
      Array.from({ length: count }, (_, index) =>
        service(index, fixed ? '1.1' : '1.0').replace(fixed ? '    keepalive 8;\n' : '\0', '    keepalive 8;\n    keepalive_timeout 1s;\n'),
      ).join('');
    // Small enough for jsdiff's whole-file diff, the reference: 200 services, two changes each.
    const [before, after] = [config(200, false), config(200, true)];
    const reference = createTwoFilesPatch('a/nginx.conf', 'b/nginx.conf', before, after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
    expect(unifiedDiff('nginx.conf', before, after, '.')).toBe(reference);
    // 20,000 services (220,000 lines, 40,000 changes): Myers' whole-file diff takes minutes here.
    const [largeBefore, largeAfter] = [config(20_000, false), config(20_000, true)];
    const patch = unifiedDiff('nginx.conf', largeBefore, largeAfter, '.');
    expect(applyPatch(largeBefore, patch)).toBe(largeAfter);
  });

  it('applies back to the original for any scattered edits (property)', () => {
    const line = fc.constantFrom('}\n', '    keepalive 8;\n', 'server {\n', '\n', '# note\n', 'listen 80;\n');
    const text = fc.array(line, { maxLength: 60 }).map((lines) => lines.join(''));
    const edit = fc.record({ at: fc.nat(), remove: fc.nat({ max: 3 }), insert: fc.array(line, { maxLength: 3 }) });
    fc.assert(
      fc.property(text, fc.array(edit, { maxLength: 6 }), fc.boolean(), (before, edits, dropFinalBreak) => {
        const lines = before === '' ? [] : before.split(/(?<=\n)/);
        for (const { at, remove, insert } of edits) lines.splice(lines.length === 0 ? 0 : at % lines.length, remove, ...insert);
        let after = lines.join('');
        if (dropFinalBreak && after.endsWith('\n')) after = after.slice(0, -1);
        const patch = unifiedDiff('nginx.conf', before, after, '.');
        expect(before === after ? patch === '' : applyPatch(before, patch) === after).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
