/**
 * Applying fixes to one file's text, ESLint-style: in passes, each pass taking the fixes that do not overlap, until
 * nothing is left to fix. On top of ESLint, every pass is verified: a pass whose result has a syntax or structural
 * problem the text before it did not have is undone and replayed one fix at a time, and the fixes that cause the
 * problem are dropped — so `--fix` can leave a problem unfixed but never makes a configuration worse.
 *
 * Independent of the engine: linting is a callback, and changes are plain offsets into the text.
 */
import { applyTextChanges, mergeChanges, type OffsetChange } from '../syntax/text-changes.js';

export { applyTextChanges, mergeChanges, type OffsetChange } from '../syntax/text-changes.js';

export interface ProposedFix {
  readonly ruleId: string;
  readonly changes: readonly OffsetChange[];
}

export interface LintForFixesResult {
  /** The fixes the rules propose for this text, in report order. */
  readonly fixes: readonly ProposedFix[];
  /**
   * Identities of the syntax and structural problems in this text (e.g. rule id + message + line), one per problem:
   * a fix whose result has an identity more often than the text before it is dropped. Repeating a key counts, so
   * position-free keys (rule id + message) still catch a fix that adds a second copy of a problem. Keys holding a
   * line number change when a fix adds or removes lines above the problem, which makes that fix look guilty — it is
   * dropped (safe, but the fix is lost).
   */
  readonly problemKeys: Iterable<string>;
}

export interface DroppedFix {
  readonly ruleId: string;
  readonly reason: string;
}

export interface FixUntilStableOptions {
  readonly initialText: string;
  /** Parses and lints a version of the file. Called once for the initial text and once per attempted result. */
  readonly lintForFixes: (text: string) => LintForFixesResult | Promise<LintForFixesResult>;
  /** At most this many rounds of apply-and-relint (ESLint's limit is also 10). */
  readonly maxPasses?: number;
}

export interface FixUntilStableResult {
  readonly text: string;
  /** How many passes changed the text. */
  readonly passes: number;
  /** Fixes that were not applied because they would have introduced a problem or could not be applied at all. */
  readonly dropped: DroppedFix[];
  readonly changed: boolean;
}

/** One fix as the single change `mergeChanges` made of it. */
interface Candidate extends OffsetChange {
  readonly ruleId: string;
}

interface LintedText {
  readonly text: string;
  readonly fixes: readonly ProposedFix[];
  /** How often each problem key occurs. */
  readonly problems: ReadonlyMap<string, number>;
}

/** Identifies a fix: the same rule proposing the same change. */
function candidateKey(candidate: Candidate): string {
  return `${candidate.ruleId}\0${candidate.start}\0${candidate.end}\0${candidate.text}`;
}

/**
 * Rebases fixes proposed against the text before `applied` (changes in offset order that do not overlap, as
 * `applyTextChanges` applies them) onto the text after it. A fix one of the applied changes altered is no longer the
 * same fix and is left out. Ends are in order as well as starts, so each fix is placed by binary search.
 */
function rebaseAll(candidates: readonly Candidate[], applied: readonly OffsetChange[]): Candidate[] {
  if (applied.length === 0) return [...candidates];
  /** shifts[i]: how far the first i changes move the text after them. */
  const shifts = [0];
  for (const change of applied) shifts.push(shifts[shifts.length - 1]! + change.text.length - (change.end - change.start));
  return candidates.flatMap((candidate) => {
    let low = 0;
    let high = applied.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (applied[mid]!.end <= candidate.start) low = mid + 1;
      else high = mid;
    }
    // applied[low] is the first change ending after the fix starts: the only one that can overlap it first.
    const first = applied[low];
    if (first && first.start < candidate.end) return [];
    const shift = shifts[low]!;
    return [{ ...candidate, start: candidate.start + shift, end: candidate.end + shift }];
  });
}

