/**
 * Baselines (`--baseline FILE`, `--update-baseline`): findings recorded once stop failing the run, so a team can
 * adopt nginx-lint on a legacy configuration and fail only on new problems, pruning the fixed ones on update.
 *
 * A finding is known when the baseline holds its file, rule and fingerprint. The fingerprint (computed by the
 * engine) names the directive, its arguments and its enclosing blocks, never the line, so edits elsewhere in the
 * file do not turn known findings into new ones. Each key holds a count: with two identical findings recorded, a
 * third one is new.
 *
 * The file, version 1, is written with sorted keys and two-space indentation so each finding is one diff line:
 *
 *   {
 *     "version": 1,
 *     "findings": {
 *       "conf.d/api.conf": {                             path relative to the baseline's directory, with "/"
 *         "proxy-read-timeout-too-low": {                rule id
 *           "http > server > location /api > proxy_read_timeout 3s": 2      fingerprint: occurrences
 *         }
 *       }
 *     }
 *   }
 */
import { existsSync } from 'node:fs';
import { isRecord, writeFileNoFollow } from '../files.js';
import { dirname, relative, resolve, sep } from 'node:path';
import { ConfigError, pointerToken, type ConfigProblem } from '../config/errors.js';
import { readJsonFile } from '../config/json-file.js';

export const BASELINE_VERSION = 1;

export interface BaselineFinding {
  /** Absolute path of the file the finding is in. */
  readonly filePath: string;
  readonly ruleId: string;
  /** The finding's place without its line number, e.g. enclosing blocks, directive name and normalized arguments. */
  readonly fingerprint: string;
}

export interface BaselineOptions {
  /** `--update-baseline`: record the current findings instead of matching them. */
  readonly update: boolean;
  /** Absolute paths of every file linted in this run. An update keeps the entries of other files that still exist. */
  readonly lintedFiles: readonly string[];
}

export interface BaselineOutcome<Finding> {
  /** Findings the baseline does not know: these still fail the run. Always empty after an update. */
  readonly fresh: Finding[];
  readonly known: Finding[];
  /**
   * Recorded occurrences in the linted files that no longer occur (fixed). When matching, an update would prune
   * them; after an update, they have been pruned.
   */
  readonly obsolete: number;
}

/** Counts by path (relative to the baseline), then rule id, then fingerprint. */
type Counts = Map<string, Map<string, Map<string, number>>>;

/**
 * Matches `findings` against the baseline at `baselinePath`, or with `update` rewrites it from them. Findings
 * should come in source order: when a key has more occurrences than recorded, the later ones are the fresh ones.
 * Throws ConfigError when the baseline cannot be read (it must exist unless `update` is set) or is malformed.
 */
export function applyBaseline<Finding extends BaselineFinding>(
  baselinePath: string,
  findings: readonly Finding[],
  options: BaselineOptions,
): BaselineOutcome<Finding> {
  const baseDir = dirname(baselinePath);
  const keyPath = (filePath: string) => relative(baseDir, filePath).split(sep).join('/');
  const linted = new Set(options.lintedFiles.map(keyPath));
  const recorded = options.update && !existsSync(baselinePath) ? new Map() : readBaseline(baselinePath);

  const current = countFindings(findings, keyPath);
  const obsolete = excessOccurrences(recorded, current, linted);

  if (options.update) {
    for (const [path, rules] of recorded) {
      if (!linted.has(path) && existsSync(resolve(baseDir, path))) current.set(path, rules);
    }
    writeFileNoFollow(baselinePath, formatBaseline(current));
    return { fresh: [], known: [...findings], obsolete };
  }

  const fresh: Finding[] = [];
  const known: Finding[] = [];
  for (const finding of findings) {
    const fingerprints = recorded.get(keyPath(finding.filePath))?.get(finding.ruleId);
    const remaining = fingerprints?.get(finding.fingerprint) ?? 0;
    if (remaining > 0) {
      fingerprints!.set(finding.fingerprint, remaining - 1);
      known.push(finding);
    } else {
      fresh.push(finding);
    }
  }
  return { fresh, known, obsolete };
}

function countFindings(findings: readonly BaselineFinding[], keyPath: (filePath: string) => string): Counts {
  const counts: Counts = new Map();
  for (const { filePath, ruleId, fingerprint } of findings) {
    const path = keyPath(filePath);
    const rules = counts.get(path) ?? new Map<string, Map<string, number>>();
    counts.set(path, rules);
    const fingerprints = rules.get(ruleId) ?? new Map<string, number>();
    rules.set(ruleId, fingerprints);
    fingerprints.set(fingerprint, (fingerprints.get(fingerprint) ?? 0) + 1);
  }
  return counts;
}

/** Occurrences `recorded` holds beyond those in `current`, in the given paths only. */
function excessOccurrences(recorded: Counts, current: Counts, paths: ReadonlySet<string>): number {
  let total = 0;
  for (const [path, rules] of recorded) {
    if (!paths.has(path)) continue;
    for (const [ruleId, fingerprints] of rules) {
      for (const [fingerprint, count] of fingerprints) {
        total += Math.max(0, count - (current.get(path)?.get(ruleId)?.get(fingerprint) ?? 0));
      }
    }
  }
  return total;
}

function readBaseline(baselinePath: string): Counts {
  const data = readJsonFile(baselinePath, baselinePath);
  const problems: ConfigProblem[] = [];
  const counts: Counts = new Map();
  const objectAt = (value: unknown, pointer: string): Record<string, unknown> | null => {
    if (isRecord(value)) return value;
    problems.push({ pointer, message: 'expected an object' });
    return null;
  };

  const root = objectAt(data, '');
  if (root && root['version'] !== BASELINE_VERSION) {
    problems.push({ pointer: '/version', message: `expected ${BASELINE_VERSION}, got ${JSON.stringify(root['version'])}` });
  }
  const files = root && objectAt(root['findings'], '/findings');
  for (const [path, rulesValue] of Object.entries(files ?? {})) {
    const filePointer = `/findings/${pointerToken(path)}`;
    const rules = new Map<string, Map<string, number>>();
    counts.set(path, rules);
    for (const [ruleId, fingerprintsValue] of Object.entries(objectAt(rulesValue, filePointer) ?? {})) {
      const rulePointer = `${filePointer}/${pointerToken(ruleId)}`;
      const fingerprints = new Map<string, number>();
      rules.set(ruleId, fingerprints);
      for (const [fingerprint, count] of Object.entries(objectAt(fingerprintsValue, rulePointer) ?? {})) {
        if (Number.isSafeInteger(count) && (count as number) > 0) fingerprints.set(fingerprint, count as number);
        else
          problems.push({
            pointer: `${rulePointer}/${pointerToken(fingerprint)}`,
            message: `expected a positive integer count, got ${JSON.stringify(count)}`,
          });
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(baselinePath, problems);
  return counts;
}

/** Sorted by UTF-16 code units, not locale, so the file is identical on every machine. */
function sortedEntries<Value>(map: ReadonlyMap<string, Value>): [string, Value][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function formatBaseline(counts: Counts): string {
  const findings = Object.fromEntries(
    sortedEntries(counts).map(([path, rules]) => [
      path,
      Object.fromEntries(sortedEntries(rules).map(([ruleId, fingerprints]) => [ruleId, Object.fromEntries(sortedEntries(fingerprints))])),
    ]),
  );
  return `${JSON.stringify({ version: BASELINE_VERSION, findings }, null, 2)}\n`;
}
