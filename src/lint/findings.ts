/**
 * Findings: what a rule reported, kept with its file and statement until the run turns it into a message of the
 * public result shape (ESLint's), after severities, suppressions and the baseline have had their say.
 */
import { type SourceFile, lineAt, positionAt } from '../syntax/ast.js';
import { mergeChanges, type OffsetChange } from '../syntax/text-changes.js';
import { findSuppressions, hasSuppressionComments } from './suppressions.js';
import type { LintMessage } from './results.js';
import {
  detailOf,
  fixSafetyOf,
  messageOf,
  suggestionText,
  type FixSafety,
  type MessageData,
  type Report,
  type RuleMeta,
  type TextChange,
} from './rule.js';
import { includeChain, statementText, type ConfigNode, type ConfigTree } from '../load/tree.js';

/** The rule id of findings that belong to no rule; they become `ruleId: null` in the output. */
export const INTERNAL = '';
/** Rules whose findings mean nginx -t fails: a fix must never add one. */
export const STRUCTURAL_RULES: ReadonlySet<string> = new Set([
  'syntax-error',
  'unknown-directive',
  'directive-not-allowed-here',
  'invalid-arguments',
  'include-not-found',
  'include-cycle',
  'proxy-ssl-verify-untrusted',
  'invalid-value',
  'unknown-variable',
  'undefined-reference',
  'duplicate-definition',
  'module-not-loaded',
]);

/** A finding before it is turned into a message: it still knows its file and statement. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: 1 | 2;
  readonly message: string;
  readonly messageId?: string;
  readonly data?: MessageData;
  /** The long explanation, for --verbose and the JSON output. */
  readonly detail?: string;
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  readonly lineAt: number;
  readonly node: ConfigNode | null;
  /** A finding with no statement in an included file (a syntax error): the `include` that first read the file. */
  readonly includedVia?: ConfigNode;
  readonly fix: readonly TextChange[] | null;
  readonly fixSafety?: FixSafety;
  readonly suggestions: readonly { readonly desc: string; readonly changes: readonly TextChange[] }[];
  /** The rule asked for this finding to be a warning at most. */
  readonly capAtWarning?: boolean;
  /** From a rule the config turns off, run only for the fixer's structural re-check: never reported. */
  readonly forced?: boolean;
  /** A rule crashed or facts could not be read: the result is incomplete. Its severity is not configurable. */
  readonly fatal?: boolean;
}

/** The suggestions of the many findings that offer none: one frozen list, not one more object each. */
const NO_SUGGESTIONS: Finding['suggestions'] = Object.freeze([]);

/** A finding being built: `Finding` with its fields still writable. */
type MutableFinding = { -readonly [K in keyof Finding]: Finding[K] };

