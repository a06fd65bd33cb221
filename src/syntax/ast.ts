/**
 * The positioned syntax tree of one nginx configuration file.
 *
 * Positions are stored as offsets into `SourceFile.text` (UTF-16 code units, as JavaScript strings index them);
 * line and column are derived on demand with `positionAt`, which keeps parsing cheap on huge files.
 * Every range is half-open: `start` is the first character, `end` the one after the last.
 */

export interface SourceFile {
  /** Absolute path (for `--stdin`, the `--stdin-filename` resolved against the working directory). */
  readonly path: string;
  readonly text: string;
  /** Top-level statements of the file, in source order. */
  readonly directives: Directive[];
  /** Every `#` comment of the file, in source order (also those inside blocks). */
  readonly comments: Comment[];
  /** Syntax errors, in source order. nginx stops at the first; we record it and recover where it is safe. */
  readonly errors: SyntaxError[];
  /** The line break the file mostly uses, so fixes can insert lines in the same style. */
  readonly eol: '\n' | '\r\n';
  /**
   * How the bytes were decoded: `utf8`, or `latin1` for files that are not valid UTF-8 (latin1 maps every byte to
   * one character, so writing a fix back with the same encoding changes no byte outside the edit).
   */
  encoding?: 'utf8' | 'latin1';
  /**
   * Set for files that cannot be fixed in place: cut out of an `nginx -T` dump, rendered from a template, or shipped
   * inside the nginx image.
   */
  virtual?: boolean;
  /**
   * For a rendered template: where each placeholder without a value stands in `text` (load/templates.ts). A
   * statement holding one is not judged on its value or arity.
   */
  placeholders?: readonly { readonly start: number; readonly end: number }[];
  /**
   * For config a shell writes (a Compose here-document): where a variable nginx was meant to read (`$host`) was
   * expanded to nothing by Compose or the shell before nginx saw the file, at `start` in `text`, as it was written.
   */
  expandedAway?: readonly { readonly start: number; readonly written: string }[];
  /** A file of the nginx image (`/etc/nginx/mime.types`): read for its context, never reported on. */
  fromImage?: boolean;
  /**
   * For config held inside another file (a key of a Kubernetes ConfigMap): that file. The text is positioned as in
   * it, so findings are reported there, at the same line and column; such a file is also `virtual` (never fixed).
   */
  embeddedIn?: string;
  /**
   * For rendered text (a template, a here-document): where it differs from the file as written, so that positions are
   * reported in the written file's columns. Lines are the same in both; in source order.
   */
  writtenSpans?: readonly WrittenSpan[];
  /** Offsets where each line starts; `lineStarts[0]` is 0. Built lazily by `positionAt`. */
  lineStarts?: Uint32Array;
}

/** A span of rendered text that stands for other written text (`8080` for `{{ .Values.port }}`, `$` for `$$`). */
export interface WrittenSpan {
  readonly renderedStart: number;
  readonly renderedEnd: number;
  /** The 0-based columns, in the written file, where the written text the span stands for starts and ends. */
  readonly writtenStartColumn: number;
  readonly writtenEndColumn: number;
}

export interface Token {
  /** The exact source spelling, quotes and backslashes included. */
  readonly raw: string;
  /** The value nginx sees: quotes removed, `\" \' \\ \t \r \n` unescaped. */
  readonly value: string;
  readonly quoted: boolean;
  readonly start: number;
  readonly end: number;
}

export interface Comment {
  /** The comment without its leading `#`. */
  readonly text: string;
  /** Offset of the `#`. */
  readonly start: number;
  /** Offset of the end of the line (the LF is not part of the comment). */
  readonly end: number;
  /** True when nothing but whitespace precedes the comment on its line. */
  readonly ownLine: boolean;
}

/**
 * One statement. The parser keeps a statement's words as offsets into the file and makes `nameToken`, `args` and
 * `luaBody` on each read: compare tokens by their offsets, not by identity, and read `args` once where it is used
 * many times.
 */
export interface Directive {
  readonly name: string;
  readonly nameToken: Token;
  readonly args: Token[];
  /** What ended the statement; null when the file ended first. */
  readonly terminator: ';' | '{' | null;
  /** Offset of the `;` or `{` (or of the end of file when `terminator` is null). */
  readonly terminatorStart: number;
  /** Statements inside the block, or null when the directive is not a block. Empty for Lua blocks. */
  readonly children: Directive[] | null;
  /** For `*_by_lua_block`: the raw Lua code between the braces. */
  readonly luaBody: Token | null;
  /** Offset of the closing `}` of a block, or -1 when the block is not closed. */
  readonly blockEnd: number;
  /** Offset of the first character of the name. */
  readonly start: number;
  /** Offset after the `;` or the closing `}`. */
  readonly end: number;
  readonly file: SourceFile;
  /** The enclosing block directive in the same file, or null at the top level. */
  readonly parent: Directive | null;
}

