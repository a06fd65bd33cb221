/**
 * The structural rules against real nginx: every corpus file is linted in the context nginx accepted it in (the
 * truth's `wrapper` column), and the findings are compared with the verdict `nginx -t` 1.22.1 gave (recorded in
 * `nginx-t-results.tsv`, so nginx is not needed here). A file nginx accepted must get no structural error; a file
 * nginx rejected for a syntax error, an unknown directive or a directive out of place must get its first structural
 * finding, in nginx's order of reading, at the file and line nginx named and with nginx's message; for any other
 * rejection that names a line, the linter must not report a structural error before that line, where nginx had read
 * everything without one.
 *
 * Includes are followed, as nginx follows them, with the file's own directory as the prefix (the truth wrote its
 * wrapper config next to the file). The truth's sandbox created an empty file for every missing include target, so a
 * missing include is not a structural error here: include-not-found is not among the rules run. The sandbox also
 * emptied Debian's sites-enabled/ and conf.d/, so files outside the corpus that this machine happens to have are not
 * the corpus's: findings in them are ignored.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { findCorpus, nginxErrorLocation, readTruth, TRUTH_NGINX_VERSION, type TruthRow } from './helpers/corpus.js';

/** The rules whose findings mean `nginx -t` stops while reading the configuration. */
const STRUCTURAL_RULES = ['syntax-error', 'unknown-directive', 'directive-not-allowed-here', 'invalid-arguments'];

/**
 * Rejections the structural rules must find at the line nginx names. The other classes need facts a static check
 * does not have (a module that is not loaded, an unknown variable, a certificate) or come from a directive's own
 * handler (`semantic`).
 */
const MUST_FIND_REJECTIONS = new Set(['syntax', 'unknown-directive', 'context']);

/**
 * Where the linter and nginx disagree today, and why. The test fails unless this is exactly the set of
 * disagreements, so a fix (a row to delete) shows as clearly as a regression (a row that is missing).
 */
const KNOWN_DISAGREEMENTS: Readonly<Record<string, string>> = {
  'certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/chive/chive-nginx-master/nginx.conf':
    'line 94 `upload_progress` is from the third-party nginx-upload-progress module, which Debian nginx-extras loads ' +
    '(libnginx-mod-http-uploadprogress) but the directive table does not cover: reported as an unknown directive',
  'MegaManSec__gixy-ng/tests/plugins/simply/allow_without_deny/allow_without_deny_dump.conf':
    'an `nginx -T` dump: nginx-lint reads it as the files it lists, so `allow` is in the location that includes ' +
    '/tmp/deny; nginx -t reads it as one file, where `allow` (line 11) stands in main',
  'MegaManSec__gixy-ng/tests/plugins/simply/allow_without_deny/allow_without_deny_dump_fp.conf':
    'an `nginx -T` dump, as above: nginx -t finds `allow` in main at line 12, nginx-lint finds it in a location',
};

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
  readonly message: string;
  /** nginx's reading order: each include on the way (file, line), then the finding itself. */
  readonly order: readonly Location[];
}

interface Location {
  readonly file: string;
  readonly line: number;
}

function parseLocation(location: string): Location {
  const colon = location.lastIndexOf(':');
  return { file: location.slice(0, colon), line: Number(location.slice(colon + 1)) };
}

/**
 * nginx reads an included file where its `include` stands, and the files of one glob in sorted order, so comparing
 * the include chains step by step orders findings as nginx meets them; an include's own problem comes before what
 * it brings in.
 */
function compareReadingOrder(a: Finding, b: Finding): number {
  for (let step = 0; step < Math.min(a.order.length, b.order.length); step++) {
    const left = a.order[step]!;
    const right = b.order[step]!;
    if (left.file !== right.file) return left.file < right.file ? -1 : 1;
    if (left.line !== right.line) return left.line - right.line;
  }
  return a.order.length - b.order.length;
}

/**
 * Where a finding stands against the point where nginx stopped. nginx names only the file and line, not the includes
 * that led there, so the finding is placed at the first step of its reading order that is in nginx's file; when no
 * step is, it cannot be placed.
 */
function placeAgainst(finding: Finding, stop: Location): 'before' | 'not-before' | 'unplaceable' {
  const step = finding.order.find((candidate) => candidate.file === stop.file);
  if (step === undefined) return 'unplaceable';
  return step.line < stop.line ? 'before' : 'not-before';
}

function describeFinding(finding: Finding): string {
  return `${finding.file}:${finding.line} ${finding.ruleId}: ${finding.message}`;
}

