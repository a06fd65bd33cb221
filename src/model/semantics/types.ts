/** What the checks of nginx's directive handlers find, in the terms the rules report. */
import type { Token } from '../../syntax/ast.js';
import type { ConfigNode } from '../../load/tree.js';

export type SemanticRuleId = 'invalid-value' | 'unknown-variable' | 'undefined-reference' | 'duplicate-definition' | 'module-not-loaded';

export interface SemanticProblem {
  readonly ruleId: SemanticRuleId;
  readonly node: ConfigNode;
  /** nginx's own error text, without ` in FILE:LINE`. */
  readonly message: string;
  /** The argument at fault, when there is one. */
  readonly token?: Token;
  /** The offset whose line nginx names; the statement's `;` or `{` when absent. */
  readonly lineAt?: number;
  /** Advice after nginx's words: did-you-mean, the module to load, why nginx names no line. */
  readonly hint?: string;
  /** A suggested replacement for `token` (never applied by --fix). */
  readonly suggestion?: string;
}

export interface Reporter {
  report(problem: Omit<SemanticProblem, 'ruleId'> & { readonly ruleId?: SemanticRuleId }): void;
}
