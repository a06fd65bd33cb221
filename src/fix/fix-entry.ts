/**
 * --fix for one entry: applies the fixes rules offered to the entry and the files it includes, re-linting after each
 * pass, and keeps only passes that add no structural problem.
 */
import { fixUntilStable } from './apply.js';
import { STRUCTURAL_RULES, structuralProblemKeys, type Finding } from '../lint/findings.js';
import type { EntryOutcome, Linter } from '../lint/runner.js';

const MAX_FIX_PASSES = 10;

export interface FixedFile {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly encoding: 'utf8' | 'latin1';
}

/**
 * Fixes an entry and the files it includes. Each file with fixes goes through `fixUntilStable` (passes of
 * non-overlapping fixes, re-linting the whole program each time, dropping any fix that would add a structural
 * problem anywhere); rounds repeat while some file changed, because a fix in one file can enable one in another.
 * The texts live in `overlay` until the caller writes them.
 */
export async function fixEntry(
  linter: Linter,
  entry: string,
  overlay: Map<string, string>,
  initial: EntryOutcome,
  notes: string[],
  fixUnsafe = false,
  onlyFiles?: ReadonlySet<string>,
): Promise<{ outcome: EntryOutcome; files: FixedFile[] }> {
  const originals = new Map(initial.program.files);
  /**
   * A fix --fix may apply: from a rule the config enables, safe unless unsafe ones were asked for, and — when the
   * entry was read only for its context — in one of the files the run is about.
   */
  const applicable = (finding: Finding) =>
    finding.fix !== null &&
    !finding.forced &&
    (fixUnsafe || finding.fixSafety !== 'unsafe') &&
    (!onlyFiles || finding.fix.every((change) => onlyFiles.has(change.file.path)));
  let outcome = initial;
  for (let round = 0; round < MAX_FIX_PASSES; round++) {
    const filesWithFixes = new Set<string>();
    for (const finding of outcome.findings) {
      if (!applicable(finding)) continue;
      const target = finding.fix?.[0]?.file;
      if (!target || target.virtual) continue;
      if (finding.fix!.some((change) => change.file.path !== target.path)) {
        notes.push(`fix for ${finding.ruleId} in ${finding.file.path} spans several files and was not applied`);
        continue;
      }
      filesWithFixes.add(target.path);
    }
    let changed = false;
    for (const filePath of filesWithFixes) {
      const fixesIn = (findings: readonly Finding[]) =>
        findings.flatMap((finding) =>
          applicable(finding) && finding.fix!.every((change) => change.file.path === filePath)
            ? [{ ruleId: finding.ruleId, changes: finding.fix! }]
            : [],
        );
      const result = await fixUntilStable({
        initialText: overlay.get(filePath) ?? originals.get(filePath)!.text,
        maxPasses: MAX_FIX_PASSES,
        lintForFixes: async (text) => {
          overlay.set(filePath, text);
          // Every structural rule, enabled or not: a fix must not break what a disabled rule would have caught.
          const trial = await linter.lintEntry(entry, overlay, STRUCTURAL_RULES);
          return { fixes: fixesIn(trial.findings), problemKeys: structuralProblemKeys(trial.findings) };
        },
      });
      overlay.set(filePath, result.text);
      for (const dropped of result.dropped) notes.push(`fix for ${dropped.ruleId} in ${filePath} was not applied: ${dropped.reason}`);
      if (result.changed) changed = true;
    }
    // The last trial lint may have been of a text that was then rejected: lint what was kept.
    outcome = await linter.lintEntry(entry, overlay);
    if (!changed) break;
  }

  const files: FixedFile[] = [];
  for (const [filePath, original] of originals) {
    const after = overlay.get(filePath);
    if (after !== undefined && after !== original.text)
      files.push({ path: filePath, before: original.text, after, encoding: original.encoding ?? 'utf8' });
  }
  return { outcome, files };
}
