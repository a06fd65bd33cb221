/** Linting a repository laid out in a temporary folder, as `nginx-lint FILE…` run there would. */
import path from 'node:path';
import { lint, type LintOptions } from '../../src/run.js';

/** The run, its findings with paths relative to `root`, and the files it reported on. */
export async function lintIn(root: string, operands: readonly string[], options: Omit<LintOptions, 'cwd'> = {}) {
  const run = await lint(
    operands.map((operand) => path.join(root, operand)),
    { cwd: root, ...options },
  );
  const findings = run.results.flatMap((result) =>
    result.messages.map((message) => ({
      file: path.relative(root, result.filePath),
      line: message.line,
      column: message.column,
      ruleId: message.ruleId,
      message: message.message,
    })),
  );
  return { run, findings, files: run.results.map((result) => path.relative(root, result.filePath)) };
}
