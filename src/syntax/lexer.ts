/**
 * A tokenizer that follows nginx's own `ngx_conf_read_token` (src/core/ngx_conf_file.c) rule for rule, because a
 * linter that splits words differently from nginx reports problems nginx does not have and misses the ones it has.
 * The rules, each checked against real `nginx -t`:
 * - whitespace is space, TAB, CR and LF (so CRLF files work);
 * - `#` starts a comment only at the start of a token; inside a word it is literal;
 * - a bare word ends at whitespace, `;` or `{` — a `}` inside a word is literal;
 * - `{` right after `$` stays in the word (`${var}`);
 * - a quote opens a string only at token start, and the closing quote must be followed by whitespace, `;`, `{`
 *   or `)`;
 * - a backslash escapes the next character; `\" \' \\ \t \r \n` are unescaped in the value nginx sees;
 * - a token (comments included) must fit nginx's 4096-byte read buffer, or nginx fails with "too long parameter".
 */
import type { Comment, Token } from './ast.js';

export const enum StatementEnd {
  /** `;` ended the statement. */
  Semicolon,
  /** `{` ended the statement: a block follows. */
  BlockStart,
  /** `}` closed the enclosing block (no arguments were pending). */
  BlockEnd,
  /** The text ended with no statement pending. */
  EndOfFile,
  /** A syntax error; see `Lexer.error`. */
  Error,
}

export interface LexError {
  readonly message: string;
  /** Where nginx's line number points. */
  readonly offset: number;
}

/**
 * NGX_CONF_BUFFER. nginx reads the file through a buffer of this size; on each refill it keeps the bytes from its
 * `start` pointer on, and fails with "too long parameter" once those no longer fit. `start` moves to each character
 * read between tokens (whitespace included), to the `#` of a comment, to the first character of a word and to the
 * character after an opening quote — and not before the character that follows the token has been read. So the
 * limit also counts a comment, the closing quote and the one character after a token; checked with nginx 1.22.1.
 */
const CONF_BUFFER_BYTES = 4096;
/** One UTF-16 unit encodes to at most 3 UTF-8 bytes, so fewer units than this after the anchor cannot overflow. */
const UNITS_THAT_ALWAYS_FIT = Math.floor(CONF_BUFFER_BYTES / 3);

const SPACE = 0x20;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;
const SEMICOLON = 0x3b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const HASH = 0x23;
const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const DOLLAR = 0x24;
const CLOSE_PAREN = 0x29;

function isSpace(code: number): boolean {
  return code === SPACE || code === TAB || code === CR || code === LF;
}

/** Applies nginx's unescaping to a token's characters (without its quotes); most tokens come back as they are. */
function unescape(token: string): string {
  if (!token.includes('\\')) return token;
  let value = '';
  let index = 0;
  while (index < token.length) {
    const code = token.charCodeAt(index);
    if (code === BACKSLASH && index + 1 < token.length) {
      const next = token[index + 1];
      if (next === '"' || next === "'" || next === '\\') {
        value += next;
        index += 2;
        continue;
      }
      if (next === 't' || next === 'r' || next === 'n') {
        value += next === 't' ? '\t' : next === 'r' ? '\r' : '\n';
        index += 2;
        continue;
      }
    }
    value += token[index];
    index++;
  }
  return value;
}

/** nginx quotes the first bytes of the token with `%*s`, which can cut a character in two, as this does. */
function firstBytes(text: string, count: number): string {
  return Buffer.from(text, 'utf8').subarray(0, count).toString('utf8');
}

/**
 * Where a run of spaces, TABs and CRs that starts at `from` ends. LF is left to the caller, which notes each new line.
 * Indentation is a large part of most files; this reads it without the full step per character.
 */
function blankRunEnd(text: string, from: number, length: number): number {
  let pos = from;
  while (pos < length) {
    const code = text.charCodeAt(pos);
    if (code !== SPACE && code !== TAB && code !== CR) break;
    pos++;
  }
  return pos;
}

/**
 * Where a run of characters that can neither end a bare word nor change how it is read stops (any control
 * character, blank, `;`, `{`, `\` or `$` stops it), looking no further than `limit`.
 */
function bareWordRunEnd(text: string, from: number, limit: number): number {
  let pos = from;
  while (pos < limit) {
    const code = text.charCodeAt(pos);
    if (code <= SPACE || code === SEMICOLON || code === OPEN_BRACE || code === BACKSLASH || code === DOLLAR) break;
    pos++;
  }
  return pos;
}

/** The UTF-8 bytes of one UTF-16 unit, as nginx counts the file's bytes. */
function utf8Width(code: number): number {
  if (code < 0x80) return 1;
  // A surrogate pair is 4 bytes: 2 for each half.
  if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return 2;
  return 3;
}

/**
 * The words of one text as offsets and lengths, in the order read: six bytes a word where `Token` objects would
 * cost an object and one or two strings each, most of the memory of a parsed file (a 1M-line configuration has 2.3
 * million words). `token` makes the object when it is asked for.
 */
