/**
 * GitHub Actions workflow commands: each problem becomes an `::error` or `::warning` annotation on
 * the pull request's diff. GitHub shows only the first 10 errors and 10 warnings of a step (50 per
 * job), so a plain summary line follows, which the log always shows in full. A clean run prints nothing.
 */

import type { LintMessage, LintResult } from '../lint/results.js';
import type { FormatterContext } from './index.js';
import { describeTotals, inert, inertLine, pluralize, projectPath, severityLabel, sumTotals } from './shared.js';

/** The message part of a command: `%`, CR and LF are the characters the runner decodes. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

/** A property value additionally must not contain the `:` and `,` that delimit properties. */
function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

function annotation(filePath: string, message: LintMessage): string {
  const properties: [string, string | number][] = [['file', filePath]];
  // Line 0 means "no position"; GitHub then annotates the file as a whole.
  if (message.line >= 1) {
    properties.push(['line', message.line], ['col', message.column]);
    if (message.endLine >= message.line) properties.push(['endLine', message.endLine], ['endColumn', message.endColumn]);
  }
  properties.push(['title', message.ruleId ? `nginx-lint(${message.ruleId})` : 'nginx-lint']);
  const propertyList = properties.map(([key, value]) => `${key}=${escapeProperty(inertLine(String(value)))}`).join(',');
  return `::${severityLabel(message.severity)} ${propertyList}::${escapeData(inert(message.message))}`;
}

export function formatGithub(results: readonly LintResult[], context: FormatterContext): string {
  const filesWithProblems = results.filter((result) => result.messages.length > 0);
  if (filesWithProblems.length === 0) return '';
  const annotations = filesWithProblems.flatMap((result) => {
    const filePath = projectPath(result.filePath, context.cwd);
    return result.messages.map((message) => annotation(filePath, message));
  });
  const summary = `nginx-lint: ${describeTotals(sumTotals(results))} in ${pluralize(filesWithProblems.length, 'file')}.`;
  return `${[...annotations, summary].join('\n')}\n`;
}
