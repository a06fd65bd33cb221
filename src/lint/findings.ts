/**
 * Findings: what a rule reported, kept with its file and statement until the run turns it into a message of the
 * public result shape (ESLint's), after severities, suppressions and the baseline have had their say.
 */
import { type SourceFile, positionAt } from '../syntax/ast.js';
import { mergeChanges, type OffsetChange } from '../syntax/text-changes.js';
import { findSuppressions } from './suppressions.js';
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

export function toFinding(meta: RuleMeta, severity: 1 | 2, report: Report, tree: ConfigTree): Finding {
  const directive = report.node?.directive;
  const file = report.span?.file ?? directive?.file;
  if (!file) throw new Error(`rule "${meta.id}" reported a finding with neither node nor span`);
  const start = report.token?.start ?? report.span?.start ?? directive!.start;
  const end = report.token?.end ?? report.span?.end ?? directive!.end;
  const detail = detailOf(meta, report);
  const fix = report.fix && report.fix.length > 0 ? report.fix : null;
  return {
    ruleId: meta.id,
    severity,
    message: capQuotes(messageOf(meta, report)),
    ...(report.messageId !== undefined ? { messageId: report.messageId } : {}),
    ...(report.data !== undefined ? { data: capData(report.data) } : {}),
    ...(detail !== null ? { detail } : {}),
    file,
    start,
    end,
    lineAt: report.lineAt ?? start,
    node: report.node ?? null,
    includedVia: report.node ? undefined : tree.firstInclusion.get(file),
    fix,
    ...(fix ? { fixSafety: fixSafetyOf(meta, report) } : {}),
    suggestions: (report.suggestions ?? []).map((suggestion) => ({ desc: suggestionText(meta, suggestion), changes: suggestion.changes })),
    capAtWarning: report.severity === 'warn',
  };
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
  if (!message.includes('"')) return message;
  // Quotes are paired from the left, so the text between two short quoted tokens is never taken for a quote
  // (`"proxy_pass" cannot have URI part … inside "if" statement` keeps its words).
  return message.replace(/"([^"]*)"/g, (whole, quoted: string) => {
    if (MAYBE_BINARY.test(quoted) && BINARY.test(quoted)) return `"<${quoted.length} characters that are not text>"`;
    const oneLine = quoted.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    return oneLine.length > MAX_QUOTED ? `"${oneLine.slice(0, MAX_QUOTED)}…"` : oneLine === quoted ? whole : `"${oneLine}"`;
  });
}

/** A report's data with the same caps: quotes as in messages, and any text longer than MAX_DATA cut. */
function capData(data: MessageData): MessageData {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => {
      if (typeof value !== 'string') return [key, value];
      const capped = capQuotes(value);
      const binary = MAYBE_BINARY.test(capped) && BINARY.test(capped);
      return [key, binary ? `<${capped.length} characters that are not text>` : capped.length > MAX_DATA ? `${capped.slice(0, MAX_DATA)}…` : capped];
    }),
  );
}

export function internalFinding(ruleId: string, file: SourceFile, message: string, severity: 1 | 2): Finding {
  return { ruleId, severity, message, file, start: 0, end: 0, lineAt: 0, node: null, fix: null, suggestions: [], fatal: true };
}

/** ESLint's message shape; the fix is kept only when all its edits are in the reported file (merged into one). */
export function toMessage(finding: Finding): LintMessage {
  const { file } = finding;
  const start = positionAt(file, finding.start);
  const anchor = positionAt(file, finding.lineAt);
  const end = positionAt(file, finding.end);
  const line = anchor.line;
  const column = anchor.line === start.line ? start.column : anchor.column;
  const message: { -readonly [K in keyof LintMessage]: LintMessage[K] } = {
    ruleId: finding.ruleId === INTERNAL ? null : finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    ...(finding.messageId !== undefined ? { messageId: finding.messageId } : {}),
    ...(finding.data !== undefined ? { data: finding.data } : {}),
    ...(finding.detail !== undefined ? { detail: finding.detail } : {}),
    line,
    column,
    endLine: Math.max(end.line, line),
    // A region never ends before it starts, whatever the anchor line did to the start (SARIF and GitHub reject it).
    endColumn: end.line > line ? end.column : Math.max(end.line === line ? end.column : column, column),
  };
  if (finding.fatal) message.fatal = true;
  // A file cut out of an nginx -T dump exists only inside the dump: nothing there can be fixed in place.
  const merged = finding.fix && !file.virtual ? singleEdit(finding.fix, file) : null;
  if (merged) {
    message.fix = { range: [merged.start, merged.end], text: merged.text };
    message.fixSafety = finding.fixSafety ?? 'safe';
  }
  // Config held in a Kubernetes manifest is never edited by nginx-lint, not even through an editor's suggestion.
  const suggestions = (file.embeddedIn ? [] : finding.suggestions).flatMap((suggestion) => {
    const change = singleEdit(suggestion.changes, file);
    return change ? [{ desc: suggestion.desc, fix: { range: [change.start, change.end] as const, text: change.text } }] : [];
  });
  if (suggestions.length > 0) message.suggestions = suggestions;
  const chain = finding.node ? includeChain(finding.node) : finding.includedVia ? [...includeChain(finding.includedVia), finding.includedVia] : [];
  if (chain.length > 0)
    message.includedFrom = chain.map(
      (include) =>
        `${include.directive.file.embeddedIn ?? include.directive.file.path}:${positionAt(include.directive.file, include.directive.terminatorStart).line}`,
    );
  return message;
}

/** The fix as one edit in `file` (ESLint's shape), or null when it touches another file or cannot be merged. */
function singleEdit(changes: readonly TextChange[], file: SourceFile): OffsetChange | null {
  if (changes.length === 0 || changes.some((change) => change.file.path !== file.path)) return null;
  const merged = mergeChanges(file.text, changes);
  return 'invalid' in merged ? null : merged;
}

export function findingKey(finding: Finding): string {
  return `${finding.ruleId}\0${finding.file.path}\0${finding.start}\0${finding.end}\0${finding.message}`;
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
  const candidates = findings.map((finding) => ({ ruleId: finding.ruleId, start: finding.start, line: positionAt(file, finding.lineAt).line }));
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
