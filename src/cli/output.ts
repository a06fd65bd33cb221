/** Where a report goes and what the process exits with: shared by the argument parser and the commands. */
import { existsSync } from 'node:fs';
import { writeFileNoFollow } from '../files.js';
import path from 'node:path';
import { UsageError } from '../load/inputs.js';
import type { LintResult } from '../lint/results.js';

export const EXIT_OK = 0;
export const EXIT_LINT_ERRORS = 1;
export const EXIT_FAILURE = 2;

export function writeReport(text: string, outputFile: string | undefined, cwd: string): void {
  if (outputFile === undefined) {
    process.stdout.write(text);
    return;
  }
  const target = path.resolve(cwd, outputFile);
  if (!existsSync(path.dirname(target))) throw new UsageError(`cannot write ${outputFile}: no such directory`);
  try {
    writeFileNoFollow(target, text);
  } catch (error) {
    throw new UsageError(`cannot write ${outputFile}: ${(error as Error).message.replace(/^refusing to write \S+: /, '')}`);
  }
}

export function exitCodeFor(results: readonly LintResult[], maxWarnings: number): number {
  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  if (errors > 0) return EXIT_LINT_ERRORS;
  if (maxWarnings >= 0 && warnings > maxWarnings) return EXIT_LINT_ERRORS;
  return EXIT_OK;
}
