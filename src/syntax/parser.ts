/**
 * Builds the positioned tree of one file from the lexer's statements, the way `ngx_conf_parse` does: a statement
 * ended by `{` opens a block, `}` closes it, and the first syntax error stops the file (nginx reports only that
 * one, and everything after it would be guesswork).
 */
import type { Comment, Directive, MissingSemicolon, SourceFile, SyntaxError, Token } from './ast.js';
import { Lexer, StatementEnd, type TokenTable } from './lexer.js';
import { scanLuaBlock } from './lua-block.js';

/**
 * Blocks whose body a module reads line by line through `cf->handler` (`types`, `map`, `geo`, `split_clients`,
 * `charset_map`, in http and stream alike). ngx_conf_parse rejects any `{` inside them with `unexpected "{"`, which
 * is what a `map` missing its `}` before the next `server {` gets.
 */
const LINE_BODY_BLOCKS = new Set(['types', 'map', 'geo', 'split_clients', 'charset_map']);

/** lua-nginx-module hands the body of these directives to its own Lua-aware scanner. */
function isLuaBlockDirective(name: string): boolean {
  return name.endsWith('_by_lua_block');
}

/** A file as the parser builds it: its directives read their words from `tokens`. */
interface ParsedFile extends SourceFile {
  readonly tokens: TokenTable;
}

/**
 * A statement as the parser keeps it: a few numbers and references, its words left in the file's token table.
 * `nameToken`, `args` and `luaBody` are made on each read, so a large configuration does not hold an object and one
 * or two strings per word.
 */
abstract class ParsedDirective implements Directive {
  abstract readonly children: Directive[] | null;
  abstract readonly blockEnd: number;

  constructor(
    readonly name: string,
    readonly file: ParsedFile,
    readonly parent: ParsedBlock | null,
    /** Index of the name in the file's token table; the arguments follow it. */
    private readonly nameIndex: number,
    private readonly argCount: number,
    readonly terminatorStart: number,
  ) {}

  get nameToken(): Token {
    return this.file.tokens.token(this.nameIndex);
  }

  get args(): Token[] {
    const args = new Array<Token>(this.argCount);
    for (let index = 0; index < this.argCount; index++) args[index] = this.file.tokens.token(this.nameIndex + 1 + index);
    return args;
  }

  get argumentCount(): number {
    return this.argCount;
  }

  /** The value of argument `index`, read from the token table without making a token. */
  argumentValue(index: number): string {
    return this.file.tokens.value(this.nameIndex + 1 + index);
  }

  /** The spelling of argument `index`, read from the token table without making a token. */
  argumentRaw(index: number): string {
    return this.file.tokens.raw(this.nameIndex + 1 + index);
  }

  /** The token of argument `index`, without making those of the others. */
  argumentToken(index: number): Token {
    return this.file.tokens.token(this.nameIndex + 1 + index);
  }

  /** The arguments' values, read from the token table without making tokens. */
  argumentValues(): string[] {
    const values = new Array<string>(this.argCount);
    for (let index = 0; index < this.argCount; index++) values[index] = this.file.tokens.value(this.nameIndex + 1 + index);
    return values;
  }

  /** Only a block has children, and only a statement ended by `;` or `{` is made into a directive. */
  get terminator(): ';' | '{' {
    return this.children === null ? ';' : '{';
  }

  get luaBody(): Token | null {
    // A Lua block's end is set only when its scanner found the closing brace.
    if (this.blockEnd === -1 || !isLuaBlockDirective(this.name)) return null;
    const start = this.terminatorStart + 1;
    const body = this.file.text.slice(start, this.blockEnd);
    return { raw: body, value: body, quoted: false, start, end: this.blockEnd };
  }

  get start(): number {
    return this.file.tokens.start(this.nameIndex);
  }

  /**
   * After the `;` or the closing `}`. A block left without its `}` runs to the end of the file, except a Lua block
   * whose body could not be read: the file ends at its error, and the statement at its `{`.
   */
  get end(): number {
    if (this.blockEnd !== -1) return this.blockEnd + 1;
    if (this.children === null || isLuaBlockDirective(this.name)) return this.terminatorStart + 1;
    return this.file.text.length;
  }
}

/** A statement ended by `;`, most of any file: it keeps no fields for a block. */
class ParsedStatement extends ParsedDirective {
  get children(): null {
    return null;
  }

