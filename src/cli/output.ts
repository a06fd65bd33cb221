/** Where a report goes and what the process exits with: shared by the argument parser and the commands. */
import { existsSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { writeFileNoFollow } from '../files.js';
import path from 'node:path';
import { UsageError } from '../load/inputs.js';
import type { LintResult } from '../lint/results.js';

export const EXIT_OK = 0;
export const EXIT_LINT_ERRORS = 1;
export const EXIT_FAILURE = 2;

/** Writes a report given as consecutive pieces to stdout, or atomically to `outputFile`. */
export async function writeReport(pieces: Iterable<string>, outputFile: string | undefined, cwd: string): Promise<void> {
  if (outputFile === undefined) {
    await writePieces(pieces, process.stdout);
    return;
  }
  const target = path.resolve(cwd, outputFile);
  if (!existsSync(path.dirname(target))) throw new UsageError(`cannot write ${outputFile}: no such directory`);
  try {
    writeFileNoFollow(target, pieces);
  } catch (error) {
    throw new UsageError(`cannot write ${outputFile}: ${(error as Error).message.replace(/^refusing to write \S+: /, '')}`);
  }
}

/**
 * Writes the pieces to `stream`, making each only once the stream has taken the one before. A pipe holds 64 KB, and
 * stdout queues whatever it is given beyond that until the event loop runs, so a loop writing every piece at once
 * held the whole report (47 MB and its copies for 33,000 findings) until the end. A stream closed on the way (a reader
 * that stopped early, `| head`) gets nothing more: the rest has nowhere to go.
 */
export async function writePieces(pieces: Iterable<string>, stream: Writable): Promise<void> {
  for (const piece of pieces) {
    if (stream.write(piece)) continue;
    await drained(stream);
    if (stream.destroyed) return;
  }
}

/** Settles once `stream` takes more, or once it is closed. */
function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) {
      resolve();
      return;
    }
    const settle = () => {
      stream.off('drain', settle);
      stream.off('close', settle);
      resolve();
    };
    stream.on('drain', settle);
    stream.on('close', settle);
  });
}

export function exitCodeFor(results: readonly LintResult[], maxWarnings: number): number {
  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  if (errors > 0) return EXIT_LINT_ERRORS;
  if (maxWarnings >= 0 && warnings > maxWarnings) return EXIT_LINT_ERRORS;
  return EXIT_OK;
}

/** What the terminal decisions read: the environment and whether stdout is a terminal, and how wide. */
export interface Terminal {
  readonly env: NodeJS.ProcessEnv;
  readonly isTTY: boolean;
  readonly columns?: number;
}

export function currentTerminal(): Terminal {
  return { env: process.env, isTTY: Boolean(process.stdout.isTTY), columns: process.stdout.columns };
}

/**
 * Whether the stylish report is coloured: never in a report file (read by tools and diffed, never by a terminal);
 * else `--color`/`--no-color`; else a non-empty `NO_COLOR` (no-color.org) turns it off; else `FORCE_COLOR` turns it
 * on unless it is `0` or `false` (as supports-color reads it); else colour when stdout is a terminal.
 */
export function colorEnabled(requested: boolean | undefined, toFile: boolean, terminal: Terminal = currentTerminal()): boolean {
  if (toFile) return false;
  if (requested !== undefined) return requested;
  const { env } = terminal;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR.toLowerCase() !== 'false';
  return terminal.isTTY;
}

/**
 * The width the stylish report wraps to: the terminal's, when stdout is one; else `COLUMNS` when it is a number
 * (a CI log or `| less` the user sized); else none (the formatter's default, 120). A report file gets the default.
 */
export function reportWidth(toFile: boolean, terminal: Terminal = currentTerminal()): number | undefined {
  if (toFile) return undefined;
  if (terminal.isTTY && terminal.columns !== undefined && terminal.columns > 0) return terminal.columns;
  const columns = Number(terminal.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}
