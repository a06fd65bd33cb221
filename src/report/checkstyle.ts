/**
 * Checkstyle XML, the shape reviewdog (`-f=checkstyle`) and Jenkins warnings-ng read. Every linted
 * file gets a `<file>` element, a clean one an empty element. File names are absolute, as Checkstyle
 * itself writes them; the consumers strip the workspace prefix.
 */

import type { LintResult } from '../lint/results.js';
import { severityLabel } from './shared.js';
import { XML_DECLARATION, escapeXmlAttribute } from './xml.js';

export function formatCheckstyle(results: readonly LintResult[]): string {
  const lines = [XML_DECLARATION, '<checkstyle version="4.3">'];
  for (const result of results) {
    const fileName = escapeXmlAttribute(result.filePath);
    if (result.messages.length === 0) {
      lines.push(`  <file name="${fileName}" />`);
      continue;
    }
    lines.push(`  <file name="${fileName}">`);
    for (const message of result.messages) {
      const source = message.ruleId ? `nginx-lint.${message.ruleId}` : 'nginx-lint';
      lines.push(
        `    <error line="${message.line}" column="${message.column}" severity="${severityLabel(message.severity)}"` +
          ` message="${escapeXmlAttribute(message.message)}" source="${escapeXmlAttribute(source)}" />`,
      );
    }
    lines.push('  </file>');
  }
  lines.push('</checkstyle>');
  return `${lines.join('\n')}\n`;
}
