/**
 * The real-world suite: nginx configs of public repositories with their Compose files and Dockerfiles, linted as a
 * user would (`nginx-lint .` in the repository, nothing declared, the recommended preset). Every finding must be
 * labelled in labels.json: a new one fails until someone judges it; a labelled false alarm that returns fails; a
 * labelled true finding that disappears fails. The precision by rule is printed and kept in the README.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/run.js';

interface Label {
  readonly repo: string;
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
  readonly label: 'true' | 'false' | 'debatable';
  readonly why: string;
  /** A known false alarm not fixed yet: why it cannot be. It may appear, and counts against precision. */
  readonly open?: string;
}

const here = import.meta.dirname;
const repoRoot = path.resolve(here, '../..');
const labels = (JSON.parse(readFileSync(path.join(here, 'labels.json'), 'utf8')) as { findings: Label[] }).findings;
const repositories = readdirSync(path.join(here, 'repos')).sort();
const keyOf = (finding: { repo: string; file: string; line: number; ruleId: string }) =>
  `${finding.repo} ${finding.file}:${finding.line} ${finding.ruleId}`;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-real-world-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Lints one repository in a copy of its own, whose `.git` makes it the repository root as in a real checkout. */
async function lintRepository(repo: string) {
  const root = path.join(scratch, repo);
  cpSync(path.join(here, 'repos', repo), root, { recursive: true });
  mkdirSync(path.join(root, '.git'));
  const run = await lint([root], { cwd: root, configLookup: false });
  return {
    // nginx configs only: a Compose file with a finding is reported too, but is not a config.
    files: run.results.map((result) => path.relative(root, result.filePath)).filter((file) => !/\.ya?ml$/.test(file)),
    findings: run.results.flatMap((result) =>
      result.messages.map((message) => ({
        repo,
        file: path.relative(root, result.filePath),
        line: message.line,
        ruleId: message.ruleId ?? '(none)',
      })),
    ),
  };
}

describe('real-world suite', async () => {
  const outcomes = await Promise.all(repositories.map(lintRepository));
  const found = outcomes.flatMap((outcome) => outcome.findings);

  it('holds at least 25 nginx configs from at least 12 repositories, each linted', () => {
    expect(repositories.length).toBeGreaterThanOrEqual(12);
    expect(outcomes.flatMap((outcome) => outcome.files).length).toBeGreaterThanOrEqual(25);
  });

  it('makes no finding nobody has judged', () => {
    const labelled = new Set(labels.map(keyOf));
    expect(found.map(keyOf).filter((key) => !labelled.has(key))).toEqual([]);
  });

  it('keeps every finding labelled true, and no labelled false alarm comes back', () => {
    const current = new Set(found.map(keyOf));
    expect(labels.filter((label) => label.label === 'true' && !current.has(keyOf(label))).map(keyOf)).toEqual([]);
    expect(labels.filter((label) => label.label === 'false' && label.open === undefined && current.has(keyOf(label))).map(keyOf)).toEqual([]);
  });

  it("states the README's precision figures as measured here", () => {
    const byRule = new Map<string, { true: number; all: number }>();
    for (const finding of found) {
      const label = labels.find((candidate) => keyOf(candidate) === keyOf(finding));
      const counts = byRule.get(finding.ruleId) ?? { true: 0, all: 0 };
      counts.all++;
      if (label?.label === 'true') counts.true++;
      byRule.set(finding.ruleId, counts);
    }
    const total = [...byRule.values()].reduce((sum, counts) => ({ true: sum.true + counts.true, all: sum.all + counts.all }), { true: 0, all: 0 });
    const configs = outcomes.flatMap((outcome) => outcome.files).length;
    const line = `Real-world suite: ${configs} nginx configs from ${repositories.length} repositories, ${total.all} finding(s), ${total.true} true — precision ${total.all === 0 ? 'n/a' : `${Math.round((100 * total.true) / total.all)}%`}${[...byRule].map(([rule, counts]) => `; ${rule} ${counts.true}/${counts.all}`).join('')}.`;
    expect(readFileSync(path.join(repoRoot, 'README.md'), 'utf8')).toContain(line);
  });
});