class Tally {
  agreeing = 0;
  total = 0;

  count(agrees: boolean): void {
    this.total++;
    if (agrees) this.agreeing++;
  }

  toString(): string {
    return `${this.agreeing}/${this.total}`;
  }
}

const corpus = findCorpus('corpus fidelity test');

describe.skipIf(corpus === null)('corpus fidelity: structural rules against nginx -t 1.22.1', () => {
  const configDirectory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-fidelity-'));
  afterAll(() => rmSync(configDirectory, { recursive: true, force: true }));
  // An explicit config stops the lookup of any other; `extends: []` keeps the recommended preset from applying
  // underneath, so exactly these rules run.
  const configFile = path.join(configDirectory, '.nginx-lint.json');
  writeFileSync(configFile, JSON.stringify({ extends: [], rules: Object.fromEntries(STRUCTURAL_RULES.map((id) => [id, 'error'])) }));

  /** The structural findings for one corpus file, in nginx's reading order, paths relative to the corpus. */
  async function structuralFindings(root: string, row: TruthRow): Promise<Finding[]> {
    const run = await lint([path.join(root, row.path)], {
      cwd: root,
      configFile,
      context: row.context,
      nginxVersion: TRUTH_NGINX_VERSION,
      followIncludes: true,
      // The truth was made with a wrapper main config beside each file: its folder is nginx's conf prefix.
      prefix: path.dirname(path.join(root, row.path)),
    });
    const relative = (filePath: string) => path.relative(root, filePath);
    const findings: Finding[] = [];
    for (const result of run.results) {
      const file = relative(result.filePath);
      if (file.startsWith('..')) continue;
      for (const message of result.messages) {
        if (message.ruleId === null || !STRUCTURAL_RULES.includes(message.ruleId)) continue;
        const chain = (message.includedFrom ?? []).map(parseLocation).map((step) => ({ ...step, file: relative(step.file) }));
        findings.push({ file, line: message.line, ruleId: message.ruleId, message: message.message, order: [...chain, { file, line: message.line }] });
      }
    }
    return findings.sort(compareReadingOrder);
  }

  it('agrees with nginx -t on every accepted file and on where nginx stopped for the rejected ones', async () => {
    const accepted = new Tally();
    const syntaxOrUnknown = new Tally();
    const outOfContext = new Tally();
    const otherRejections = new Tally();
    let unplaceable = 0;
    const disagreements: Record<string, string> = {};

    for (const row of readTruth(corpus!)) {
      const [first] = await structuralFindings(corpus!, row);
      if (row.accepted) {
        accepted.count(first === undefined);
        if (first) disagreements[row.path] = `accepted by nginx, but: ${describeFinding(first)}`;
        continue;
      }
      const stop = nginxErrorLocation(row.nginxMessage);
      const mustFind = MUST_FIND_REJECTIONS.has(row.errorClass);
      if (mustFind && !stop) throw new Error(`${row.path}: nginx's message names no FILE:LINE: ${row.nginxMessage}`);
      // nginx names no line when it failed after reading everything (an unknown variable) or outside the files.
      if (!stop) continue;

      let agrees: boolean;
      if (mustFind) {
        // nginx's words lead every structural message; the linter only adds advice after them.
        agrees = first !== undefined && first.file === stop.file && first.line === stop.line && first.message.startsWith(stop.message);
        (row.errorClass === 'context' ? outOfContext : syntaxOrUnknown).count(agrees);
      } else {
        const place = first ? placeAgainst(first, stop) : 'not-before';
        if (place === 'unplaceable') unplaceable++;
        agrees = place !== 'before';
        otherRejections.count(agrees);
      }
      if (!agrees) disagreements[row.path] = `nginx: ${row.nginxMessage}; nginx-lint first: ${first ? describeFinding(first) : 'nothing'}`;
    }

    console.log(
      `corpus fidelity: accepted with no structural error ${accepted}; ` +
        `syntax/unknown-directive rejections found at nginx's line ${syntaxOrUnknown}; ` +
        `not-allowed-here rejections found at nginx's line ${outOfContext}; ` +
        `other rejections with no structural error before nginx's line ${otherRejections} ` +
        `(${unplaceable} with a first finding in a file nginx's message does not name)`,
    );
    const unexplained = Object.fromEntries(Object.entries(disagreements).filter(([file]) => !(file in KNOWN_DISAGREEMENTS)));
    const resolved = Object.keys(KNOWN_DISAGREEMENTS).filter((file) => !(file in disagreements));
    expect({ unexplained, resolved }).toEqual({ unexplained: {}, resolved: [] });
  });
});
