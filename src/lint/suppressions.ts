/**
 * Inline suppression comments. In a file's `#` comments:
 *
 *   # nginx-lint-disable-next-line rule-a, rule-b -- reason   the next statement in the same block; when that statement
 *                                                            opens a block, the whole block (as shellcheck does)
 *   proxy_buffering off;  # nginx-lint-disable-line rule-a   findings reported on this line
 *   # nginx-lint-disable rule-a … # nginx-lint-enable rule-a  a range, to the end of the file if never re-enabled
 *   # nginx-lint-disable-file rule-a                         the whole file, wherever the comment is
 *
 * Rule ids are separated by commas or spaces; none means every rule. Text after ` -- ` is the reason. An
 * `nginx-lint-enable` without ids ends every range; with ids inside an all-rules range, it re-enables just those.
 */
import type { Directive, SourceFile } from '../syntax/ast.js';
import { lineAt } from '../syntax/ast.js';

export type SuppressionKind = 'disable-next-line' | 'disable-line' | 'disable' | 'enable' | 'disable-file';

export interface SuppressionComment {
  readonly kind: SuppressionKind;
  /** Empty when the comment names no rule, which means every rule. */
  readonly ruleIds: readonly string[];
  /** The text after ` -- `, or null when there is none. */
  readonly reason: string | null;
  /** Offsets of the comment, from its `#`. */
  readonly start: number;
  readonly end: number;
}

/** A finding that a comment may suppress. */
export interface SuppressionCandidate {
  readonly ruleId: string;
  /** Offset where the finding's range starts: decides next-line coverage and ranges. */
  readonly start: number;
  /** 1-based line the finding is reported on: decides `disable-line`. */
  readonly line: number;
}

/** A suppression comment to report: unused, or missing its reason. The range is the comment's. */
export interface SuppressionProblem {
  readonly message: string;
  readonly start: number;
  readonly end: number;
  readonly comment: SuppressionComment;
}

export interface SuppressionOptions {
  /** Every suppression must say why after ` -- ` (the strict preset sets this). */
  readonly requireReason?: boolean;
}

export interface SuppressionOutcome {
  /** Index of each suppressed candidate, with the most specific comment suppressing it. */
  readonly suppressed: ReadonlyMap<number, SuppressionComment>;
  /** Comments, or rule ids in them, that suppressed nothing. */
  readonly unused: readonly SuppressionProblem[];
  /** Suppressions without a reason; empty unless `requireReason` is set. */
  readonly missingReasons: readonly SuppressionProblem[];
}

const COMMENT_SYNTAX = /^\s*nginx-lint-(disable-next-line|disable-line|disable-file|disable|enable)(?:\s+([^]*))?$/;
const REASON_SEPARATOR = /(?:^|\s)--(?:\s|$)/;
const NO_COMMENTS: readonly SuppressionComment[] = Object.freeze([]);
/** The key under which a comment naming no rule records that it was used. */
const ALL_RULES = '*';

/** Parses the suppression comments of a file, in source order. Other comments (the `context:` pragma, …) are skipped. */
export function parseSuppressionComments(file: SourceFile): SuppressionComment[] {
  const comments: SuppressionComment[] = [];
  for (const comment of file.comments) {
    const match = COMMENT_SYNTAX.exec(comment.text);
    if (!match) continue;
    const rest = match[2] ?? '';
    const separator = REASON_SEPARATOR.exec(rest);
    const ruleList = separator ? rest.slice(0, separator.index) : rest;
    const reason = separator ? rest.slice(separator.index + separator[0].length).trim() : '';
    comments.push({
      kind: match[1] as SuppressionKind,
      ruleIds: ruleList.split(/[\s,]+/).filter((id) => id !== ''),
      reason: reason === '' ? null : reason,
      start: comment.start,
      end: comment.end,
    });
  }
  return comments;
}

/** Whether the file holds a suppression comment: without one, nothing is suppressed and no comment is reported. */
export function hasSuppressionComments(file: SourceFile): boolean {
  return file.comments.some((comment) => COMMENT_SYNTAX.test(comment.text));
}

/**
 * Decides which candidate findings of `file` the file's suppression comments suppress, and which comments (or rule
 * ids in them) suppressed nothing, so the engine can report them as `unused-suppression`.
 */
