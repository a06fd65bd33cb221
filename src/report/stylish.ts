/**
 * The default, human-facing format, modelled on ESLint's "stylish": problems grouped under each file,
 * `line:col` aligned on the colon, severity, message and rule id in columns.
 *
 * Unlike ESLint, paths are shown relative to the working directory (files outside it keep their
 * absolute path): nginx trees are deep and the relative path is the one a person types next.
 * Each message's include chain follows on its own line, and the documentation link of every rule
 * that fired is listed once before the summary. A clean run prints nothing.
 */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import picocolors from 'picocolors';
import type { LintMessage, LintResult } from '../lint/results.js';
import { dataFile } from '../package-info.js';
import type { FormatterContext } from './index.js';
import {
  describeTotals,
  firedRuleIds,
  inert,
  inertLine,
  type IncludeSite,
  withoutCommandLines,
  parseIncludeSite,
  pluralize,
  projectPath,
  severityLabel,
  sumTotals,
  toPosix,
} from './shared.js';

/** Width of the severity column: the length of "warning". */
const SEVERITY_WIDTH = 7;
const COLUMN_GAP = '  ';
const INDENT = '  ';
/** Used when the output is not a terminal (a file, a pipe, CI logs). */
const DEFAULT_WIDTH = 120;
const MIN_TEXT_WIDTH = 40;

type Colors = ReturnType<typeof picocolors.createColors>;

export function formatStylish(results: readonly LintResult[], context: FormatterContext): string {
  const colors = picocolors.createColors(context.color);
  const sections = results.filter((result) => result.messages.length > 0).map((result) => formatFile(result, context, colors));
  if (sections.length === 0) return '';

  const docsSection = formatRuleDocs(results, context, colors);
  if (docsSection) sections.push(docsSection);
  sections.push(formatSummary(results, colors));
  const versions = describeVersions(results);
  if (versions) sections[sections.length - 1] += `\n${colors.dim(versions)}`;
  return withoutCommandLines(`${sections.join('\n\n')}\n`);
}

function formatFile(result: LintResult, context: FormatterContext, colors: Colors): string {
  // A loop, not Math.max(...): a spread of hundreds of thousands of messages overflows the call stack.
  let lineWidth = 0;
  let columnWidth = 0;
  for (const message of result.messages) {
    lineWidth = Math.max(lineWidth, String(message.line).length);
    columnWidth = Math.max(columnWidth, String(message.column).length);
  }
  // Continuation lines (a wrapped message, the include chain) start under the message column.
  const indentWidth = INDENT.length + lineWidth + 1 + columnWidth + COLUMN_GAP.length + SEVERITY_WIDTH + COLUMN_GAP.length;
  const continuationIndent = ' '.repeat(indentWidth);
  // Messages here explain cause, status and log line, so they are long: wrap them rather than pad a column.
  const textWidth = Math.max(MIN_TEXT_WIDTH, (context.width ?? DEFAULT_WIDTH) - indentWidth);

  // The file's lines, split once for all its messages' code frames (once per message was quadratic).
  const source = context.source?.(result.filePath);
  const sourceLines = source === undefined ? undefined : source.split(/\r?\n/);
  const lines = [colors.underline(inertLine(projectPath(result.filePath, context.cwd)))];
  for (const message of result.messages) {
    const position = `${String(message.line).padStart(lineWidth)}:${String(message.column).padEnd(columnWidth)}`;
    const ruleSuffix = message.ruleId ? `${COLUMN_GAP}${colors.dim(message.ruleId)}` : '';
    const wrapped = message.message.split(/\r?\n/).flatMap((paragraph) => wrap(inert(paragraph), textWidth));
    wrapped[wrapped.length - 1] += ruleSuffix;
    lines.push(`${INDENT}${colors.dim(position)}${COLUMN_GAP}${colorSeverity(message, colors)}${COLUMN_GAP}${wrapped[0]}`);
    for (const continuation of wrapped.slice(1)) lines.push(`${continuationIndent}${continuation}`);
    if (message.includedFrom?.length) {
      lines.push(`${continuationIndent}${colors.dim(describeIncludeChain(message.includedFrom, context.cwd))}`);
    }
    if (sourceLines !== undefined && message.line >= 1) lines.push(...codeFrame(sourceLines, message, continuationIndent, colors));
    for (const suggestion of message.suggestions ?? []) {
      for (const line of wrap(`suggestion: ${inert(suggestion.desc)}`, textWidth)) lines.push(`${continuationIndent}${colors.dim(line)}`);
    }
    if (message.fix && message.fixSafety === 'unsafe') lines.push(`${continuationIndent}${colors.dim('unsafe fix: applied only with --fix-unsafe')}`);
    if (context.verbose && message.detail) {
      for (const line of wrap(inert(message.detail), textWidth)) lines.push(`${continuationIndent}${line}`);
    }
  }
  return lines.join('\n');
}

