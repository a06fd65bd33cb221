import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applyBaseline, type BaselineFinding } from '../src/lint/baseline.js';
import { ConfigError } from '../src/config/index.js';

const TIMEOUT = 'proxy-read-timeout-too-low';
const KEEPALIVE = 'upstream-keepalive-needs-http11';
const LEGACY_TIMEOUT = 'http > server api > location /legacy > proxy_read_timeout 3s';
const BATCH_TIMEOUT = 'http > server api > location /batch > proxy_read_timeout 3s';
const UPSTREAM = 'http > upstream api > keepalive 16';

let root: string;
let baselinePath: string;
let api: string;
let site: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nginx-lint-baseline-'));
  mkdirSync(join(root, 'conf.d'));
  api = join(root, 'conf.d/api.conf');
  site = join(root, 'conf.d/site.conf');
  writeFileSync(api, '');
  writeFileSync(site, '');
  baselinePath = join(root, 'nginx-lint-baseline.json');
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

interface TestFinding extends BaselineFinding {
  /** Stands in for the line: baselines must not depend on it. */
  readonly line: number;
}

function at(filePath: string, ruleId: string, fingerprint: string, line: number): TestFinding {
  return { filePath, ruleId, fingerprint, line };
}

function record(findings: readonly TestFinding[], lintedFiles = [api, site]) {
  return applyBaseline(baselinePath, findings, { update: true, lintedFiles });
}

function match(findings: readonly TestFinding[], lintedFiles = [api, site]) {
  return applyBaseline(baselinePath, findings, { update: false, lintedFiles });
}

describe('matching', () => {
  it('knows recorded findings after their lines moved, and fails new ones', () => {
    record([at(api, TIMEOUT, LEGACY_TIMEOUT, 12), at(api, KEEPALIVE, UPSTREAM, 3)]);
    const moved = at(api, TIMEOUT, LEGACY_TIMEOUT, 40);
    const keepalive = at(api, KEEPALIVE, UPSTREAM, 5);
    const added = at(api, TIMEOUT, BATCH_TIMEOUT, 44);
    expect(match([keepalive, moved, added])).toEqual({ fresh: [added], known: [keepalive, moved], obsolete: 0 });
  });

  it('tells files apart, so the same directive in another file is new', () => {
    record([at(api, TIMEOUT, LEGACY_TIMEOUT, 12)]);
    const elsewhere = at(site, TIMEOUT, LEGACY_TIMEOUT, 12);
    expect(match([elsewhere]).fresh).toEqual([elsewhere]);
  });

  it('counts occurrences: findings beyond the recorded count are new, the later ones first', () => {
    record([at(api, TIMEOUT, LEGACY_TIMEOUT, 10), at(api, TIMEOUT, LEGACY_TIMEOUT, 20)]);
    const findings = [at(api, TIMEOUT, LEGACY_TIMEOUT, 10), at(api, TIMEOUT, LEGACY_TIMEOUT, 20), at(api, TIMEOUT, LEGACY_TIMEOUT, 30)];
    expect(match(findings)).toEqual({ fresh: [findings[2]], known: findings.slice(0, 2), obsolete: 0 });
    expect(match(findings.slice(0, 1))).toEqual({ fresh: [], known: findings.slice(0, 1), obsolete: 1 });
  });

  it('counts fixed findings only in the files linted in this run', () => {
    record([at(api, TIMEOUT, LEGACY_TIMEOUT, 10), at(site, TIMEOUT, LEGACY_TIMEOUT, 10)]);
    expect(match([], [api]).obsolete).toBe(1);
  });
});

describe('updating', () => {
  it('writes a sorted, stable file with paths relative to the baseline', () => {
    const findings = [
      at(site, TIMEOUT, LEGACY_TIMEOUT, 1),
      at(api, TIMEOUT, LEGACY_TIMEOUT, 9),
      at(api, TIMEOUT, BATCH_TIMEOUT, 2),
      at(api, KEEPALIVE, UPSTREAM, 1),
      at(api, TIMEOUT, LEGACY_TIMEOUT, 12),
    ];
    expect(record(findings)).toEqual({ fresh: [], known: findings, obsolete: 0 });
    const written = readFileSync(baselinePath, 'utf8');
    expect(written).toBe(
      `${JSON.stringify(
        {
          version: 1,
          findings: {
            'conf.d/api.conf': {
              [TIMEOUT]: { [BATCH_TIMEOUT]: 1, [LEGACY_TIMEOUT]: 2 },
              [KEEPALIVE]: { [UPSTREAM]: 1 },
            },
            'conf.d/site.conf': { [TIMEOUT]: { [LEGACY_TIMEOUT]: 1 } },
          },
        },
        null,
        2,
      )}\n`,
    );
    record([...findings].reverse());
    expect(readFileSync(baselinePath, 'utf8')).toBe(written);
  });

  it('prunes fixed findings, keeps other files that still exist and drops deleted ones', () => {
    const gone = join(root, 'conf.d/old.conf');
    writeFileSync(gone, '');
    record(
      [
        at(api, TIMEOUT, LEGACY_TIMEOUT, 1),
        at(api, KEEPALIVE, UPSTREAM, 2),
        at(site, TIMEOUT, LEGACY_TIMEOUT, 1),
        at(gone, TIMEOUT, BATCH_TIMEOUT, 1),
      ],
      [api, site, gone],
    );
    rmSync(gone);

    expect(record([at(api, KEEPALIVE, UPSTREAM, 2)], [api]).obsolete).toBe(1);
    expect(JSON.parse(readFileSync(baselinePath, 'utf8'))).toEqual({
      version: 1,
      findings: {
        'conf.d/api.conf': { [KEEPALIVE]: { [UPSTREAM]: 1 } },
        'conf.d/site.conf': { [TIMEOUT]: { [LEGACY_TIMEOUT]: 1 } },
      },
    });
  });
});

describe('reading', () => {
  it('requires the baseline to exist unless it is being written', () => {
    expect(() => match([])).toThrow(new ConfigError(baselinePath, [{ pointer: '', message: 'file not found' }]));
  });

  it('explains a malformed baseline', () => {
    writeFileSync(
      baselinePath,
      JSON.stringify({ version: 2, findings: { 'conf.d/api.conf': { [TIMEOUT]: { [LEGACY_TIMEOUT]: 0 }, [KEEPALIVE]: [] } } }),
    );
    expect(() => match([])).toThrow(
      new ConfigError(baselinePath, [
        { pointer: '/version', message: 'expected 1, got 2' },
        {
          pointer: `/findings/conf.d~1api.conf/${TIMEOUT}/${LEGACY_TIMEOUT.replaceAll('/', '~1')}`,
          message: 'expected a positive integer count, got 0',
        },
        { pointer: `/findings/conf.d~1api.conf/${KEEPALIVE}`, message: 'expected an object' },
      ]),
    );
  });
});