export function toFinding(meta: RuleMeta, severity: 1 | 2, report: Report, tree: ConfigTree): Finding {
  const { node, span, token } = report;
  const directive = node?.directive;
  const file = span?.file ?? directive?.file;
  if (!file) throw new Error(`rule "${meta.id}" reported a finding with neither node nor span`);
  const start = token?.start ?? span?.start ?? directive!.start;
  const end = token?.end ?? span?.end ?? directive!.end;
  // In this order, as each can throw for a rule bug: the detail, the message, the fix's safety, the suggestions.
  const detail = detailOf(meta, report);
  const message = capQuotes(messageOf(meta, report));
  const { messageId, data } = report;
  const cappedData = data !== undefined ? capData(data) : undefined;
  const fix = report.fix && report.fix.length > 0 ? report.fix : null;
  const fixSafety = fix ? fixSafetyOf(meta, report) : undefined;
  const suggestions = report.suggestions
    ? report.suggestions.map((suggestion) => ({ desc: suggestionText(meta, suggestion), changes: suggestion.changes }))
    : NO_SUGGESTIONS;
  const anchor = report.lineAt ?? start;
  const includedVia = node ? undefined : tree.firstInclusion.get(file);
  const capAtWarning = report.severity === 'warn';
  // Built whole where it can be (a built-in rule's finding has an id, data and a detail): a literal of its final shape
  // costs a fraction of one grown field by field, and a finding is made tens of thousands of times in a large config.
  // `fixSafety` (undefined without a fix) and `includedVia` are always there for the same reason.
  let finding: MutableFinding;
  if (messageId !== undefined && cappedData !== undefined && detail !== null) {
    finding = {
      ruleId: meta.id,
      severity,
      message,
      messageId,
      data: cappedData,
      detail,
      file,
      start,
      end,
      lineAt: anchor,
      node: node ?? null,
      includedVia,
      fix,
      fixSafety,
      suggestions,
      capAtWarning,
    };
  } else {
    finding = {
      ruleId: meta.id,
      severity,
      message,
      file,
      start,
      end,
      lineAt: anchor,
      node: node ?? null,
      includedVia,
      fix,
      fixSafety,
      suggestions,
      capAtWarning,
    };
    if (messageId !== undefined) finding.messageId = messageId;
    if (cappedData !== undefined) finding.data = cappedData;
    if (detail !== null) finding.detail = detail;
  }
  return finding;
}

/** Quoted tokens longer than this are cut: a message is a headline, not a place to echo a file's contents. */
const MAX_QUOTED = 80;
/** Control characters (but tab and line breaks), the replacement character of undecodable bytes, lone surrogates. */
const BINARY = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * Whether a text may hold what BINARY finds: one cheap scan, with no lookaround, that every text holding a BINARY
 * character matches (a paired surrogate matches here but not there). Almost no message or data value does.
 */
const MAYBE_BINARY = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd\ud800-\udfff]/;

/** The longest text a data value keeps (data is a message's parts, printed by the JSON formats as they are). */
const MAX_DATA = 200;

/**
 * `unknown directive "<2 kB of something>"` keeps the first characters of the quote and says it was cut; a quote
 * that looks binary (control characters, bytes that are not text) is not echoed at all, and a line break inside a
 * quote is shown as `\n`, so a quote never starts a new line of a report (docs/security.md).
 */
export function capQuotes(message: string): string {
  if (!message.includes('"') || !mayNeedCapping(message)) return message;
  // Quotes are paired from the left, so the text between two short quoted tokens is never taken for a quote
  // (`"proxy_pass" cannot have URI part … inside "if" statement` keeps its words).
  return message.replace(/"([^"]*)"/g, (whole, quoted: string) => {
    if (MAYBE_BINARY.test(quoted) && BINARY.test(quoted)) return `"<${quoted.length} characters that are not text>"`;
    const oneLine = quoted.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    if (oneLine.length <= MAX_QUOTED) return oneLine === quoted ? whole : `"${oneLine}"`;
    // A long absolute path keeps its end, which names the file (`open() "…/sites-available/snippets/php.conf"`).
    return ABSOLUTE_PATH.test(oneLine) ? `"…${oneLine.slice(-MAX_QUOTED)}"` : `"${oneLine.slice(0, MAX_QUOTED)}…"`;
  });
}

const ABSOLUTE_PATH = /^\/\S*$/;

/**
 * Whether capQuotes may change a text holding a quote: one with a line break or a maybe-binary character anywhere,
 * or a quote longer than MAX_QUOTED. Most quoting messages and data values (`sends "Connection: close"`) are then left
 * as they are without the replacement's copies.
 */
function mayNeedCapping(text: string): boolean {
  if (MAYBE_BINARY.test(text) || text.includes('\n') || text.includes('\r')) return true;
  // Paired from the left, as capQuotes pairs them.
  for (let open = text.indexOf('"'); open !== -1;) {
    const close = text.indexOf('"', open + 1);
    if (close === -1) return false;
    if (close - open - 1 > MAX_QUOTED) return true;
    open = text.indexOf('"', close + 1);
  }
  return false;
}