export class TokenTable {
  private starts: Int32Array;
  /** A word fits nginx's read buffer (CONF_BUFFER_BYTES), or the lexer stops with "too long parameter". */
  private lengths: Uint16Array;
  /** How many words the table holds. */
  length = 0;

  constructor(readonly text: string) {
    // Configurations have about one word per ten characters; the room left over is given back by `trim`.
    const capacity = Math.max(16, text.length >> 3);
    this.starts = new Int32Array(capacity);
    this.lengths = new Uint16Array(capacity);
  }

  add(start: number, end: number): void {
    if (this.length === this.starts.length) {
      const starts = new Int32Array(this.length * 2);
      const lengths = new Uint16Array(this.length * 2);
      starts.set(this.starts);
      lengths.set(this.lengths);
      this.starts = starts;
      this.lengths = lengths;
    }
    this.starts[this.length] = start;
    this.lengths[this.length] = end - start;
    this.length++;
  }

  /** Drops the room reserved for words that never came, once the text is read. */
  trim(): void {
    this.starts = this.starts.slice(0, this.length);
    this.lengths = this.lengths.slice(0, this.length);
  }

  start(index: number): number {
    return this.starts[index]!;
  }

  end(index: number): number {
    return this.starts[index]! + this.lengths[index]!;
  }

  /** A quote opens a string only at the start of a word, and such a word ends at its closing quote. */
  quoted(index: number): boolean {
    const first = this.text.charCodeAt(this.starts[index]!);
    return first === DOUBLE_QUOTE || first === SINGLE_QUOTE;
  }

  /** The word as written, quotes and backslashes included. */
  raw(index: number): string {
    return this.text.slice(this.start(index), this.end(index));
  }

  value(index: number): string {
    return valueOf(this.text.slice(this.start(index), this.end(index)), this.quoted(index));
  }

  token(index: number): Token {
    const start = this.start(index);
    const end = this.end(index);
    const raw = this.text.slice(start, end);
    const quoted = this.quoted(index);
    return new SourceToken(raw, valueOf(raw, quoted), quoted, start, end);
  }
}

/**
 * A class rather than an object literal: V8 starts allocating a literal's objects straight into the old generation
 * once most of them outlive a collection, and while the model keeps a few tokens (an upstream server's address), the
 * many made for a single read are garbage at once.
 */
class SourceToken implements Token {
  constructor(
    readonly raw: string,
    readonly value: string,
    readonly quoted: boolean,
    readonly start: number,
    readonly end: number,
  ) {}
}

/** The value nginx sees of a word spelt `raw`; the same string when nothing is unquoted or unescaped. */
function valueOf(raw: string, quoted: boolean): string {
  return unescape(quoted ? raw.slice(1, -1) : raw);
}

/**
 * Reads one statement at a time: the words up to the `;`, `{` or `}` that ends it, appended to `tokens`. Comments
 * are collected on the side so suppression comments and fixes can see them.
 */
export class Lexer {
  readonly text: string;
  pos = 0;
  readonly tokens: TokenTable;
  /** Index in `tokens` of the first word of the statement read by the last `readStatement`. */
  firstWord = 0;
  /** Offset of the character that ended the last statement. */
  endOffset = 0;
  error: LexError | null = null;
  readonly comments: Comment[] = [];
  /** Whether a token was seen on the current line, to tell whether a comment has its line to itself. */
  private lineHasToken = false;
  /** UTF-8 bytes counted from `measuredAnchor` up to `measuredEnd`, so a long token is measured only once. */
  private measuredAnchor = -1;
  private measuredEnd = 0;
  private measuredBytes = 0;

  constructor(text: string) {
    this.text = text;
    this.tokens = new TokenTable(text);
  }

