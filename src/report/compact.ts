/**
 * One line per problem, `file:line:col: severity: message [rule]`, the gcc convention that editors
 * (Vim's errorformat, Emacs compilation-mode) and grep already understand. Paths are cwd-relative;
 * line breaks inside a message become spaces so that each problem stays on one line.
 */

import type { LintResult } from '../lint/results.js';
import type { FormatterContext } from './index.js';
import { inert, inertLine, projectPath, severityLabel, withoutCommandLines } from './shared.js';

export function formatCompact(results: readonly LintResult[], context: FormatterContext): string {
  const lines = results.flatMap((result) => {
    const filePath = inertLine(projectPath(result.filePath, context.cwd));
    return result.messages.map((message) => {
      const text = inert(message.message.replace(/\s*\r?\n\s*/g, ' '));
      const rule = message.ruleId ? ` [${message.ruleId}]` : '';
      return `${filePath}:${message.line}:${message.column}: ${severityLabel(message.severity)}: ${text}${rule}`;
    });
  });
  return lines.length > 0 ? withoutCommandLines(`${lines.join('\n')}\n`) : '';
}