/**
 * The finding's line with the one before it, and a caret under its column, as ESLint's codeframe and rustc show them:
 * the reader sees the statement without opening the file.
 */
function codeFrame(lines: readonly string[], message: LintMessage, indent: string, colors: Colors): string[] {
  const at = message.line - 1;
  if (at >= lines.length) return [];
  const numberWidth = String(message.line).length;
  const row = (index: number, marker: string) =>
    `${indent}${marker} ${String(index + 1).padStart(numberWidth)} | ${inert(lines[index]!.replace(/\t/g, ' '))}`;
  const frame = at > 0 && lines[at - 1]!.trim() !== '' ? [colors.dim(row(at - 1, ' '))] : [];
  frame.push(row(at, colors.red('>')));
  frame.push(`${indent}  ${' '.repeat(numberWidth)} | ${' '.repeat(Math.max(0, message.column - 1))}${colors.red('^')}`);
  return frame;
}

/** Greedy word wrap; a word longer than the width (a path, a URL) stays whole on its own line. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  lines.push(current);
  return lines;
}

function colorSeverity(message: LintMessage, colors: Colors): string {
  const label = severityLabel(message.severity).padEnd(SEVERITY_WIDTH);
  return message.severity === 2 ? colors.red(label) : colors.yellow(label);
}

/**
 * `↳ included from conf.d/sites.conf:4, from nginx.conf:31`: the nearest include first, the way gcc
 * reports header chains, because that is the line to look at. `includedFrom` itself is outermost first.
 */
function describeIncludeChain(includedFrom: readonly string[], cwd: string): string {
  const sites = includedFrom
    .map((entry) => {
      const site = parseIncludeSite(entry);
      return inertLine(site ? includeSiteText(site, cwd) : entry);
    })
    .reverse();
  return `↳ included from ${sites.join(', from ')}`;
}

/**
 * An include of the chain where the reader knows it: in a file of the nginx image (its own nginx.conf includes a
 * config mounted into conf.d/), by the file's path in the image, not by where nginx-lint keeps its copy.
 */
function includeSiteText(site: IncludeSite, cwd: string): string {
  const inImage = path.relative(dataFile('nginx-image'), site.filePath);
  if (inImage !== '' && !inImage.startsWith('..') && !path.isAbsolute(inImage)) return `/etc/nginx/${toPosix(inImage)}:${site.line} (nginx image)`;
  return `${projectPath(site.filePath, cwd)}:${site.line}`;
}

function formatRuleDocs(results: readonly LintResult[], context: FormatterContext, colors: Colors): string {
  const documented = firedRuleIds(results).flatMap((ruleId) => {
    const docs = context.rules.get(ruleId);
    return docs?.url ? [{ ruleId, url: docs.url }] : [];
  });
  if (documented.length === 0) return '';
  const idWidth = Math.max(...documented.map(({ ruleId }) => ruleId.length));
  // A page inside the installed package reads better, and the same on every machine, as a path from here.
  const shown = (url: string) => (url.startsWith('file:') ? projectPath(fileURLToPath(url), context.cwd) : url);
  const rows = documented.map(({ ruleId, url }) => `${INDENT}${ruleId.padEnd(idWidth)}${COLUMN_GAP}${colors.dim(shown(url))}`);
  return ['Rule docs:', ...rows].join('\n');
}

/** `Checked against nginx 1.27.5 (compose.yaml:3 image nginx:1.27-alpine).`: one line, every version used. */
function describeVersions(results: readonly LintResult[]): string | null {
  // One entry per version, with where the first file checked against it got it from.
  const used = new Map<string, string>();
  for (const result of results)
    if (result.nginxVersion && !used.has(result.nginxVersion.version)) used.set(result.nginxVersion.version, result.nginxVersion.origin);
  if (used.size === 0) return null;
  return `${INDENT}Checked against nginx ${[...used].map(([version, origin]) => `${version} (${origin})`).join('; ')}.`;
}

function formatSummary(results: readonly LintResult[], colors: Colors): string {
  const totals = sumTotals(results);
  const color = totals.errorCount > 0 ? colors.red : colors.yellow;
  const lines = [colors.bold(color(`✖ ${describeTotals(totals)}`))];
  if (totals.fixableErrorCount > 0 || totals.fixableWarningCount > 0) {
    const fixable = `${pluralize(totals.fixableErrorCount, 'error')} and ${pluralize(totals.fixableWarningCount, 'warning')}`;
    lines.push(color(`${INDENT}${fixable} potentially fixable with the \`--fix\` option.`));
  }
  return lines.join('\n');
}
