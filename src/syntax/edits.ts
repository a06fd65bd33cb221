/**
 * Helpers rules use to build fixes. A fix is a list of text edits on the ranges the parser recorded, never a
 * re-printed tree: everything the edit does not touch — comments, alignment, blank lines — stays byte for byte.
 * New lines follow the file's own style: its line break (CRLF stays CRLF) and its indentation (tabs stay tabs).
 *
 * Every helper returns `TextChange[]`, so a rule's fix is the concatenation of the helpers it calls; the fixer
 * applies one fix's changes together or not at all.
 */
import { indentationAt, type Directive, type SourceFile, type Token } from './ast.js';
import type { TextChange } from './text-changes.js';

/** A statement as rules hold it (a tree node) or as the parser made it: edits need only its directive. */
export type DirectiveOrNode = { readonly directive: Directive } | Directive;

/** What files that show no nesting of their own are indented with: nginx's own sample configs use 4 spaces. */
const DEFAULT_INDENT_UNIT = '    ';

function directiveOf(statement: DirectiveOrNode): Directive {
  return 'directive' in statement ? statement.directive : statement;
}

function isBlank(char: string | undefined): boolean {
  return char === ' ' || char === '\t';
}

function lineStartOf(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The offset of the line break (CR of a CRLF, or LF) that ends the line holding `offset`, or the text's end. */
function lineEndOf(text: string, offset: number): number {
  const lineFeed = text.indexOf('\n', offset);
  if (lineFeed === -1) return text.length;
  return lineFeed > offset && text[lineFeed - 1] === '\r' ? lineFeed - 1 : lineFeed;
}

/** The first offset at or after `offset` that is not a space or TAB. */
function skipBlanksForward(text: string, offset: number): number {
  let cursor = offset;
  while (isBlank(text[cursor])) cursor++;
  return cursor;
}

/** Where the run of spaces and TABs that ends at `offset` begins. */
function skipBlanksBackward(text: string, offset: number): number {
  let cursor = offset;
  while (isBlank(text[cursor - 1])) cursor--;
  return cursor;
}

function startsItsLine(text: string, offset: number): boolean {
  return skipBlanksBackward(text, offset) === lineStartOf(text, offset);
}

/** True when nothing but blanks, and possibly a comment, follows `offset` on its line. */
function restOfLineIsFree(text: string, offset: number): boolean {
  const next = text[skipBlanksForward(text, offset)];
  return next === undefined || next === '\n' || next === '\r' || next === '#';
}

function isOneLineBlock(block: Directive): boolean {
  const text = block.file.text;
  return lineStartOf(text, block.terminatorStart) === lineStartOf(text, block.blockEnd);
}

const indentUnitCache = new WeakMap<SourceFile, string>();

/**
 * The file's indentation step: the most common difference between a block's indentation and its children's.
 * A file with no nesting to learn from gets a TAB if it indents anything with TABs, else 4 spaces.
 */
export function indentUnit(file: SourceFile): string {
  const cached = indentUnitCache.get(file);
  if (cached !== undefined) return cached;

  const stepCounts = new Map<string, number>();
  let indentsWithTabs = false;
  // Iterative on purpose: hostile files nest deeper than the JavaScript stack allows.
  const pending: Array<{ directive: Directive; parentIndentation: string | null }> = file.directives.map((directive) => ({
    directive,
    parentIndentation: null,
  }));
  while (pending.length > 0) {
    const { directive, parentIndentation } = pending.pop()!;
    const indentation = startsItsLine(file.text, directive.start) ? indentationAt(file, directive.start) : null;
    if (indentation?.includes('\t')) indentsWithTabs = true;
    if (
      indentation !== null &&
      parentIndentation !== null &&
      indentation.length > parentIndentation.length &&
      indentation.startsWith(parentIndentation)
    ) {
      const step = indentation.slice(parentIndentation.length);
      stepCounts.set(step, (stepCounts.get(step) ?? 0) + 1);
    }
    for (const child of directive.children ?? []) pending.push({ directive: child, parentIndentation: indentation });
  }

  let unit = indentsWithTabs ? '\t' : DEFAULT_INDENT_UNIT;
  let bestCount = 0;
  for (const [step, count] of stepCounts) {
    if (count > bestCount) {
      unit = step;
      bestCount = count;
    }
  }
  indentUnitCache.set(file, unit);
  return unit;
}

/** The indentation a line holding this statement has, or would have if the statement began a line. */
function statementIndentation(directive: Directive): string {
  if (!startsItsLine(directive.file.text, directive.start) && directive.parent) return childIndentation(directive.parent);
  return indentationAt(directive.file, directive.start);
}

/** The indentation of statements inside `block`: that of its children where one begins a line, else one step in. */
function childIndentation(block: Directive): string {
  const text = block.file.text;
  const childOnItsOwnLine = block.children?.find((child) => startsItsLine(text, child.start));
  if (childOnItsOwnLine) return indentationAt(block.file, childOnItsOwnLine.start);
  return statementIndentation(block) + indentUnit(block.file);
}

/** Indents every non-empty line of a (possibly multi-line) statement and joins the lines with the file's EOL. */
function formatStatement(statement: string, indentation: string, eol: string): string {
  // Most statements are one line: no split and join made for them.
  if (!statement.includes('\n')) return statement === '' ? statement : indentation + statement;
  return statement
    .split(/\r?\n/)
    .map((line) => (line === '' ? line : indentation + line))
    .join(eol);
}

function newLines(statements: readonly string[], indentation: string, eol: string): string {
  if (statements.length === 1) return eol + formatStatement(statements[0]!, indentation, eol);
  return statements.map((statement) => eol + formatStatement(statement, indentation, eol)).join('');
}

/**
 * Puts `statements` on lines of their own after `anchor` (the end of a statement, or just after a `{`). When the
 * rest of the anchor's line is empty or a comment, the lines go after it, so a trailing comment stays with the
 * statement it explains; otherwise the line is broken before what follows, which keeps the indentation of a `}`
 * (`closingIndentation`) or of a following statement.
 */
function insertLinesAfter(
  file: SourceFile,
  anchor: number,
  statements: readonly string[],
  indentation: string,
  closingIndentation: string,
): TextChange {
  const text = file.text;
  const inserted = newLines(statements, indentation, file.eol);
  if (restOfLineIsFree(text, anchor)) {
    const lineEnd = lineEndOf(text, anchor);
    return { file, start: lineEnd, end: lineEnd, text: inserted };
  }
  const next = skipBlanksForward(text, anchor);
  const followingIndentation = text[next] === '}' ? closingIndentation : indentation;
  return { file, start: anchor, end: next, text: inserted + file.eol + followingIndentation };
}

/**
 * Rewrites a block written on one line (`location / { proxy_pass http://a; }`) to one statement per line and puts
 * `statements` in gap `gapIndex` (0: before the first child; `children.length`: after the last). Only the blanks
 * between items are replaced, so edits to the children themselves do not conflict with this one.
 */
function expandOneLineBlock(block: Directive, statements: readonly string[], gapIndex: number): TextChange[] {
  const { file } = block;
  const children = block.children ?? [];
  const indentation = childIndentation(block);
  const inserted = newLines(statements, indentation, file.eol);
  const changes: TextChange[] = [];
  for (let gap = 0; gap <= children.length; gap++) {
    const start = gap === 0 ? block.terminatorStart + 1 : children[gap - 1]!.end;
    const end = gap === children.length ? block.blockEnd : children[gap]!.start;
    const lineBreak = file.eol + (gap === children.length ? statementIndentation(block) : indentation);
    changes.push({ file, start, end, text: gap === gapIndex ? inserted + lineBreak : lineBreak });
  }
  return changes;
}

/** Replaces one token with `newRaw`, its new spelling (quote values with `quoteIfNeeded`). */
export function replaceToken(file: SourceFile, token: Token, newRaw: string): TextChange[] {
  return [{ file, start: token.start, end: token.end, text: newRaw }];
}

/**
 * The range that removes an argument: from the end of the token before it, or — when a comment lies in between and
 * must survive — from the blanks before the argument on its own line.
 */
function argumentRemovalStart(directive: Directive, previous: Token, argument: Token): number {
  const commentInBetween = directive.file.comments.some((comment) => comment.start >= previous.end && comment.start < argument.start);
  return commentInBetween ? skipBlanksBackward(directive.file.text, argument.start) : previous.end;
}

/**
 * Gives the statement the arguments `args` (raw spellings; quote values with `quoteIfNeeded`). Arguments are edited
 * one by one rather than as one range, so comments between them and a multi-line layout survive: surplus new
 * arguments are appended after the last existing one (or the name), surplus old ones are removed.
 */
export function replaceArgs(statement: DirectiveOrNode, args: readonly string[]): TextChange[] {
  const directive = directiveOf(statement);
  const { file, args: oldArgs } = directive;
  const changes: TextChange[] = [];
  const shared = Math.min(oldArgs.length, args.length);
  for (let index = 0; index < shared; index++) {
    const oldArg = oldArgs[index]!;
    if (oldArg.raw !== args[index]) changes.push(...replaceToken(file, oldArg, args[index]!));
  }
  if (args.length > oldArgs.length) {
    const last = oldArgs[oldArgs.length - 1] ?? directive.nameToken;
    changes.push({ file, start: last.end, end: last.end, text: ` ${args.slice(oldArgs.length).join(' ')}` });
  }
  for (let index = args.length; index < oldArgs.length; index++) {
    const previous = oldArgs[index - 1] ?? directive.nameToken;
    const argument = oldArgs[index]!;
    changes.push({ file, start: argumentRemovalStart(directive, previous, argument), end: argument.end, text: '' });
  }
  return changes;
}

/**
 * Adds `statement` (without indentation; it may span lines) on a new line after the given one, indented like it.
 * Inside a block written on one line, the block is first spread over several lines.
 */
export function insertStatementAfter(statement: DirectiveOrNode, newStatement: string): TextChange[] {
  const directive = directiveOf(statement);
  const parent = directive.parent;
  if (parent && isOneLineBlock(parent)) {
    return expandOneLineBlock(parent, [newStatement], parent.children!.indexOf(directive) + 1);
  }
  const closingIndentation = parent ? statementIndentation(parent) : '';
  return [insertLinesAfter(directive.file, directive.end, [newStatement], statementIndentation(directive), closingIndentation)];
}

/**
 * Adds `statements` at the start or end of a block, indented like the block's children (or one indentation step
 * deeper than the block when none begins a line). A block written on one line is spread over several lines.
 */
export function insertStatementsInBlock(block: DirectiveOrNode, statements: readonly string[], position: 'start' | 'end'): TextChange[] {
  const directive = directiveOf(block);
  const children = directive.children;
  if (children === null || directive.luaBody !== null || directive.blockEnd === -1) {
    throw new Error(`insertStatementsInBlock: "${directive.name}" is not a closed block of nginx statements`);
  }
  if (statements.length === 0) return [];
  if (isOneLineBlock(directive)) return expandOneLineBlock(directive, statements, position === 'start' ? 0 : children.length);

  const afterBrace = directive.terminatorStart + 1;
  const anchor = position === 'start' ? afterBrace : (children[children.length - 1]?.end ?? afterBrace);
  return [insertLinesAfter(directive.file, anchor, statements, childIndentation(directive), statementIndentation(directive))];
}

/**
 * Removes the statement: its whole line when it is alone there; otherwise just the statement and the blanks that
 * separate it from its neighbours. A comment after it on the same line is kept: it may not be about the statement.
 */
export function removeStatement(statement: DirectiveOrNode): TextChange[] {
  const directive = directiveOf(statement);
  const { file, start, end } = directive;
  const text = file.text;
  const blanksBefore = skipBlanksBackward(text, start);
  const lineStart = lineStartOf(text, start);
  if (blanksBefore > lineStart) return [{ file, start: blanksBefore, end, text: '' }];

  const afterBlanks = skipBlanksForward(text, end);
  const lineEnd = lineEndOf(text, end);
  if (afterBlanks < lineEnd) return [{ file, start, end: afterBlanks, text: '' }];

  if (lineEnd < text.length) {
    const nextLineStart = text.indexOf('\n', lineEnd) + 1;
    return [{ file, start: lineStart, end: nextLineStart, text: '' }];
  }
  // The last line has no line break of its own: take the one before it, so the file still ends the way it did.
  const previousLineEnd = lineStart === 0 ? 0 : lineStart - (text[lineStart - 2] === '\r' ? 2 : 1);
  return [{ file, start: previousLineEnd, end: text.length, text: '' }];
}

/** Characters that end or change a bare word in nginx's tokenizer, so a value holding them must be quoted. */
const NEEDS_QUOTES = /[ \t\r\n;{}"'\\]/;

/**
 * The spelling of an argument whose value nginx must see as `value`: bare when that is safe, else double-quoted
 * with `"` and `\` escaped (the two escapes nginx undoes inside a quoted string).
 */
export function quoteIfNeeded(value: string): string {
  if (value !== '' && !value.startsWith('#') && !NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}
