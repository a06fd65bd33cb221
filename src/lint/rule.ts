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
  /**
   * Whether `--fix` may apply this rule's fixes (`safe`: they cannot make a working configuration fail) or only
   * `--fix-unsafe` (`unsafe`: they change behaviour or rest on a guess). A report can lower it for one fix. Required
   * for built-in fixable rules; a plugin rule that leaves it out is treated as `safe`.
   */
  readonly fixSafety?: FixSafety;
  /**
   * The rule's messages by id (ESLint's `meta.messages`): one short line each, what is wrong and what it causes, with
   * `{{name}}` placeholders filled from the report's `data`. Reports name one by `messageId`.
   */
  readonly messages?: Readonly<Record<string, string>>;
  /**
   * The long explanation of a message, by the same id and with the same placeholders: the measured facts and where
   * they came from. Shown by `--verbose` and in the JSON output; the rule's page tells the whole story.
   */
  readonly details?: Readonly<Record<string, string>>;
  /** JSON Schema of the rule's options object, if it takes any. */
  readonly schema?: Readonly<Record<string, unknown>>;
  /** Defaults for the options; the configured options are merged over them. */
  readonly defaultOptions?: Readonly<Record<string, unknown>>;
  /** The rule's documentation page. Built-in rules leave it out (docs/rules/<id>.md); plugin rules should set it. */
  readonly url?: string;
  /** nginx versions the rule applies to, as `>=1.29.7`, `<1.29.7` or `>=1.9.13 <1.29.7`. Absent: all. */
  readonly nginxVersions?: string;
}

export type FixSafety = 'safe' | 'unsafe';

/** Data for a message's placeholders. */
export type MessageData = Readonly<Record<string, string | number>>;

/** A change offered but never applied by `--fix`: a guess (did you mean…?) or one of several ways out. */
export interface Suggestion {
  /** The suggestion's text: a key of `meta.messages`, filled from `data`. */
  readonly messageId?: string;
  readonly data?: MessageData;
  /** Literal text, for plugin rules without `meta.messages`. */
  readonly desc?: string;
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
  /** A key of the rule's `meta.messages`. */
  readonly messageId?: string;
  /** Values for the message's `{{placeholders}}`. */
  readonly data?: MessageData;
  /** Literal text, for plugin rules without `meta.messages`; built-in rules use `messageId`. */
  readonly message?: string;
  /**
   * `warn` makes this finding a warning even when the rule is configured as an error — for rules whose findings
   * differ in certainty (a value that will fail versus one that merely may). Never raises the configured severity.
   */
  readonly severity?: 'warn';
  readonly fix?: readonly TextChange[];
  /** Lowers the rule's `meta.fixSafety` for this fix (`unsafe`); it can never raise it. */
  readonly fixSafety?: FixSafety;
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

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w]*)\s*\}\}/g;

/**
 * A template split at its placeholders: text at even indexes, placeholder names at odd ones. Templates are the few
 * strings of the rules' meta, each filled for every finding (33,000 times in the findings bench), so each is split once.
 */
const templateParts = new Map<string, readonly string[]>();

function partsOf(template: string): readonly string[] {
  let parts = templateParts.get(template);
  if (!parts) {
    parts = template.split(PLACEHOLDER);
    templateParts.set(template, parts);
  }
  return parts;
}

/**
 * A message template with its `{{placeholders}}` filled from `data`. A placeholder without data is a rule bug:
 * it throws, so the rule's tests catch it (the runner turns it into an internal-error finding). `where` names the
 * template in that error.
 */
export function fillMessage(template: string, data: MessageData | undefined, where: () => string): string {
  const parts = partsOf(template);
  let text = parts[0]!;
  for (let index = 1; index < parts.length; index += 2) {
    const name = parts[index]!;
    const value = data?.[name];
    if (value === undefined) throw new Error(`${where()}: no data for placeholder {{${name}}}`);
    text += String(value) + parts[index + 1]!;
  }
  return text;
}

/** The text of a report's message: its template from `meta.messages` filled in, or its literal text. */
export function messageOf(meta: RuleMeta, report: Pick<Report, 'messageId' | 'data' | 'message'>): string {
  if (report.messageId !== undefined) {
    const template = meta.messages?.[report.messageId];
    if (template === undefined) throw new Error(`rule "${meta.id}" reported unknown messageId "${report.messageId}"`);
    return fillMessage(template, report.data, () => `rule "${meta.id}" message "${report.messageId}"`);
  }
  if (report.message !== undefined) return report.message;
  throw new Error(`rule "${meta.id}" reported a finding with neither messageId nor message`);
}

/** The long explanation of a report's message, when the rule has one for its id. */
export function detailOf(meta: RuleMeta, report: Pick<Report, 'messageId' | 'data'>): string | null {
  const template = report.messageId !== undefined ? meta.details?.[report.messageId] : undefined;
  return template === undefined ? null : fillMessage(template, report.data, () => `rule "${meta.id}" detail "${report.messageId}"`);
}

/** A suggestion's text. */
export function suggestionText(meta: RuleMeta, suggestion: Suggestion): string {
  if (suggestion.messageId !== undefined) return messageOf(meta, suggestion);
  if (suggestion.desc !== undefined) return suggestion.desc;
  throw new Error(`rule "${meta.id}" offered a suggestion with neither messageId nor desc`);
}

/** The safety of a report's fix: the rule's, lowered by the report's own. */
export function fixSafetyOf(meta: RuleMeta, report: Pick<Report, 'fixSafety'>): FixSafety {
  return report.fixSafety === 'unsafe' || meta.fixSafety === 'unsafe' ? 'unsafe' : 'safe';
}