export function findSuppressions(
  file: SourceFile,
  candidates: readonly SuppressionCandidate[],
  options: SuppressionOptions = {},
): SuppressionOutcome {
  const comments = parseSuppressionComments(file);
  const used = new Set<string>();
  const unused: SuppressionProblem[] = [];
  const markUsed = (comment: SuppressionComment, ruleId: string) => used.add(usageKey(comment, ruleId));
  const covers = (comment: SuppressionComment, ruleId: string) => comment.ruleIds.length === 0 || comment.ruleIds.includes(ruleId);

  // Each kind indexed so that a candidate looks only at the comments that can apply to it: a file with thousands of
  // findings and thousands of suppression comments costs no more than the two lists together.
  const lineComments = new Map<number, SuppressionComment[]>();
  for (const comment of comments) {
    if (comment.kind !== 'disable-line') continue;
    const line = lineAt(file, comment.start);
    const onLine = lineComments.get(line);
    if (onLine) onLine.push(comment);
    else lineComments.set(line, [comment]);
  }
  const fileComments = comments.filter((comment) => comment.kind === 'disable-file');
  const fileCommentsByRule = new Map<string, SuppressionComment[]>();
  const fileCommentsFor = (ruleId: string) => {
    let covering = fileCommentsByRule.get(ruleId);
    if (!covering) fileCommentsByRule.set(ruleId, (covering = fileComments.filter((comment) => covers(comment, ruleId))));
    return covering;
  };
  const nextStatements = nextStatementTracker(file, comments);
  const ranges = rangeTracker(
    comments.filter((comment) => comment.kind === 'disable' || comment.kind === 'enable'),
    unused,
  );

  const suppressed = new Map<number, SuppressionComment>();
  const order = candidates.map((_, index) => index);
  // A stable sort by start; findings mostly come in that order already (one rule's, one file's).
  if (!candidates.every((candidate, index) => index === 0 || candidates[index - 1]!.start <= candidate.start)) {
    order.sort((a, b) => candidates[a]!.start - candidates[b]!.start);
  }
  for (const index of order) {
    const candidate = candidates[index]!;
    const { ruleId } = candidate;
    // Most specific first: the first match is the one reported as suppressing; every match counts as used. No list
    // of matches is made: a file can have tens of thousands of findings.
    let first: SuppressionComment | undefined;
    for (const comment of lineComments.get(candidate.line) ?? NO_COMMENTS) {
      if (!covers(comment, ruleId)) continue;
      markUsed(comment, ruleId);
      first ??= comment;
    }
    for (const comment of nextStatements.covering(candidate.start)) {
      if (!covers(comment, ruleId)) continue;
      markUsed(comment, ruleId);
      first ??= comment;
    }
    for (const comment of ranges.inForce(candidate.start, ruleId)) {
      markUsed(comment, ruleId);
      first ??= comment;
    }
    for (const comment of fileCommentsFor(ruleId)) {
      markUsed(comment, ruleId);
      first ??= comment;
    }
    if (first) suppressed.set(index, first);
  }
  ranges.finish();

  for (const comment of comments) {
    if (comment.kind === 'enable') continue;
    const directive = `nginx-lint-${comment.kind}`;
    if (comment.ruleIds.length === 0) {
      if (!used.has(usageKey(comment, ALL_RULES))) unused.push(problem(comment, `unused ${directive}: no problem to suppress`));
      continue;
    }
    for (const ruleId of comment.ruleIds) {
      if (!used.has(usageKey(comment, ruleId))) {
        unused.push(problem(comment, `unused ${directive}: no ${JSON.stringify(ruleId)} problem to suppress`));
      }
    }
  }
  unused.sort((a, b) => a.start - b.start);

  const missingReasons = options.requireReason
    ? comments
        .filter((comment) => comment.kind !== 'enable' && comment.reason === null)
        .map((comment) => problem(comment, `nginx-lint-${comment.kind} needs a reason: add " -- why" after the rule ids`))
    : [];

  return { suppressed, unused, missingReasons };
}

function usageKey(comment: SuppressionComment, ruleId: string): string {
  return `${comment.start}\0${comment.ruleIds.length === 0 ? ALL_RULES : ruleId}`;
}

function problem(comment: SuppressionComment, message: string): SuppressionProblem {
  return { message, start: comment.start, end: comment.end, comment };
}

/**
 * The statement a `disable-next-line` comment applies to: the first statement after it in the same block. Null at
 * the end of a block, where nothing follows. Siblings are in offset order and do not overlap, so both the block
 * holding the comment and the statement after it are found by binary search.
 */
