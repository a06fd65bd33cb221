/**
 * The rule API. A rule is one module in `rules/` that default-exports `defineRule({ meta, check })`: metadata that
 * documentation, presets, SARIF and the config schema are generated from, and a check that reads the model (never
 * raw text) and reports findings with optional fixes.
 */
import type { SourceFile, Token } from '../syntax/ast.js';
import type { TextChange } from '../syntax/text-changes.js';

export type { TextChange } from '../syntax/text-changes.js';
import type { Model } from '../model/index.js';
import type { PresetName, RuleCategory } from './results.js';
import type { ConfigNode } from '../load/tree.js';

export interface RuleMeta {
  /** Kebab-case, stable: part of the public contract (configs, suppressions and baselines name it). */
  readonly id: string;
  /** One sentence: what the rule finds. */
  readonly description: string;
  readonly category: RuleCategory;
  readonly severity: 'warn' | 'error';
  /** Presets that enable the rule; `strict` includes everything in `recommended` automatically. */
  readonly presets: readonly PresetName[];
  readonly fixable: boolean;
  /** JSON Schema of the rule's options object, if it takes any. */
  readonly schema?: Readonly<Record<string, unknown>>;
  /** Defaults for the options; the configured options are merged over them. */
  readonly defaultOptions?: Readonly<Record<string, unknown>>;
  /** The rule's documentation page. Built-in rules leave it out (docs/rules/<id>.md); plugin rules should set it. */
  readonly url?: string;
  /** nginx versions the rule applies to, as `>=1.29.7`, `<1.29.7` or `>=1.9.13 <1.29.7`. Absent: all. */
  readonly nginxVersions?: string;
}


export interface Suggestion {
  readonly desc: string;
  readonly changes: readonly TextChange[];
}

export interface Report {
  /** The statement the finding is about; gives the file, the default range and the include chain. */
  readonly node?: ConfigNode;
  /** A narrower range inside the statement (an argument, say); defaults to the whole statement. */
  readonly token?: Token;
  /** For findings with no statement to point at (a syntax error): the file and range. */
  readonly span?: { readonly file: SourceFile; readonly start: number; readonly end: number };
  /**
   * Report the line of this offset rather than the start of the range — nginx names the line of the `;` or `{` that
   * ended a statement, and structural findings must name the same line.
   */
  readonly lineAt?: number;
  readonly message: string;
  /**
   * `warn` makes this finding a warning even when the rule is configured as an error — for rules whose findings
   * differ in certainty (a value that will fail versus one that merely may). Never raises the configured severity.
   */
  readonly severity?: 'warn';
  readonly fix?: readonly TextChange[];
  readonly suggestions?: readonly Suggestion[];
}

export interface RuleContext<Options> {
  readonly model: Model;
  readonly options: Options;
  report(report: Report): void;
}

export interface Rule<Options = Record<string, unknown>> {
  readonly meta: RuleMeta;
  check(context: RuleContext<Options>): void;
}

/** Identity at run time; gives rule modules full type checking of their meta and options. */
export function defineRule<Options = Record<string, unknown>>(rule: Rule<Options>): Rule<Options> {
  return rule;
}
