/**
 * What `--fix-dry-run` prints: the fixes as a unified diff with git's `a/` and `b/` prefixes, so the output can be
 * reviewed like any patch and applied with `git apply` or `patch -p1` from the same directory.
 *
 * jsdiff's Myers diff of whole files costs their length times the number of differences: 10 s on a 100k-line config
 * with 3,300 fixes, and it grows with the square of the file. Fixes change a few lines here and there, so the texts
 * are walked side by side instead: where they differ, the nearest lines where they agree again end a differing place;
 * places fewer than 2 × CONTEXT_LINES + 1 equal lines apart share a hunk, as in any unified diff, and jsdiff aligns
 * the lines of each hunk (the hunk alone, so its cost stays small). The time is linear in the files for local edits.
 */
import { lazyRequire } from '../lazy-require.js';
import path from 'node:path';
import type { StructuredPatchHunk } from 'diff';

const diff = lazyRequire<typeof import('diff')>('diff');

/** Lines of context around the changes of a hunk (jsdiff's default, as before). */
const CONTEXT_LINES = 4;
/** How far (old + new lines) the walk looks for lines that agree again; past it, the lines in between are replaced. */
const MAX_PLACE_LINES = 1000;
/** A hunk with more lines than this keeps the walk's own alignment (each place replaced) instead of jsdiff's. */
const MAX_ALIGNED_HUNK_LINES = 2000;

/** The unified diff from `before` to `after` for the file at `filePath`, or '' when the texts are equal. */
export function unifiedDiff(filePath: string, before: string, after: string, cwd: string = process.cwd()): string {
  if (before === after) return '';
  // Patch paths use `/` whatever the platform, as git writes them.
  const shownPath = path.relative(cwd, path.resolve(cwd, filePath)).split(path.sep).join('/');
  const oldLines = linesOf(before);
  const newLines = linesOf(after);
  const hunks = groupIntoHunks(differingPlaces(oldLines, newLines)).map((places) => hunkOf(places, oldLines, newLines));
  return diff().formatPatch(
    { oldFileName: `a/${shownPath}`, newFileName: `b/${shownPath}`, oldHeader: undefined, newHeader: undefined, hunks },
    diff().FILE_HEADERS_ONLY,
  );
}

/** The lines of a text, each with its line break, as jsdiff compares them. */
function linesOf(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

/** Lines `oldStart`..`oldEnd` of the old text became lines `newStart`..`newEnd` of the new one (ends exclusive). */
interface Place {
  readonly oldStart: number;
  readonly oldEnd: number;
  readonly newStart: number;
  readonly newEnd: number;
}

/** Where the texts differ, in order; between two places and around them, the lines are equal. */
function differingPlaces(oldLines: readonly string[], newLines: readonly string[]): Place[] {
  const places: Place[] = [];
  let oldAt = 0;
  let newAt = 0;
  for (;;) {
    while (oldAt < oldLines.length && newAt < newLines.length && oldLines[oldAt] === newLines[newAt]) {
      oldAt++;
      newAt++;
    }
    if (oldAt === oldLines.length && newAt === newLines.length) return places;
    const agreed = agreement(oldLines, newLines, oldAt, newAt);
    places.push({ oldStart: oldAt, oldEnd: agreed.oldAt, newStart: newAt, newEnd: agreed.newAt });
    oldAt = agreed.oldAt;
    newAt = agreed.newAt;
  }
}

/**
 * The nearest lines after a difference at which the texts agree again (or both end), nearest by the lines skipped
 * in both together; the search costs the square of that distance, which a fix keeps to a few lines.
 */
function agreement(oldLines: readonly string[], newLines: readonly string[], oldAt: number, newAt: number): { oldAt: number; newAt: number } {
  for (let skipped = 1; skipped <= MAX_PLACE_LINES; skipped++) {
    for (let oldSkipped = 0; oldSkipped <= skipped; oldSkipped++) {
      const oldFrom = oldAt + oldSkipped;
      const newFrom = newAt + skipped - oldSkipped;
      if (oldFrom > oldLines.length || newFrom > newLines.length) continue;
      const bothEnd = oldFrom === oldLines.length && newFrom === newLines.length;
      if (bothEnd || (oldFrom < oldLines.length && oldLines[oldFrom] === newLines[newFrom])) return { oldAt: oldFrom, newAt: newFrom };
    }
  }
  const half = MAX_PLACE_LINES / 2;
  return { oldAt: Math.min(oldLines.length, oldAt + half), newAt: Math.min(newLines.length, newAt + half) };
}

/** Places whose contexts would meet (fewer than 2 × CONTEXT_LINES + 1 equal lines apart) share a hunk. */
function groupIntoHunks(places: readonly Place[]): Place[][] {
  const groups: Place[][] = [];
  for (const place of places) {
    const group = groups[groups.length - 1];
    if (group && place.oldStart - group[group.length - 1]!.oldEnd <= 2 * CONTEXT_LINES) group.push(place);
    else groups.push([place]);
  }
  return groups;
}

/** One hunk: its places with the equal lines between them and CONTEXT_LINES of context on either side. */
function hunkOf(places: readonly Place[], oldLines: readonly string[], newLines: readonly string[]): StructuredPatchHunk {
  const first = places[0]!;
  const last = places[places.length - 1]!;
  const before = Math.min(CONTEXT_LINES, first.oldStart);
  const after = Math.min(CONTEXT_LINES, oldLines.length - last.oldEnd, newLines.length - last.newEnd);
  const oldStart = first.oldStart - before;
  const newStart = first.newStart - before;
  const oldSpan = oldLines.slice(oldStart, last.oldEnd + after);
  const newSpan = newLines.slice(newStart, last.newEnd + after);
  const lines: string[] = [];
  if (oldSpan.length + newSpan.length <= MAX_ALIGNED_HUNK_LINES) {
    for (const change of diff().diffArrays(oldSpan, newSpan)) {
      for (const line of change.value) lines.push((change.added ? '+' : change.removed ? '-' : ' ') + line);
    }
  } else {
    let oldAt = oldStart;
    for (const place of places) {
      for (; oldAt < place.oldStart; oldAt++) lines.push(' ' + oldLines[oldAt]!);
      for (let at = place.oldStart; at < place.oldEnd; at++) lines.push('-' + oldLines[at]!);
      for (let at = place.newStart; at < place.newEnd; at++) lines.push('+' + newLines[at]!);
      oldAt = place.oldEnd;
    }
    for (; oldAt < last.oldEnd + after; oldAt++) lines.push(' ' + oldLines[oldAt]!);
  }
  return { oldStart: oldStart + 1, oldLines: oldSpan.length, newStart: newStart + 1, newLines: newSpan.length, lines: withoutLineBreaks(lines) };
}

/** Hunk lines as jsdiff writes them: without their line break, a line that had none marked as the file's last. */
function withoutLineBreaks(lines: readonly string[]): string[] {
  return lines.flatMap((line) => (line.endsWith('\n') ? [line.slice(0, -1)] : [line, '\\ No newline at end of file']));
}