async function lintText(text: string, lintForFixes: FixUntilStableOptions['lintForFixes']): Promise<LintedText> {
  const { fixes, problemKeys } = await lintForFixes(text);
  const problems = new Map<string, number>();
  for (const key of problemKeys) problems.set(key, (problems.get(key) ?? 0) + 1);
  return { text, fixes, problems };
}

/** The problem keys `after` has more often than `before`. */
function introducedProblems(before: LintedText, after: LintedText): string[] {
  return [...after.problems].filter(([key, count]) => count > (before.problems.get(key) ?? 0)).map(([key]) => key);
}

/**
 * Fixes `initialText` pass by pass until no fix applies or `maxPasses` rounds have run. The result never holds a
 * syntax or structural problem that `initialText` did not have (as `lintForFixes` reports them), and running it
 * again on its own output changes nothing unless the rules propose new fixes.
 */
export async function fixUntilStable(options: FixUntilStableOptions): Promise<FixUntilStableResult> {
  const { initialText, lintForFixes, maxPasses = 10 } = options;
  let current = await lintText(initialText, lintForFixes);
  let passes = 0;
  const dropped: DroppedFix[] = [];
  const droppedKeys = new Set<string>();
  // Dropped fixes, kept in the coordinates of the current text: a rule proposes the same fix again after every
  // pass, and retrying it would only cost a relint per fix to drop it once more.
  let rejected: Candidate[] = [];

  const drop = (ruleId: string, reason: string) => {
    const key = `${ruleId}\0${reason}`;
    if (droppedKeys.has(key)) return;
    droppedKeys.add(key);
    dropped.push({ ruleId, reason });
  };

  for (let round = 0; round < maxPasses; round++) {
    const rejectedKeys = new Set(rejected.map(candidateKey));
    const candidates: Candidate[] = [];
    for (const fix of current.fixes) {
      if (fix.changes.length === 0) continue;
      const merged = mergeChanges(current.text, fix.changes);
      if ('invalid' in merged) {
        drop(fix.ruleId, `the fix cannot be applied: ${merged.invalid}`);
        continue;
      }
      const candidate = { ...merged, ruleId: fix.ruleId };
      const changesNothing = current.text.slice(candidate.start, candidate.end) === candidate.text;
      if (!changesNothing && !rejectedKeys.has(candidateKey(candidate))) candidates.push(candidate);
    }
    if (candidates.length === 0) break;

    const attempt = applyTextChanges(current.text, candidates);
    // Disjoint changes can still cancel out ("aa": delete one "a", append one): nothing to relint then.
    if (attempt.text === current.text) break;
    let accepted: Candidate[] = attempt.applied;
    let next = await lintText(attempt.text, lintForFixes);
    if (introducedProblems(current, next).length > 0) {
      // Replay the pass on the text before it, by halves: a half whose fixes, with those kept so far, add no problem
      // is kept whole; one that does is split, down to the single fixes that are dropped. Any subset of one pass's
      // fixes is still free of overlaps. A few bad fixes among n cost a few times log n relints, not n.
      const kept: Candidate[] = [];
      next = current;
      const replay = async (group: readonly Candidate[]): Promise<void> => {
        const trial = await lintText(applyTextChanges(current.text, [...kept, ...group]).text, lintForFixes);
        const introduced = introducedProblems(current, trial);
        if (introduced.length === 0) {
          kept.push(...group);
          next = trial;
        } else if (group.length === 1) {
          drop(group[0]!.ruleId, `the fix would introduce: ${introduced.join('; ')}`);
          rejected.push(group[0]!);
        } else {
          const middle = group.length >> 1;
          await replay(group.slice(0, middle));
          await replay(group.slice(middle));
        }
      };
      // The whole pass was the first trial.
      const middle = attempt.applied.length >> 1;
      if (middle === 0) await replay(attempt.applied);
      else {
        await replay(attempt.applied.slice(0, middle));
        await replay(attempt.applied.slice(middle));
      }
      accepted = kept;
    }

    rejected = rebaseAll(rejected, accepted);
    if (next.text !== current.text) passes++;
    current = next;
  }

  return { text: current.text, passes, dropped, changed: current.text !== initialText };
}
