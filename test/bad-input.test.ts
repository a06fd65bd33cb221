/**
 * Input that is not a sane nginx configuration must end in one line naming the file and a non-zero exit, in
 * bounded time: never a hang, a crash or a stack trace. Each case is checked at the library level (loader and tree)
 * and through the CLI (`node bin/nginx-lint.cjs`, built by `npm test`).
 */
import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, loadProgram } from '../src/load/program.js';
import { MAX_NESTING_DEPTH, buildTree } from '../src/load/tree.js';
import { temporaryTrees } from './helpers/files.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const CLI = path.join(repoRoot, 'bin/nginx-lint.cjs');
/** Well under vitest's 30 s, so a hang fails as a hang rather than as a test timeout. */
const BOUND_MS = 20_000;

const writeTree = temporaryTrees();

/** Runs the CLI with one finding per line, as a user would, stopped at BOUND_MS. */
function lint(target: string, options: SpawnSyncOptions = {}) {
  const result = spawnSync(process.execPath, [CLI, '--format', 'compact', '--no-config-lookup', target], {
    encoding: 'utf8',
    timeout: BOUND_MS,
    ...options,
  });
  return { status: result.status, signal: result.signal, output: `${result.stdout}${result.stderr}`.trim() };
}

/** Ended by itself, non-zero, and the first line of what it said names the file, with no stack trace. */
function expectOneLineFailure(result: ReturnType<typeof lint>, filePath: string, reason: RegExp): void {
  expect(result.signal, 'killed at the time bound').toBeNull();
  expect(result.status).not.toBe(0);
  const [firstLine] = result.output.split('\n');
  expect(firstLine).toContain(filePath);
  expect(firstLine).toMatch(reason);
  expect(result.output).not.toMatch(/internal error|^\s+at /m);
}