/** A report's data with the same caps: quotes as in messages, and any text longer than MAX_DATA cut. */
function capData(data: MessageData): MessageData {
  // A copy, even when nothing is cut: the rule may reuse its data object for its next report.
  const capped: Record<string, string | number> = {};
  for (const key of Object.keys(data)) {
    const value = data[key]!;
    const kept = typeof value === 'string' ? capDataText(value) : value;
    // As Object.fromEntries would: a key named __proto__ is a field like any other, not the prototype.
    if (key === '__proto__') Object.defineProperty(capped, key, { value: kept, enumerable: true, writable: true, configurable: true });
    else capped[key] = kept;
  }
  return capped;
}

function capDataText(value: string): string {
  if (!MAYBE_BINARY.test(value)) {
    // Then capQuotes can only cut a quote or escape a line break, which brings no such character: one scan saved.
    const capped = value.includes('"') ? capQuotes(value) : value;
    return capped.length > MAX_DATA ? `${capped.slice(0, MAX_DATA)}…` : capped;
  }
  const capped = capQuotes(value);
  if (MAYBE_BINARY.test(capped) && BINARY.test(capped)) return `<${capped.length} characters that are not text>`;
  return capped.length > MAX_DATA ? `${capped.slice(0, MAX_DATA)}…` : capped;
}

export function internalFinding(ruleId: string, file: SourceFile, message: string, severity: 1 | 2): Finding {
  return { ruleId, severity, message, file, start: 0, end: 0, lineAt: 0, node: null, fix: null, suggestions: [], fatal: true };
}

/** ESLint's message shape; the fix is kept only when all its edits are in the reported file (merged into one). */
export function toMessage(finding: Finding): LintMessage {
  const { file } = finding;
  const start = positionAt(file, finding.start);
  // Most findings are anchored at their start.
  const anchor = finding.lineAt === finding.start ? start : positionAt(file, finding.lineAt);
  const end = positionAt(file, finding.end);
  const line = anchor.line;
  const column = anchor.line === start.line ? start.column : anchor.column;
  const endLine = Math.max(end.line, line);
  // A region never ends before it starts, whatever the anchor line did to the start (SARIF and GitHub reject it).
  const endColumn = end.line > line ? end.column : Math.max(end.line === line ? end.column : column, column);
  const ruleId = finding.ruleId === INTERNAL ? null : finding.ruleId;
  const { severity, messageId, data, detail } = finding;
  // Fields in ESLint's order; built whole when the finding has an id, data and a detail, as built-in rules' have.
  let message: MutableMessage;
  if (messageId !== undefined && data !== undefined && detail !== undefined) {
    message = { ruleId, severity, message: finding.message, messageId, data, detail, line, column, endLine, endColumn };
  } else {
    message = { ruleId, severity, message: finding.message } as MutableMessage;
    if (messageId !== undefined) message.messageId = messageId;
    if (data !== undefined) message.data = data;
    if (detail !== undefined) message.detail = detail;
    message.line = line;
    message.column = column;
    message.endLine = endLine;
    message.endColumn = endColumn;
  }
  if (finding.fatal) message.fatal = true;
  // A file cut out of an nginx -T dump exists only inside the dump: nothing there can be fixed in place.
  const merged = finding.fix && !file.virtual ? singleEdit(finding.fix, file) : null;
  if (merged) {
    message.fix = { range: [merged.start, merged.end], text: merged.text };
    message.fixSafety = finding.fixSafety ?? 'safe';
  }
  // Config held in a Kubernetes manifest is never edited by nginx-lint, not even through an editor's suggestion.
  if (finding.suggestions.length > 0 && !file.embeddedIn) {
    const suggestions = finding.suggestions.flatMap((suggestion) => {
      const change = singleEdit(suggestion.changes, file);
      return change ? [{ desc: suggestion.desc, fix: { range: [change.start, change.end] as const, text: change.text } }] : [];
    });
    if (suggestions.length > 0) message.suggestions = suggestions;
  }
  // Most findings come from no include: their chain is not built.
  if (finding.node ? finding.node.includedBy : finding.includedVia) {
    const chain = finding.node ? includeChain(finding.node) : [...includeChain(finding.includedVia!), finding.includedVia!];
    message.includedFrom = chain.map(
      (include) =>
        `${include.directive.file.embeddedIn ?? include.directive.file.path}:${lineAt(include.directive.file, include.directive.terminatorStart)}`,
    );
  }
  return message;
}