  get blockEnd(): number {
    return -1;
  }
}

class ParsedBlock extends ParsedDirective {
  /** Set when the block is closed, or when the file ends with it open (a Lua block keeps this empty one). */
  children: Directive[] = [];
  blockEnd = -1;
}

/**
 * The value nginx sees of each argument. The structural check and the model read them for every statement, and for
 * a parsed directive they come without the `Token` objects `args` makes.
 */
export function argumentValues(directive: Directive): string[] {
  return directive instanceof ParsedDirective ? directive.argumentValues() : directive.args.map((arg) => arg.value);
}

/** How many arguments a statement has, without reading them. */
export function argumentCount(directive: Directive): number {
  return directive instanceof ParsedDirective ? directive.argumentCount : directive.args.length;
}

/** The value of one argument (`index` below `argumentCount`), without reading the others. */
export function argumentValue(directive: Directive, index: number): string {
  return directive instanceof ParsedDirective ? directive.argumentValue(index) : directive.args[index]!.value;
}

/** The spelling of argument `index` (`Token.raw`). */
export function argumentRaw(directive: Directive, index: number): string {
  return directive instanceof ParsedDirective ? directive.argumentRaw(index) : directive.args[index]!.raw;
}

/** The token of one argument (`index` below `argumentCount`), without making the others'. */
export function argumentToken(directive: Directive, index: number): Token {
  return directive instanceof ParsedDirective ? directive.argumentToken(index) : directive.args[index]!;
}

function detectEol(text: string): '\n' | '\r\n' {
  const firstLf = text.indexOf('\n');
  return firstLf > 0 && text.charCodeAt(firstLf - 1) === 0x0d ? '\r\n' : '\n';
}

/**
 * The offset after the last word before `offset`: back over blanks and comments. The `;` of a statement that
 * reached `offset` without one belongs there.
 */
function endOfWords(text: string, comments: readonly Comment[], offset: number): number {
  let position = offset;
  for (;;) {
    while (position > 0 && /\s/.test(text[position - 1]!)) position--;
    const comment = comments.find((candidate) => candidate.start < position && position <= candidate.end);
    if (!comment) return position;
    position = comment.start;
  }
}

/**
 * Where the `;` most likely belongs in a statement nginx read past its end: one without `;` whose words ran into the
 * next statement and its `{` (nginx: `directive "…" is not terminated by ";"`). It is after the last word that ends
 * a line, since the words on the line of the `{` are the next statement's; null when all are on one line.
 */
export function missingSemicolonIn(directive: Directive): MissingSemicolon | null {
  const words = [directive.nameToken, ...directive.args];
  for (let index = words.length - 2; index >= 0; index--) {
    const between = directive.file.text.slice(words[index]!.end, words[index + 1]!.start);
    if (between.includes('\n')) return { at: words[index]!.end, after: words[index]!.raw };
  }
  return null;
}

/**
 * One string per distinct directive name of a file, found without making a string for each statement: by a hash of
 * the name's characters, then compared in place. Every `proxy_set_header` of the file shares one string.
 */
class NameTable {
  private readonly byHash = new Map<number, string[]>();

  constructor(private readonly text: string) {}

  /** The name spelt by `text[start, end)`, which is a bare word without backslashes (its value is its spelling). */
  intern(start: number, end: number, hash: number): string {
    const text = this.text;
    const length = end - start;
    const candidates = this.byHash.get(hash);
    if (candidates) {
      for (const candidate of candidates) if (candidate.length === length && text.startsWith(candidate, start)) return candidate;
    }
    const name = text.slice(start, end);
    if (candidates) candidates.push(name);
    else this.byHash.set(hash, [name]);
    return name;
  }
}

const BACKSLASH = 0x5c;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

