/**
 * The public result shape. It is ESLint's JSON shape, documented as a stable contract in docs/json-format.md:
 * editor integrations and custom reporters consume it, so fields are only ever added, never changed.
 */

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RuleCategory, Severity, SeverityName } from '../config/types.js';
import { githubRepository, packageRoot } from '../package-info.js';

export type { PresetName, RuleCategory, Severity, SeverityName } from '../config/types.js';

export interface TextEdit {
  /** Offsets into the file's text, half-open. */
  readonly range: readonly [number, number];
  readonly text: string;
}

export interface LintSuggestion {
  readonly desc: string;
  readonly fix: TextEdit;
}

export interface LintMessage {
  /** null for problems that belong to no rule (a config file that cannot be read, an internal error). */
  readonly ruleId: string | null;
  readonly severity: Severity;
  /** The short message: what is wrong and what it causes. */
  readonly message: string;
  /** The key of the message in the rule's `meta.messages`, and the values of its placeholders. */
  readonly messageId?: string;
  readonly data?: Readonly<Record<string, string | number>>;
  /** The long explanation with the facts behind the finding (shown by --verbose). */
  readonly detail?: string;
  /** 1-based line and column of the problem; for structural errors, the line nginx itself names. */
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly fix?: TextEdit;
  /** `safe`: --fix applies `fix`; `unsafe`: only --fix-unsafe does (the fix changes behaviour or rests on a guess). */
  readonly fixSafety?: 'safe' | 'unsafe';
  readonly suggestions?: readonly LintSuggestion[];
  /** A rule could not finish, or the file could not be read: the result is incomplete. */
  readonly fatal?: boolean;
  /** The chain of `include` directives that brought this file in, outermost first, as `path:line`. */
  readonly includedFrom?: readonly string[];
}

export interface LintResult {
  /** Absolute path of the file the messages are in (an included file gets its own result). */
  readonly filePath: string;
  readonly messages: LintMessage[];
  readonly errorCount: number;
  readonly warningCount: number;
  readonly fixableErrorCount: number;
  readonly fixableWarningCount: number;
  /** Present when --fix changed the file: its new text. */
  readonly output?: string;
  /** The nginx version the file was checked against, and where it came from (the config, an image tag, a default). */
  readonly nginxVersion?: { readonly version: string; readonly source: string; readonly origin: string };
}

/** What formatters and documentation need to know about a rule. */
export interface RuleDocs {
  readonly id: string;
  readonly description: string;
  readonly category: RuleCategory;
  readonly severity: Exclude<SeverityName, 'off'>;
  readonly fixable: boolean;
  /** Where the rule is documented; null for a plugin rule that names no page. */
  readonly url: string | null;
}

export function countSeverities(messages: readonly LintMessage[]): Omit<LintResult, 'filePath' | 'messages' | 'output'> {
  let errorCount = 0;
  let warningCount = 0;
  let fixableErrorCount = 0;
  let fixableWarningCount = 0;
  for (const message of messages) {
    if (message.severity === 2) {
      errorCount++;
      if (message.fix && message.fixSafety !== 'unsafe') fixableErrorCount++;
    } else {
      warningCount++;
      if (message.fix && message.fixSafety !== 'unsafe') fixableWarningCount++;
    }
  }
  return { errorCount, warningCount, fixableErrorCount, fixableWarningCount };
}

/**
 * Where a built-in rule is documented, from one place: the package's `homepage` when package.json names one (a GitHub
 * repository URL gets its `docs/rules/` path), else the page inside the installed package itself — a URL that exists
 * wherever nginx-lint is installed. `nginx-lint --explain <id>` prints the same page.
 */
export function ruleDocsUrl(id: string): string {
  const repository = githubRepository();
  if (repository) return `${repository}/blob/main/docs/rules/${id}.md`;
  return pathToFileURL(path.join(packageRoot(), 'docs', 'rules', `${id}.md`)).href;
}
