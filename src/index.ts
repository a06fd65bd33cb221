/**
 * The public API: `import { lint, defineRule } from 'nginx-lint'`. Everything exported here is part of the package's
 * contract (semver); the modules behind it are not. Plugins type their rules with these exports.
 */
export { lint, inferContext, type LintOptions, type LintRun, type FixedFile } from './run.js';
export { defineRule, type Rule, type RuleMeta, type RuleContext, type Report, type Suggestion, type TextChange } from './lint/rule.js';
export type {
  LintResult,
  LintMessage,
  LintSuggestion,
  TextEdit,
  RuleDocs,
  Severity,
  SeverityName,
  RuleCategory,
  PresetName,
} from './lint/results.js';
export { getFormatter, type FormatterName } from './report/index.js';
export { insertStatementAfter, insertStatementsInBlock, removeStatement, replaceArgs, replaceToken, quoteIfNeeded } from './syntax/edits.js';
export { statementText, walkTree, type ConfigNode, type ConfigTree } from './load/tree.js';
export type { Directive, SourceFile, Token } from './syntax/ast.js';
export type { Model } from './model/index.js';
export type { BlockContext } from './nginx/directives.js';
