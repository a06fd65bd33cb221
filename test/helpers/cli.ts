/**
 * Two ways to run the command line in a project directory of its own, with the same result shape:
 * - `runCli`: the built command line the way users do, `node bin/nginx-lint.cjs` in a child process (the `cli` test
 *   layer: exit codes of a real process, standard input, the bin wiring). It builds nothing; `npm test` builds first.
 * - `runMain`: `main(argv)` of src/cli/main.ts in this process, stdout and stderr captured (the `unit` layer: every
 *   flag's behaviour, without the ~250 ms a process costs and without a build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { temporaryTrees, type FileTree } from './files.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const CLI_PATH = path.join(repoRoot, 'bin', 'nginx-lint.cjs');

/** The bundle bin/nginx-lint.cjs runs. */
const builtCli = path.join(repoRoot, 'dist', 'src', 'nginx-lint.cjs');
function assertBuilt(): void {
  if (!existsSync(builtCli)) {
    throw new Error(`nginx-lint is not built (${builtCli} is missing): run npm run build, or npm test, which builds first`);
  }
}

/** Well under vitest's 30 s test timeout, so a hang fails as a hang. */
const RUN_TIMEOUT_MS = 20_000;

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly cwd: string;
  /** Standard input; none (an empty pipe) when absent. */
  readonly input?: string | Uint8Array;
  /** Added to the environment, which always has NO_COLOR=1 and no FORCE_COLOR unless given here. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Environment of every run: plain output, whatever the terminal or CI running the tests asks for. */
export function cliEnvironment(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  return { ...env, ...extra };
}

export function runCli(args: readonly string[], options: CliOptions): CliRun {
  assertBuilt();
  const result = spawnSync(process.execPath, [CLI_PATH, ...args], {
    cwd: options.cwd,
    input: options.input ?? '',
    env: cliEnvironment(options.env),
    encoding: 'utf8',
    timeout: RUN_TIMEOUT_MS,
  });
  if (result.status === null) {
    throw new Error(`nginx-lint ${args.join(' ')} did not exit (signal ${result.signal}):\n${result.stdout}${result.stderr}`);
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type Write = typeof process.stdout.write;

/** A stream's `write` that keeps what it is given instead of writing it. */
function capture(into: string[]): Write {
  return ((chunk: string | Uint8Array, encodingOrCallback?: unknown, callback?: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = typeof encodingOrCallback === 'function' ? encodingOrCallback : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as Write;
}

/**
 * `main(args)` in this process, as `runCli` would run it: in `options.cwd`, with `runCli`'s environment, stdout and
 * stderr captured. Nothing on standard input (a test of --stdin uses runCli), and `--help`/`--version`, which yargs
 * prints through the console, are runCli's too. Runs one at a time: it swaps the process's cwd, environment and
 * streams while `main` runs.
 */
export async function runMain(args: readonly string[], options: Omit<CliOptions, 'input'>): Promise<CliRun> {
  const { main } = await import('../../src/cli/main.js');
  const stdout: string[] = [];
  const stderr: string[] = [];
  const saved = { cwd: process.cwd(), env: { ...process.env }, stdout: process.stdout.write, stderr: process.stderr.write };
  const env = cliEnvironment(options.env);
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(options.cwd);
  process.stdout.write = capture(stdout);
  process.stderr.write = capture(stderr);
  let status: number;
  try {
    status = await main(args);
  } finally {
    process.stdout.write = saved.stdout;
    process.stderr.write = saved.stderr;
    process.chdir(saved.cwd);
    for (const key of Object.keys(process.env)) if (!(key in saved.env)) delete process.env[key];
    Object.assign(process.env, saved.env);
  }
  return { status, stdout: stdout.join(''), stderr: stderr.join('') };
}

/**
 * Call at the top of a test file: returns a function that writes a project (a temporary directory holding `.git`,
 * so that config lookup stops there and no `.nginx-lint.json` above it applies) and returns its path.
 */
export function temporaryProjects(): (files?: FileTree) => string {
  const writeTree = temporaryTrees();
  return (files = {}) => writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', ...files });
}
