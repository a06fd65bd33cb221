/**
 * JUnit XML for test-report views (GitLab `artifacts:reports:junit`, Jenkins, Azure Pipelines), in the
 * shape of ESLint's former junit formatter: one `<testsuite>` per file named by its cwd-relative path,
 * one failing `<testcase>` per problem. A clean file gets one passing `<testcase>`, so that the
 * report's "N tests passed" counts the files that are fine.
 */

import type { LintMessage, LintResult } from '../lint/results.js';
import type { FormatterContext } from './index.js';
import { projectPath } from './shared.js';
import { XML_DECLARATION, cdata, escapeXmlAttribute } from './xml.js';

/** The name of the passing test case of a clean file. */
const CLEAN_FILE_TEST_NAME = 'no problems';

function failureDetail(message: LintMessage): string {
  const severity = message.severity === 2 ? 'Error' : 'Warning';
  const rule = message.ruleId ? ` (${message.ruleId})` : '';
  return `line ${message.line}, col ${message.column}, ${severity} - ${message.message}${rule}`;
}

export function formatJunit(results: readonly LintResult[], context: FormatterContext): string {
  const lines = [XML_DECLARATION, '<testsuites>'];
  for (const result of results) {
    const fileName = escapeXmlAttribute(projectPath(result.filePath, context.cwd));
    const tests = Math.max(result.messages.length, 1);
    lines.push(`  <testsuite package="org.nginx-lint" time="0" tests="${tests}" errors="${result.messages.length}" name="${fileName}">`);
    if (result.messages.length === 0) {
      lines.push(`    <testcase time="0" name="${CLEAN_FILE_TEST_NAME}" classname="${fileName}" />`);
    }
    for (const message of result.messages) {
      const testName = escapeXmlAttribute(message.ruleId ?? 'nginx-lint');
      lines.push(
        `    <testcase time="0" name="${testName}" classname="${fileName}">`,
        `      <failure message="${escapeXmlAttribute(message.message)}">${cdata(failureDetail(message))}</failure>`,
        '    </testcase>',
      );
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