export interface SyntaxError {
  readonly message: string;
  /** Offset nginx's error refers to (its line is the one nginx prints). */
  readonly offset: number;
  /** The range to highlight: the whole statement where one exists. */
  readonly start: number;
  readonly end: number;
  /**
   * Where the `;` belongs, when the error is a statement read to a `}` or to the end of the file without one
   * (nginx: `unexpected "}"`, `unexpected end of file, expecting ";" or "}"`): the offset after its last word, and
   * that word as written.
   */
  readonly missingSemicolon?: MissingSemicolon;
}

/** Where a statement's `;` belongs: after the word `after`, which ends at offset `at`. */
export interface MissingSemicolon {
  readonly at: number;
  readonly after: string;
}

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

export interface Span {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

function lineStartsOf(file: SourceFile): Uint32Array {
  if (file.lineStarts) return file.lineStarts;
  // Two scans for the line breaks, one to count and one to fill: a growing array of a million offsets costs four
  // times as much (its copies are garbage), and a typed array is half the memory and never scanned by the GC.
  const text = file.text;
  let count = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  const starts = new Uint32Array(count);
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) starts[line++] = index + 1;
  file.lineStarts = starts;
  return starts;
}

/** The 0-based index of the line holding `offset` (clamped to the text). */
function lineIndexAt(starts: Uint32Array, offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (starts[mid]! <= offset) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** The position of `offset` in the file as written: in rendered text, columns are those of the written line. */
export function positionAt(file: SourceFile, offset: number): Position {
  const starts = lineStartsOf(file);
  const clamped = Math.max(0, Math.min(offset, file.text.length));
  const index = lineIndexAt(starts, clamped);
  const spans = file.writtenSpans;
  return {
    line: index + 1,
    column: (spans && spans.length > 0 ? writtenColumn(spans, starts, index, clamped) : null) ?? clamped - starts[index]! + 1,
  };
}

/**
 * The 1-based written column of rendered `offset` on line `index`, from the last span that starts at or before it:
 * inside the span, where its written text starts; after it on the line it ends on, counted from where that ends.
 * Null when no span touches the line before `offset`.
 */
function writtenColumn(spans: readonly WrittenSpan[], starts: Uint32Array, index: number, offset: number): number | null {
  let low = 0;
  let high = spans.length - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (spans[mid]!.renderedStart <= offset) {
      found = mid;
      low = mid + 1;
    } else high = mid - 1;
  }
  if (found === -1) return null;
  const span = spans[found]!;
  if (offset < span.renderedEnd) return lineIndexAt(starts, span.renderedStart) === index ? span.writtenStartColumn + 1 : null;
  return lineIndexAt(starts, span.renderedEnd) === index ? span.writtenEndColumn + (offset - span.renderedEnd) + 1 : null;
}

/** The 1-based line of `offset`: `positionAt(file, offset).line` without the position. */
export function lineAt(file: SourceFile, offset: number): number {
  return lineIndexAt(lineStartsOf(file), Math.max(0, Math.min(offset, file.text.length))) + 1;
}

export function offsetAt(file: SourceFile, position: Position): number {
  const starts = lineStartsOf(file);
  const lineStart = starts[Math.min(position.line, starts.length) - 1] ?? 0;
  return Math.min(lineStart + position.column - 1, file.text.length);
}

/** The whitespace that begins the line holding `offset`. */
export function indentationAt(file: SourceFile, offset: number): string {
  const { text } = file;
  const lineStart = lineStartsOf(file)[lineAt(file, offset) - 1]!;
  // Up to `offset` as slice reads it (a negative one counts from the end), without a match array made per call.
  const end = offset < 0 ? Math.max(text.length + offset, 0) : Math.min(offset, text.length);
  let cursor = lineStart;
  while (cursor < end && (text.charCodeAt(cursor) === SPACE || text.charCodeAt(cursor) === TAB)) cursor++;
  return text.slice(lineStart, cursor);
}

const SPACE = 0x20;
const TAB = 0x09;
