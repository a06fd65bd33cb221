/**
 * Runs the built command line the way users do: `node bin/nginx-lint.js` in a child process, in a project directory
 * of its own. The tests build nothing; `npm test` runs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { temporaryTrees, type FileTree } from './files.js';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const CLI_PATH = path.join(repoRoot, 'bin', 'nginx-lint.js');

/** The bundle bin/nginx-lint.js imports. */
const builtCli = path.join(repoRoot, 'dist', 'src', 'nginx-lint.mjs');
if (!existsSync(builtCli)) {
  throw new Error(`nginx-lint is not built (${builtCli} is missing): run npm run build, or npm test, which builds first`);
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

/**
 * Call at the top of a test file: returns a function that writes a project (a temporary directory holding `.git`,
 * so that config lookup stops there and no `.nginx-lint.json` above it applies) and returns its path.
 */
export function temporaryProjects(): (files?: FileTree) => string {
  const writeTree = temporaryTrees();
  return (files = {}) => writeTree({ '.git/HEAD': 'ref: refs/heads/main\n', ...files });
}
