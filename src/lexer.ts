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

/** The UTF-8 bytes of one UTF-16 unit, as nginx counts the file's bytes. */
function utf8Width(code: number): number {
  if (code < 0x80) return 1;
  // A surrogate pair is 4 bytes: 2 for each half.
  if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff)) return 2;
  return 3;
}

/**
 * Reads one statement at a time: the words up to the `;`, `{` or `}` that ends it. Comments are collected on the
 * side so suppression comments and fixes can see them.
 */
export class Lexer {
  readonly text: string;
  pos = 0;
  /** The words of the statement read by the last `readStatement`. */
  words: Token[] = [];
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
  }

  readStatement(): StatementEnd {
    const text = this.text;
    const length = text.length;
    const words: Token[] = [];
    this.words = words;
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
        if (words.length > 0 || !lastSpace) {
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
        anchor = pos - 1;
        if (isSpace(code)) continue;
        tokenStart = pos - 1;
        switch (code) {
          case SEMICOLON:
          case OPEN_BRACE:
            if (words.length === 0) {
              this.pos = pos;
              return this.fail(`unexpected "${text[pos - 1]}"`, pos - 1);
            }
            return this.finish(pos, code === OPEN_BRACE ? StatementEnd.BlockStart : StatementEnd.Semicolon);
          case CLOSE_BRACE:
            if (words.length !== 0) {
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

      if (!found) continue;

      const tokenEnd = quoted ? pos : pos - 1;
      const raw = text.slice(tokenStart, tokenEnd);
      words.push({
        raw,
        // Sharing the string when nothing is unescaped saves an allocation for most tokens of a large file.
        value: unescape(quoted ? raw.slice(1, -1) : raw),
        quoted,
        start: tokenStart,
        end: tokenEnd,
      });
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