type MutableMessage = { -readonly [K in keyof LintMessage]: LintMessage[K] };

/** The fix as one edit in `file` (ESLint's shape), or null when it touches another file or cannot be merged. */
function singleEdit(changes: readonly TextChange[], file: SourceFile): OffsetChange | null {
  if (changes.length === 0) return null;
  for (const change of changes) if (change.file.path !== file.path) return null;
  const merged = mergeChanges(file.text, changes);
  return 'invalid' in merged ? null : merged;
}

/**
 * The findings of a run, each once: a finding with the rule, file, range and message of one already added is a repeat
 * (an included file's finding reported again through another entry). Looked up by start offset, with no key string
 * made for each of tens of thousands of findings.
 */
export class FindingSet {
  private readonly byStart = new Map<number, Finding | Finding[]>();

  /** Adds the finding; false when an equal one was added before. */
  add(finding: Finding): boolean {
    const known = this.byStart.get(finding.start);
    if (known === undefined) {
      this.byStart.set(finding.start, finding);
      return true;
    }
    const list = Array.isArray(known) ? known : [known];
    if (list.some((other) => sameFinding(other, finding))) return false;
    list.push(finding);
    if (list !== known) this.byStart.set(finding.start, list);
    return true;
  }
}

function sameFinding(a: Finding, b: Finding): boolean {
  return a.start === b.start && a.end === b.end && a.ruleId === b.ruleId && a.file.path === b.file.path && a.message === b.message;
}

/** The structural problems of a lint, one key per problem, positions left out so that moving lines changes nothing. */
export function structuralProblemKeys(findings: readonly Finding[]): string[] {
  return findings
    .filter((finding) => STRUCTURAL_RULES.has(finding.ruleId))
    .map((finding) => `${finding.ruleId}\0${finding.file.path}\0${finding.message}`);
}

/** Where a finding sits, for baselines: the statement and its enclosing blocks, stable across line moves. */
export function fingerprintOf(finding: Finding): string {
  const parts: string[] = [];
  for (let node = finding.node; node; node = node.parent) parts.unshift(statementText(node));
  return parts.join(' > ') || finding.file.text.slice(finding.start, finding.end);
}

export function applySuppressionComments(file: SourceFile, findings: Finding[], requireReason: boolean): Finding[] {
  if (!hasSuppressionComments(file)) return findings.slice();
  const candidates = findings.map((finding) => ({ ruleId: finding.ruleId, start: finding.start, line: lineAt(file, finding.lineAt) }));
  const outcome = findSuppressions(file, candidates, { requireReason });
  const kept = findings.filter((_, index) => !outcome.suppressed.has(index));
  for (const problem of outcome.unused) kept.push(suppressionFinding('unused-suppression', file, problem, 1));
  for (const problem of outcome.missingReasons) kept.push(suppressionFinding('suppression-reason-missing', file, problem, 2));
  return kept;
}

function suppressionFinding(ruleId: string, file: SourceFile, problem: { message: string; start: number; end: number }, severity: 1 | 2): Finding {
  return {
    ruleId,
    severity,
    message: problem.message,
    file,
    start: problem.start,
    end: problem.end,
    lineAt: problem.start,
    node: null,
    fix: null,
    suggestions: [],
  };
}
