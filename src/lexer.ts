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
 * - one parameter may hold at most 4096 bytes.
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

/** NGX_CONF_BUFFER: nginx reads configuration through a buffer of this size, which bounds one parameter. */
const MAX_PARAMETER_BYTES = 4096;

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

/** Applies nginx's unescaping to the characters of a token between `start` and `end`. */
function unescape(text: string, start: number, end: number): string {
  const firstBackslash = text.indexOf('\\', start);
  if (firstBackslash === -1 || firstBackslash >= end) return text.slice(start, end);
  let value = '';
  let index = start;
  while (index < end) {
    const code = text.charCodeAt(index);
    if (code === BACKSLASH && index + 1 < end) {
      const next = text[index + 1];
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
    value += text[index];
    index++;
  }
  return value;
}

function utf8Length(text: string, start: number, end: number): number {
  // Every UTF-16 unit takes at most 3 UTF-8 bytes, so short tokens need no exact count.
  if ((end - start) * 3 < MAX_PARAMETER_BYTES) return end - start;
  return Buffer.byteLength(text.slice(start, end), 'utf8');
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

    while (true) {
      if (pos >= length) {
        this.pos = pos;
        this.endOffset = length;
        if ((doubleQuoted || singleQuoted) && utf8Length(text, tokenStart, length) >= MAX_PARAMETER_BYTES) {
          const quote = doubleQuoted ? '"' : "'";
          return this.fail(`too long parameter, probably missing terminating "${quote}" character`, tokenStart);
        }
        if (words.length > 0 || !lastSpace) {
          return this.fail('unexpected end of file, expecting ";" or "}"', length);
        }
        return StatementEnd.EndOfFile;
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
          return this.fail(`unexpected "${text[pos - 1]}"`, pos - 1);
        }
      }

      if (lastSpace) {
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
            break;
          case SINGLE_QUOTE:
            singleQuoted = true;
            lastSpace = false;
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
      if (utf8Length(text, tokenStart, tokenEnd) >= MAX_PARAMETER_BYTES) {
        this.pos = pos;
        return this.fail(`too long parameter "${text.slice(tokenStart, tokenStart + 10)}..." started`, tokenStart);
      }
      words.push({
        raw: text.slice(tokenStart, tokenEnd),
        value: unescape(text, quoted ? tokenStart + 1 : tokenStart, pos - 1),
        quoted,
        start: tokenStart,
        end: tokenEnd,
      });
      if (code === SEMICOLON) return this.finish(pos, StatementEnd.Semicolon);
      if (code === OPEN_BRACE) return this.finish(pos, StatementEnd.BlockStart);
    }
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