export function parse(text: string, path: string): SourceFile {
  const lexer = new Lexer(text);
  const tokens = lexer.tokens;
  const errors: SyntaxError[] = [];
  const file: ParsedFile & { directives: Directive[] } = {
    path,
    text,
    directives: [],
    comments: lexer.comments,
    errors,
    eol: detectEol(text),
    tokens,
  };
  const names = new NameTable(text);
  const quotedNames = new Map<string, string>();

  /**
   * The statements read so far whose block is still open, in order: the top level's, then those of each open block.
   * A block's statements are copied out when it closes, so no block has an array of its own that grows and is then
   * copied. `top` is the length in use; entries above it are stale.
   */
  const open: Directive[] = [];
  let top = 0;
  const openBlocks: ParsedBlock[] = [];
  /** For each open block, where its statements start in `open`. */
  const firstChild: number[] = [];

  const fail = (message: string, offset: number, start: number, end: number) => {
    errors.push({ message, offset, start, end: Math.max(end, start) });
  };

  const nameOf = (index: number): string => {
    const start = tokens.start(index);
    const end = tokens.end(index);
    let hash = end - start;
    for (let at = start; at < end; at++) {
      const code = text.charCodeAt(at);
      if (code === BACKSLASH || ((code === DOUBLE_QUOTE || code === SINGLE_QUOTE) && at === start)) {
        // Quotes or escapes: the value differs from the spelling, and such names are rare.
        const spelled = tokens.value(index);
        let name = quotedNames.get(spelled);
        if (name === undefined) quotedNames.set(spelled, (name = spelled));
        return name;
      }
      hash = (Math.imul(hash, 31) + code) | 0;
    }
    return names.intern(start, end, hash);
  };

  while (true) {
    const statementEnd = lexer.readStatement();
    const nameIndex = lexer.firstWord;

    if (statementEnd === StatementEnd.Error) {
      const error = lexer.error!;
      const statementStart = tokens.length > nameIndex ? tokens.start(nameIndex) : error.offset;
      fail(error.message, error.offset, statementStart, Math.min(error.offset + 1, text.length));
      const unterminated = error.message === 'unexpected "}"' || error.message === 'unexpected end of file, expecting ";" or "}"';
      if (unterminated && tokens.length > nameIndex) {
        const at = endOfWords(text, lexer.comments, error.offset);
        const after = text.slice(Math.max(text.lastIndexOf(' ', at - 1), text.lastIndexOf('\t', at - 1), text.lastIndexOf('\n', at - 1)) + 1, at);
        errors[errors.length - 1] = { ...errors[errors.length - 1]!, missingSemicolon: { at, after } };
      }
      break;
    }
    if (statementEnd === StatementEnd.EndOfFile) {
      const unclosed = openBlocks[openBlocks.length - 1];
      if (unclosed) fail('unexpected end of file, expecting "}"', text.length, unclosed.start, text.length);
      break;
    }
    if (statementEnd === StatementEnd.BlockEnd) {
      const closed = openBlocks.pop();
      if (!closed) {
        fail('unexpected "}"', lexer.endOffset, lexer.endOffset, lexer.endOffset + 1);
        break;
      }
      closed.blockEnd = lexer.endOffset;
      const first = firstChild.pop()!;
      closed.children = open.slice(first, top);
      top = first;
      continue;
    }

    const opensBlock = statementEnd === StatementEnd.BlockStart;
    const enclosing = openBlocks[openBlocks.length - 1];
    if (opensBlock && enclosing && LINE_BODY_BLOCKS.has(enclosing.name)) {
      fail('unexpected "{"', lexer.endOffset, tokens.start(nameIndex), lexer.endOffset + 1);
      break;
    }
    const name = nameOf(nameIndex);
    const argCount = tokens.length - nameIndex - 1;
    if (!opensBlock) {
      open[top++] = new ParsedStatement(name, file, enclosing ?? null, nameIndex, argCount, lexer.endOffset);
      continue;
    }
    const directive = new ParsedBlock(name, file, enclosing ?? null, nameIndex, argCount, lexer.endOffset);
    open[top++] = directive;
    if (isLuaBlockDirective(directive.name)) {
      const bodyStart = lexer.pos;
      const scan = scanLuaBlock(text, bodyStart);
      if (scan.error) {
        fail(scan.error.message, scan.error.offset, directive.start, text.length);
        break;
      }
      directive.blockEnd = scan.closeBrace;
      lexer.pos = scan.closeBrace + 1;
      continue;
    }
    openBlocks.push(directive);
    firstChild.push(top);
  }

  // Blocks the file left open (an error, or the end of the file) keep the statements read in them.
  for (let index = openBlocks.length - 1; index >= 0; index--) {
    const first = firstChild[index]!;
    openBlocks[index]!.children = open.slice(first, top);
    top = first;
  }
  file.directives = open.slice(0, top);
  tokens.trim();
  return file;
}