function loadError(filePath: string): InputError {
  try {
    loadProgram(filePath);
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error(`${filePath} loaded without an input error`);
}

describe('a directory without configs', () => {
  const root = writeTree({ 'empty/.keep': '', 'notes/readme.txt': 'no config here\n' });

  it('is an input error to the loader', () => {
    expect(loadError(path.join(root, 'empty')).message).toBe(`${path.join(root, 'empty')}: is a directory`);
  });

  it.each(['empty', 'notes'])('%s: the CLI says no config matches', (directory) => {
    expectOneLineFailure(lint(path.join(root, directory)), path.join(root, directory), /no nginx configuration files match/);
  });
});

describe('binary data', () => {
  const root = writeTree({ 'binary.conf': new Uint8Array([0x65, 0x76, 0x00, 0xff, 0x0a, 0x7b]) });
  const filePath = path.join(root, 'binary.conf');

  it('is an input error to the loader', () => {
    expect(loadError(filePath).reason).toBe('binary data (a NUL byte), not an nginx configuration file');
  });

  it('fails the CLI', () => {
    expectOneLineFailure(lint(filePath), filePath, /binary data/);
  });
});

describe('a 50 MB single line', () => {
  const FIFTY_MB = 50 * 2 ** 20;
  const root = writeTree({ 'word.conf': 'x'.repeat(FIFTY_MB), 'comment.conf': `events {}\n# ${'c'.repeat(FIFTY_MB)}` });

  it('of one word stops at the first 4 KB, as nginx does', () => {
    const started = performance.now();
    const { entry } = loadProgram(path.join(root, 'word.conf'));
    expect(entry.errors.map((error) => error.message)).toEqual(['too long parameter "xxxxxxxxxx..." started']);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  it('of one comment stops there too (nginx reads comments through the same buffer)', () => {
    const { entry } = loadProgram(path.join(root, 'comment.conf'));
    expect(entry.errors.map((error) => error.message)).toEqual(['too long parameter "# cccccccc..." started']);
  });

  it('fails the CLI with the syntax error', () => {
    const filePath = path.join(root, 'word.conf');
    expectOneLineFailure(lint(filePath), filePath, /too long parameter/);
  });
});

describe('10,000 nested blocks', () => {
  const DEPTH = 10_000;
  const root = writeTree({ 'open.conf': 'a{'.repeat(DEPTH), 'closed.conf': `${'a{'.repeat(DEPTH)}${'}'.repeat(DEPTH)}` });

  it('parse without recursion and stop the tree at its depth limit', () => {
    const program = loadProgram(path.join(root, 'closed.conf'));
    expect(program.entry.errors).toEqual([]);
    const { problems } = buildTree(program, 'main');
    expect(problems.map((problem) => problem.kind)).toEqual(['nesting-too-deep']);
    expect(MAX_NESTING_DEPTH).toBeLessThan(DEPTH);
  });

  it('left open, end in the end-of-file error', () => {
    const program = loadProgram(path.join(root, 'open.conf'));
    expect(program.entry.errors.map((error) => error.message)).toEqual(['unexpected end of file, expecting "}"']);
  });

  it.each(['open.conf', 'closed.conf'])('%s: the CLI reports them', (name) => {
    const filePath = path.join(root, name);
    expectOneLineFailure(lint(filePath), filePath, /error/);
  });
});

describe('an unreadable file', () => {
  // Root reads a chmod 000 file anyway, so as root the reader runs as nobody (uid/gid 65534) instead.
  const asRoot = process.getuid?.() === 0;
  const unprivileged = asRoot ? { uid: 65534, gid: 65534 } : {};
  const root = writeTree({ 'locked.conf': 'events {}\n' });
  const filePath = path.join(root, 'locked.conf');
  chmodSync(root, 0o755);
  chmodSync(filePath, 0o000);

  it('is a permission error to the loader', () => {
    const read = `import { readConfigFile } from ${JSON.stringify(path.join(repoRoot, 'src/load/program.ts'))};
      try { readConfigFile(${JSON.stringify(filePath)}); console.log('read'); } catch (error) { console.log(error.message); }`;
    const output = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', read], {
      encoding: 'utf8',
      cwd: repoRoot,
      ...unprivileged,
    });
    expect(output.trim()).toBe(`${filePath}: permission denied`);
  });

  it('fails the CLI', () => {
    expectOneLineFailure(lint(filePath, unprivileged), filePath, /permission denied/);
  });
});

describe('a symlink loop', () => {
  const root = writeTree();
  const [a, b] = [path.join(root, 'a.conf'), path.join(root, 'b.conf')];
  symlinkSync(b, a);
  symlinkSync(a, b);

  it('is an input error to the loader', () => {
    expect(loadError(a).reason).toBe('too many levels of symbolic links');
  });

  it('fails the CLI', () => {
    expectOneLineFailure(lint(a), a, /./);
  });
});

describe('a file included from itself', () => {
  const root = writeTree({ 'self.conf': 'include self.conf;\n' });
  const filePath = path.join(root, 'self.conf');

  it('is an include-cycle problem, not a hang', () => {
    const { problems } = buildTree(loadProgram(filePath), 'main');
    expect(problems.map((problem) => problem.kind)).toEqual(['include-cycle']);
  });

  it('fails the CLI with the cycle', () => {
    expectOneLineFailure(lint(filePath), filePath, /include cycle/);
  });
});

describe('special files', () => {
  const root = writeTree({ 'devices.conf': 'events {}\ninclude /dev/zero;\ninclude /dev/null;\n' });
  const fifo = path.join(root, 'fifo.conf');
  execFileSync('mkfifo', [fifo]);

  it('a FIFO is an input error instead of a wait for a writer', () => {
    expect(loadError(fifo).reason).toBe('not a regular file (a FIFO or socket)');
    expectOneLineFailure(lint(fifo), fifo, /not a regular file/);
  });

  it('a device reads as the empty file nginx sees, instead of without end', () => {
    const program = loadProgram(path.join(root, 'devices.conf'));
    expect([...program.includes.values()].map((resolution) => [resolution.files[0]!.text, resolution.error])).toEqual([
      ['', null],
      ['', null],
    ]);
  });
});
