/**
 * Valid/invalid tables for rule tests, after ESLint's RuleTester. Each case is a small set of files written to a
 * temporary directory (a `.git` marks it as the repository root, so no config from outside leaks in) and linted
 * through the real engine with only the rule under test enabled — includes, inheritance, config and services
 * work exactly as they do for users.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BlockContext } from '../src/nginx/directives.js';
import { lint } from '../src/run.js';
import type { LintMessage } from '../src/lint/results.js';
import type { Rule } from '../src/lint/rule.js';
import { writeFiles } from './helpers/files.js';

export interface RuleTestCase {
  /** Shown as the test's name; defaults to the first line of the entry file. */
  readonly name?: string;
  /** A single `nginx.conf`, or files by relative path. */
  readonly files: string | Readonly<Record<string, string>>;
  /** The file to lint; default `nginx.conf`. */
  readonly entry?: string;
  /** The rule's options. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** More `.nginx-lint.json` keys: `services`, `serviceFiles`, … */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly nginxVersion?: string;
  readonly context?: BlockContext;
}

export interface ExpectedError {
  readonly line: number;
  readonly column?: number;
  /** The key of the message in the rule's `meta.messages`. */
  readonly messageId?: string;
  /** Placeholder values the message must have been given (those listed; others are not compared). */
  readonly data?: Readonly<Record<string, string | number>>;
  /** A pattern the long explanation (`meta.details`) must match: for the facts it cites, not its wording. */
  readonly detail?: RegExp;
  /** The texts of the suggestions offered, in order (suggestions are never applied by --fix). */
  readonly suggestions?: readonly string[];
  /** The exact message, or a pattern it must match (for wording, prefer messageId + data; test/messages.test.ts owns wording). */
  readonly message?: string | RegExp;
  /** Relative path of the file the finding must be in; default: the entry file. */
  readonly file?: string;
  readonly severity?: 1 | 2;
}

export interface InvalidCase extends RuleTestCase {
  readonly errors: readonly ExpectedError[];
  /** Apply unsafe fixes too (`--fix-unsafe`) when checking `output`. */
  readonly fixUnsafe?: boolean;
  /** Files after `--fix` (a string: the entry file), or null when the rule must offer no fix. */
  readonly output?: string | Readonly<Record<string, string>> | null;
}

export interface RuleTests {
  readonly valid: readonly RuleTestCase[];
  readonly invalid: readonly InvalidCase[];
}

const DEFAULT_ENTRY = 'nginx.conf';

function filesOf(testCase: RuleTestCase): Readonly<Record<string, string>> {
  return typeof testCase.files === 'string' ? { [DEFAULT_ENTRY]: testCase.files } : testCase.files;
}

/** The files `--fix` must change, and what into; empty for a case without `output`. */
function outputOf(testCase: InvalidCase): Readonly<Record<string, string>> {
  const output = testCase.output ?? {};
  return typeof output === 'string' ? { [testCase.entry ?? DEFAULT_ENTRY]: output } : output;
}

/** Every file of the case as `--fix` must leave it: its `output` written over its `files`. */
export function filesAfterFix(testCase: InvalidCase): Readonly<Record<string, string>> {
  return { ...filesOf(testCase), ...outputOf(testCase) };
}

function caseName(testCase: RuleTestCase, index: number): string {
  if (testCase.name) return testCase.name;
  const entryText = filesOf(testCase)[testCase.entry ?? DEFAULT_ENTRY] ?? '';
  return `#${index + 1} ${entryText.trim().split('\n')[0]!.slice(0, 60)}`;
}

export function testRule(rule: Rule<any>, tests: RuleTests): void {
  const ruleId = rule.meta.id;
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  async function run(testCase: RuleTestCase, fix: boolean, fixUnsafe = false) {
    const root = mkdtempSync(path.join(tmpdir(), `nginx-lint-${ruleId}-`));
    roots.push(root);
    mkdirSync(path.join(root, '.git'));
    writeFiles(root, filesOf(testCase));
    const setting = testCase.options ? ['error', testCase.options] : 'error';
    // `extends: []`: without it the recommended preset applies underneath, and every rule in it would report here.
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ extends: [], ...testCase.config, rules: { [ruleId]: setting } }));
    const run = await lint([path.join(root, testCase.entry ?? DEFAULT_ENTRY)], {
      cwd: root,
      nginxVersion: testCase.nginxVersion ?? '1.28.0',
      context: testCase.context,
      fix,
      fixUnsafe,
    });
    const messages: (LintMessage & { file: string })[] = [];
    for (const result of run.results) {
      for (const message of result.messages) messages.push({ ...message, file: path.relative(root, result.filePath) });
    }
    return { root, run, messages };
  }

  describe(ruleId, () => {
    describe('valid', () => {
      tests.valid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          const { messages } = await run(testCase, false);
          expect(messages.map((message) => `${message.file}:${message.line}: ${message.message} (${message.ruleId})`)).toEqual([]);
        });
      });
    });
    describe('invalid', () => {
      tests.invalid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          const { messages } = await run(testCase, false);
          const entry = testCase.entry ?? DEFAULT_ENTRY;
          const actual = messages.map((message) => ({
            file: message.file,
            line: message.line,
            ruleId: message.ruleId,
            ...(message.column !== undefined ? { column: message.column } : {}),
            message: message.message,
            messageId: message.messageId,
            data: message.data,
            suggestions: (message.suggestions ?? []).map((suggestion) => suggestion.desc),
            detail: message.detail,
            severity: message.severity,
          }));
          expect(actual.map((message) => message.ruleId)).toEqual(testCase.errors.map(() => ruleId));
          testCase.errors.forEach((expected, errorIndex) => {
            const found = actual[errorIndex]!;
            expect(found.file).toBe(expected.file ?? entry);
            expect(found.line).toBe(expected.line);
            if (expected.column !== undefined) expect(found.column).toBe(expected.column);
            if (expected.severity !== undefined) expect(found.severity).toBe(expected.severity);
            if (expected.messageId !== undefined) expect(found.messageId).toBe(expected.messageId);
            if (expected.data !== undefined) expect(found.data).toMatchObject(expected.data);
            if (expected.detail !== undefined) expect(found.detail).toMatch(expected.detail);
            if (expected.suggestions !== undefined) expect(found.suggestions).toEqual(expected.suggestions);
            if (typeof expected.message === 'string') expect(found.message).toBe(expected.message);
            else if (expected.message) expect(found.message).toMatch(expected.message);
          });

          if (testCase.output === undefined) return;
          const fixed = await run(testCase, true, testCase.fixUnsafe ?? false);
          const changed = Object.fromEntries(fixed.run.fixedFiles.map((file) => [path.relative(fixed.root, file.path), file.after]));
          if (testCase.output === null) {
            expect(changed).toEqual({});
            return;
          }
          expect(changed).toEqual(outputOf(testCase));
        });
      });
    });
  });
}