  readStatement(): StatementEnd {
    const text = this.text;
    const length = text.length;
    const tokens = this.tokens;
    const firstWord = tokens.length;
    this.firstWord = firstWord;
    let lastSpace = true;
    let needSpace = false;
    let variable = false;
    let doubleQuoted = false;
    let singleQuoted = false;
    let tokenStart = 0;
    let pos = this.pos;
    /** nginx's `start`: what must still fit in its buffer when it reads the next character. */
    let anchor = pos;

    while (true) {
      if (pos >= length) {
        this.pos = length;
        this.endOffset = length;
        // A character skipped after a backslash was not measured when it was passed.
        if (length > anchor && this.overflowsBuffer(anchor, length - 1)) {
          return this.tooLong(anchor, tokenStart, doubleQuoted || singleQuoted);
        }
        if (tokens.length > firstWord || !lastSpace) {
          return this.fail('unexpected end of file, expecting ";" or "}"', length);
        }
        return StatementEnd.EndOfFile;
      }

      if (pos - anchor >= UNITS_THAT_ALWAYS_FIT && this.overflowsBuffer(anchor, pos)) {
        this.pos = pos;
        return this.tooLong(anchor, tokenStart, doubleQuoted || singleQuoted);
      }
      const code = text.charCodeAt(pos);
      pos++;

      if (code === LF) this.lineHasToken = false;

      if (needSpace) {
        if (isSpace(code)) {
          lastSpace = true;
          needSpace = false;
          continue;
        }
        if (code === SEMICOLON) return this.finish(pos, StatementEnd.Semicolon);
        if (code === OPEN_BRACE) return this.finish(pos, StatementEnd.BlockStart);
        if (code === CLOSE_PAREN) {
          lastSpace = true;
          needSpace = false;
        } else {
          this.pos = pos;
          // Whole characters, where nginx prints the first byte: a lone surrogate would make the message invalid.
          return this.fail(`unexpected "${String.fromCodePoint(text.codePointAt(pos - 1)!)}"`, pos - 1);
        }
      }

      if (lastSpace) {
        if (isSpace(code)) {
          pos = blankRunEnd(text, pos, length);
          anchor = pos - 1;
          continue;
        }
        anchor = pos - 1;
        tokenStart = pos - 1;
        switch (code) {
          case SEMICOLON:
          case OPEN_BRACE:
            if (tokens.length === firstWord) {
              this.pos = pos;
              return this.fail(`unexpected "${text[pos - 1]}"`, pos - 1);
            }
            return this.finish(pos, code === OPEN_BRACE ? StatementEnd.BlockStart : StatementEnd.Semicolon);
          case CLOSE_BRACE:
            if (tokens.length !== firstWord) {
              this.pos = pos;
              return this.fail('unexpected "}"', pos - 1);
            }
            return this.finish(pos, StatementEnd.BlockEnd);
          case HASH: {
            const lineEnd = text.indexOf('\n', pos);
            const commentEnd = lineEnd === -1 ? length : lineEnd;
            const end = commentEnd > pos && text.charCodeAt(commentEnd - 1) === CR ? commentEnd - 1 : commentEnd;
            this.comments.push({ text: text.slice(pos, end), start: pos - 1, end, ownLine: !this.lineHasToken });
            // nginx reads the comment under this anchor too: a comment line longer than its buffer is fatal.
            if (this.overflowsBuffer(anchor, commentEnd - 1)) {
              this.pos = commentEnd;
              return this.tooLong(anchor, tokenStart, false);
            }
            pos = commentEnd;
            continue;
          }
          case BACKSLASH:
            pos++;
            lastSpace = false;
            break;
          case DOUBLE_QUOTE:
            doubleQuoted = true;
            lastSpace = false;
            anchor = pos;
            break;
          case SINGLE_QUOTE:
            singleQuoted = true;
            lastSpace = false;
            anchor = pos;
            break;
          case DOLLAR:
            variable = true;
            lastSpace = false;
            break;
          default:
            lastSpace = false;
        }
        this.lineHasToken = true;
        continue;
      }

      if (code === OPEN_BRACE && variable) continue;
      variable = false;
      if (code === BACKSLASH) {
        pos++;
        continue;
      }
      if (code === DOLLAR) {
        variable = true;
        continue;
      }

      let found = false;
      let quoted = false;
      if (doubleQuoted) {
        if (code === DOUBLE_QUOTE) {
          doubleQuoted = false;
          needSpace = true;
          found = true;
          quoted = true;
        }
      } else if (singleQuoted) {
        if (code === SINGLE_QUOTE) {
          singleQuoted = false;
          needSpace = true;
          found = true;
          quoted = true;
        }
      } else if (isSpace(code) || code === SEMICOLON || code === OPEN_BRACE) {
        lastSpace = true;
        found = true;
      }

      if (!found) {
        // The rest of the word, up to where the buffer check is due: most of a file is read here.
        if (!doubleQuoted && !singleQuoted) pos = bareWordRunEnd(text, pos, Math.min(length, anchor + UNITS_THAT_ALWAYS_FIT));
        continue;
      }

      tokens.add(tokenStart, quoted ? pos : pos - 1);
      if (code === SEMICOLON) return this.finish(pos, StatementEnd.Semicolon);
      if (code === OPEN_BRACE) return this.finish(pos, StatementEnd.BlockStart);
    }
  }

  /** Whether the text from `anchor` through the character at `last` is more than nginx's buffer holds. */
  private overflowsBuffer(anchor: number, last: number): boolean {
    if (last - anchor < UNITS_THAT_ALWAYS_FIT) return false;
    if (anchor !== this.measuredAnchor || this.measuredEnd > last + 1) {
      this.measuredAnchor = anchor;
      this.measuredEnd = anchor;
      this.measuredBytes = 0;
    }
    const text = this.text;
    while (this.measuredEnd <= last) this.measuredBytes += utf8Width(text.charCodeAt(this.measuredEnd++));
    return this.measuredBytes > CONF_BUFFER_BYTES;
  }

  private tooLong(anchor: number, tokenStart: number, inQuotes: boolean): StatementEnd {
    const message = inQuotes
      ? `too long parameter, probably missing terminating "${this.text[tokenStart]}" character`
      : `too long parameter "${firstBytes(this.text.slice(anchor, anchor + 10), 10)}..." started`;
    return this.fail(message, tokenStart);
  }

  private finish(pos: number, end: StatementEnd): StatementEnd {
    this.pos = pos;
    this.endOffset = pos - 1;
    return end;
  }

  private fail(message: string, offset: number): StatementEnd {
    this.error = { message, offset };
    this.endOffset = offset;
    return StatementEnd.Error;
  }
}
