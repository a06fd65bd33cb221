/**
 * Helpers that several output formats need: how a path is shown, how include chains are read,
 * how problems are counted and summarised, and how a problem gets a fingerprint that survives edits.
 */

import { lazyRequire } from '../lazy-require.js';
import path from 'node:path';
import type { LintResult, Severity } from '../lint/results.js';

/** Loaded on first use: node:crypto pulls in streams and ~20 internal modules, a few ms of every start-up. */
const crypto = lazyRequire<typeof import('node:crypto')>('node:crypto');

export function toPosix(filePath: string): string {
  return filePath.split(path.sep).join('/');
}

/**
 * The path of `filePath` relative to `cwd`, with `/` separators, or undefined when the file is not
 * inside `cwd` (or the path is not absolute, such as `<stdin>`, so nothing can be said about it).
 */
export function pathInsideCwd(filePath: string, cwd: string): string | undefined {
  if (!path.isAbsolute(filePath)) return undefined;
  const relative = path.relative(cwd, filePath);
  // On Windows a file on another drive comes back absolute.
  if (relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative)) return undefined;
  return toPosix(relative);
}

/**
 * How reports name a file: relative to `cwd` so that CI services can match it to the repository,
 * or as given when it lies outside `cwd` (`/etc/nginx/nginx.conf` reads better than `../../../etc/nginx/nginx.conf`).
 */
export function projectPath(filePath: string, cwd: string): string {
  return pathInsideCwd(filePath, cwd) ?? toPosix(filePath);
}

/** One `include` directive of a message's `includedFrom` chain. */
export interface IncludeSite {
  readonly filePath: string;
  readonly line: number;
}

/** Reads an `includedFrom` entry, `path:line`; undefined when it does not have that shape. */
export function parseIncludeSite(entry: string): IncludeSite | undefined {
  const match = /^(.+):(\d+)$/.exec(entry);
  if (!match?.[1] || !match[2]) return undefined;
  return { filePath: match[1], line: Number(match[2]) };
}

/** The ids of the rules that reported something, sorted, each once. */
export function firedRuleIds(results: readonly LintResult[]): string[] {
  const ruleIds = new Set(results.flatMap((result) => result.messages.flatMap((message) => message.ruleId ?? [])));
  return [...ruleIds].sort();
}

export type SeverityLabel = 'error' | 'warning';

export function severityLabel(severity: Severity): SeverityLabel {
  return severity === 2 ? 'error' : 'warning';
}

export interface ProblemTotals {
  readonly errorCount: number;
  readonly warningCount: number;
  readonly fixableErrorCount: number;
  readonly fixableWarningCount: number;
}

export function sumTotals(results: readonly LintResult[]): ProblemTotals {
  let errorCount = 0;
  let warningCount = 0;
  let fixableErrorCount = 0;
  let fixableWarningCount = 0;
  for (const result of results) {
    errorCount += result.errorCount;
    warningCount += result.warningCount;
    fixableErrorCount += result.fixableErrorCount;
    fixableWarningCount += result.fixableWarningCount;
  }
  return { errorCount, warningCount, fixableErrorCount, fixableWarningCount };
}

export function pluralize(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** `3 problems (2 errors, 1 warning)`, the wording ESLint users know. */
export function describeTotals(totals: ProblemTotals): string {
  const problems = pluralize(totals.errorCount + totals.warningCount, 'problem');
  return `${problems} (${pluralize(totals.errorCount, 'error')}, ${pluralize(totals.warningCount, 'warning')})`;
}

/**
 * Hex MD5 of the parts. The parts are joined with NUL so that ("ab", "c") and ("a", "bc") differ.
 * MD5 serves as an identity here, not as a defence against forgery.
 */
export function stableHash(...parts: readonly string[]): string {
  return crypto().createHash('md5').update(parts.join('\0')).digest('hex');
}

export interface ProblemFingerprint {
  /** Hash of path, rule and message. */
  readonly hash: string;
  /** 1 for the first problem with this hash in the report, 2 for the next, and so on. */
  readonly occurrence: number;
}

/**
 * Fingerprints for code-scanning services, which track a problem across commits by its fingerprint.
 * It covers the cwd-relative path, the rule and the message but not the line, so that an edit above
 * the problem does not turn it into a new one. Identical problems in one file are told apart by their
 * occurrence number (1, 2, …), counted in report order.
 */
export function createFingerprinter(cwd: string): (filePath: string, ruleId: string | null, message: string) => ProblemFingerprint {
  const seen = new Map<string, number>();
  return (filePath, ruleId, message) => {
    const hash = stableHash(projectPath(filePath, cwd), ruleId ?? '', message);
    const occurrence = (seen.get(hash) ?? 0) + 1;
    seen.set(hash, occurrence);
    return { hash, occurrence };
  };
}

/**
 * C0 and C1 control characters and DEL — a terminal escape, a bell, a backspace, a carriage return that would let a
 * line overwrite itself — but not the tab and line feed each format already handles its own way (split into lines,
 * escaped as %0A or &#10;).
 */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** The same and the line feed: for what must stay on one line (a file name). */
const CONTROL_OR_LINE_FEED = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;

function hexEscape(char: string): string {
  return `\\x${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`;
}

/**
 * Text from a repository (quoted tokens, messages) made inert for terminals and CI logs: control characters are
 * shown as `\xHH` (so nothing can move the cursor, ring, or return to the start of the line), and Azure's `##[`
 * command prefix is broken with a zero-width space. docs/security.md.
 */
export function inert(text: string): string {
  return text.replace(CONTROL, hexEscape).replaceAll('##[', '#\u200b#[');
}

/** A file name (or anything else that must stay one line) made inert: a line feed in it is shown as `\x0A` too. */
export function inertLine(text: string): string {
  return text.replace(CONTROL_OR_LINE_FEED, hexEscape).replaceAll('##[', '#\u200b#[');
}

/**
 * A JSON document made inert without changing what it parses to: JSON.stringify escapes C0 controls but writes DEL
 * and the C1 controls (U+009B is a terminal's CSI) as they are, and `##[` as it is. Both become `\uXXXX` escapes.
 */
export function inertJson(json: string): string {
  // Searched before replacing: a replace with a callback costs ~1.5 s on a 100 MB report even when nothing matches
  // (measured: 1.5 s against 0.05 s for the search alone), and almost no report holds one of these characters.
  const controls = C1_CONTROL.test(json) ? json.replace(C1_CONTROLS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
  return controls.includes('##[') ? controls.replaceAll('##[', '##\\u005b') : controls;
}

const C1_CONTROL = /[\u007f-\u009f]/;
const C1_CONTROLS = /[\u007f-\u009f]/g;

/**
 * A report whose lines a CI runner cannot take for commands: a line that starts with `::` once the runner trims its
 * indentation (GitHub's `::error file=…::`) gets a zero-width space after the first colon, and Azure's `##[` is
 * broken wherever it is.
 */
export function withoutCommandLines(report: string): string {
  return report.replace(/^(\s*):(?=:)/gm, '$1:\u200b').replaceAll('##[', '#\u200b#[');
}
