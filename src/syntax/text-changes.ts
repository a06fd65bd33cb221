/**
 * Text changes: the one way anything edits a configuration file. A change replaces a half-open range of offsets with
 * new text, so everything it does not touch — comments, alignment, blank lines — stays byte for byte. Applying and
 * merging them is plain offset arithmetic, shared by fixes, suggestions and the messages that show them.
 */
import type { SourceFile } from './ast.js';

/** Replaces `[start, end)` of `file` with `text`. Fixes are text edits, so formatting and comments survive. */
export interface TextChange {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** A change as offsets into the text it is applied to. */
export type OffsetChange = Pick<TextChange, 'start' | 'end' | 'text'>;

export interface ApplyResult<Change extends OffsetChange> {
  readonly text: string;
  /** The changes applied, in offset order. */
  readonly applied: Change[];
  /** The changes left for a later pass because they overlap one applied before them, in offset order. */
  readonly deferred: Change[];
}

/** Why a change cannot be applied to a text of `length` characters, or null when it can. */
function invalidRangeReason(change: OffsetChange, length: number): string | null {
  if (!Number.isInteger(change.start) || !Number.isInteger(change.end)) return 'its range is not a pair of integer offsets';
  if (change.start > change.end) return 'its range ends before it starts';
  if (change.start < 0 || change.end > length) return 'its range lies outside the text';
  return null;
}

/**
 * Applies the changes that do not overlap. Changes are taken in offset order (by start, then end); one that shares
 * a character with a change already taken, or inserts inside its range, is deferred. Changes that merely touch
 * are both applied, and insertions at the same offset all apply, in the order they were given.
 * Throws a RangeError for a change whose range is not within the text.
 */
export function applyTextChanges<Change extends OffsetChange>(text: string, changes: readonly Change[]): ApplyResult<Change> {
  for (const change of changes) {
    const reason = invalidRangeReason(change, text.length);
    if (reason) throw new RangeError(`cannot apply change [${change.start}, ${change.end}): ${reason}`);
  }
  // Array.prototype.sort is stable, which keeps same-offset insertions in the order given.
  const ordered = [...changes].sort((a, b) => a.start - b.start || a.end - b.end);
  const applied: Change[] = [];
  const deferred: Change[] = [];
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (const change of ordered) {
    if (change.start < copiedUpTo) {
      deferred.push(change);
      continue;
    }
    pieces.push(text.slice(copiedUpTo, change.start), change.text);
    copiedUpTo = change.end;
    applied.push(change);
  }
  pieces.push(text.slice(copiedUpTo));
  return { text: pieces.join(''), applied, deferred };
}

/**
 * Merges the changes of one fix into a single change spanning all of them (the text between them copied from
 * `text`), so the fix is applied whole or not at all — and can be shown as the one edit ESLint's JSON format has.
 * Returns the reason instead when the changes cannot be applied together.
 */
export function mergeChanges(text: string, changes: readonly OffsetChange[]): OffsetChange | { readonly invalid: string } {
  if (changes.length === 0) return { invalid: 'it has no changes' };
  for (const change of changes) {
    const reason = invalidRangeReason(change, text.length);
    if (reason) return { invalid: reason };
  }
  // One change, the most common fix, is its own merge.
  if (changes.length === 1) return { start: changes[0]!.start, end: changes[0]!.end, text: asText(changes[0]!.text) };
  let start = Infinity;
  let end = -Infinity;
  let ordered = true;
  for (let index = 0; index < changes.length; index++) {
    const change = changes[index]!;
    if (change.start < start) start = change.start;
    if (change.end > end) end = change.end;
    const previous = changes[index - 1];
    if (previous && (change.start < previous.start || (change.start === previous.start && change.end < previous.end))) ordered = false;
  }
  // What applyTextChanges would make of them, without its copies: in offset order (a stable sort keeps insertions at
  // one offset in the order given), the text between them copied, and any change overlapping one taken before it an
  // error. A fix is made for every finding of a large configuration and shown whole in its message.
  const inOrder = ordered ? changes : sortedByOffset(changes);
  let merged = '';
  let copiedUpTo = start;
  for (const change of inOrder) {
    if (change.start < copiedUpTo) return { invalid: 'its changes overlap each other' };
    merged += text.slice(copiedUpTo, change.start) + asText(change.text);
    copiedUpTo = change.end;
  }
  merged += text.slice(copiedUpTo, end);
  return { start, end, text: merged };
}

/**
 * The changes by start, then end, keeping the given order of equal ones (as the stable Array.prototype.sort does). A
 * fix has a few changes, and V8's sort allocates close to a kilobyte of working state for each call whatever the
 * length: an insertion sort does without.
 */
function sortedByOffset<Change extends OffsetChange>(changes: readonly Change[]): Change[] {
  if (changes.length > 16) return [...changes].sort((a, b) => a.start - b.start || a.end - b.end);
  const sorted = changes.slice();
  for (let index = 1; index < sorted.length; index++) {
    const change = sorted[index]!;
    let slot = index;
    while (slot > 0 && (sorted[slot - 1]!.start > change.start || (sorted[slot - 1]!.start === change.start && sorted[slot - 1]!.end > change.end))) {
      sorted[slot] = sorted[slot - 1]!;
      slot--;
    }
    sorted[slot] = change;
  }
  return sorted;
}

/** A change's text as Array.prototype.join spells it (a plugin written in JavaScript may leave it out). */
function asText(text: string | null | undefined): string {
  return text === undefined || text === null ? '' : String(text);
}