function nextStatement(file: SourceFile, comment: SuppressionComment): Directive | null {
  let siblings = file.directives;
  for (;;) {
    const before = siblings[firstStartingAtOrAfter(siblings, comment.start) - 1];
    const encloses =
      before !== undefined &&
      before.children !== null &&
      before.terminatorStart < comment.start &&
      (before.blockEnd === -1 || comment.start < before.blockEnd);
    if (!encloses) break;
    siblings = before.children!;
  }
  return siblings[firstStartingAtOrAfter(siblings, comment.end)] ?? null;
}

/** The index of the first directive starting at or after `offset` (the length when there is none). */
function firstStartingAtOrAfter(directives: readonly Directive[], offset: number): number {
  let low = 0;
  let high = directives.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (directives[mid]!.start < offset) low = mid + 1;
    else high = mid;
  }
  return low;
}

interface NextStatementTracker {
  /** The `disable-next-line` comments whose statement holds `offset`, in source order; call with non-decreasing offsets. */
  covering(offset: number): readonly SuppressionComment[];
}

/**
 * Sweeps the statements `disable-next-line` comments apply to, in offset order. Statements are nested or disjoint,
 * so the ones holding an offset form a stack, outermost (and so first in the source) at the bottom.
 */
function nextStatementTracker(file: SourceFile, comments: readonly SuppressionComment[]): NextStatementTracker {
  const targets = comments
    .filter((comment) => comment.kind === 'disable-next-line')
    .flatMap((comment) => {
      const target = nextStatement(file, comment);
      return target ? [{ comment, start: target.start, end: target.end }] : [];
    })
    // Stable: comments before the same statement stay in source order.
    .sort((a, b) => a.start - b.start);
  const open: (typeof targets)[number][] = [];
  let next = 0;
  const closeBefore = (offset: number) => {
    while (open.length > 0 && open[open.length - 1]!.end <= offset) open.pop();
  };
  return {
    covering(offset) {
      while (next < targets.length && targets[next]!.start <= offset) {
        closeBefore(targets[next]!.start);
        open.push(targets[next++]!);
      }
      closeBefore(offset);
      return open.length === 0 ? NO_COMMENTS : open.map((target) => target.comment);
    },
  };
}

interface RangeTracker {
  /** The range comment in force for a rule at an offset; call with non-decreasing offsets. */
  inForce(offset: number, ruleId: string): readonly SuppressionComment[];
  /** Replays the comments after the last finding, so each `enable` is checked. */
  finish(): void;
}

/** Replays `disable`/`enable` comments in source order. An `enable` that re-enables nothing goes to `unused`. */
function rangeTracker(rangeComments: readonly SuppressionComment[], unused: SuppressionProblem[]): RangeTracker {
  let allRules: SuppressionComment | null = null;
  /** Rules an `enable` with ids took out of the all-rules range. */
  const exceptions = new Set<string>();
  const byRule = new Map<string, SuppressionComment>();
  let next = 0;

  const apply = (comment: SuppressionComment): void => {
    if (comment.kind === 'disable') {
      if (comment.ruleIds.length === 0) {
        allRules = comment;
        exceptions.clear();
      }
      for (const ruleId of comment.ruleIds) byRule.set(ruleId, comment);
      return;
    }
    if (comment.ruleIds.length === 0) {
      if (!allRules && byRule.size === 0) unused.push(problem(comment, 'unused nginx-lint-enable: nothing is disabled here'));
      allRules = null;
      exceptions.clear();
      byRule.clear();
      return;
    }
    for (const ruleId of comment.ruleIds) {
      const disabled = byRule.has(ruleId) || (allRules !== null && !exceptions.has(ruleId));
      if (!disabled) unused.push(problem(comment, `unused nginx-lint-enable: ${JSON.stringify(ruleId)} is not disabled here`));
      byRule.delete(ruleId);
      if (allRules) exceptions.add(ruleId);
    }
  };

  const applyUpTo = (offset: number): void => {
    while (next < rangeComments.length && rangeComments[next]!.start < offset) apply(rangeComments[next++]!);
  };

  return {
    inForce(offset, ruleId) {
      applyUpTo(offset);
      const specific = byRule.get(ruleId);
      if (specific) return [specific];
      return allRules && !exceptions.has(ruleId) ? [allRules] : NO_COMMENTS;
    },
    finish: () => applyUpTo(Infinity),
  };
}
