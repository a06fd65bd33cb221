/**
 * Builds the positioned tree of one file from the lexer's statements, the way `ngx_conf_parse` does: a statement
 * ended by `{` opens a block, `}` closes it, and the first syntax error stops the file (nginx reports only that
 * one, and everything after it would be guesswork).
 */
import type { Comment, Directive, SourceFile, SyntaxError, Token } from './ast.js';
import { Lexer, StatementEnd } from './lexer.js';
import { scanLuaBlock } from './lua-block.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type DirectiveDraft = Mutable<Directive>;

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

function detectEol(text: string): '\n' | '\r\n' {
  const firstLf = text.indexOf('\n');
  return firstLf > 0 && text.charCodeAt(firstLf - 1) === 0x0d ? '\r\n' : '\n';
}

export function parse(text: string, path: string): SourceFile {
  const lexer = new Lexer(text);
  const directives: Directive[] = [];
  const comments: Comment[] = lexer.comments;
  const errors: SyntaxError[] = [];
  const file: SourceFile = { path, text, directives, comments, errors, eol: detectEol(text) };

  const openBlocks: DirectiveDraft[] = [];
  let siblings: Directive[] = directives;

  const fail = (message: string, offset: number, start: number, end: number) => {
    errors.push({ message, offset, start, end: Math.max(end, start) });
  };

  while (true) {
    const statementEnd = lexer.readStatement();
    const words = lexer.words;

    if (statementEnd === StatementEnd.Error) {
      const error = lexer.error!;
      fail(error.message, error.offset, words[0]?.start ?? error.offset, Math.min(error.offset + 1, text.length));
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
      closed.end = lexer.endOffset + 1;
      const parent = openBlocks[openBlocks.length - 1];
      siblings = parent ? parent.children! : directives;
      continue;
    }

    const nameToken = words[0]!;
    const opensBlock = statementEnd === StatementEnd.BlockStart;
    const enclosing = openBlocks[openBlocks.length - 1];
    if (opensBlock && enclosing && LINE_BODY_BLOCKS.has(enclosing.name)) {
      fail('unexpected "{"', lexer.endOffset, nameToken.start, lexer.endOffset + 1);
      break;
    }
    const directive: DirectiveDraft = {
      name: nameToken.value,
      nameToken,
      args: words.slice(1),
      terminator: opensBlock ? '{' : ';',
      terminatorStart: lexer.endOffset,
      children: opensBlock ? [] : null,
      luaBody: null,
      blockEnd: -1,
      start: nameToken.start,
      end: lexer.endOffset + 1,
      file,
      parent: enclosing ?? null,
    };
    siblings.push(directive);

    if (!opensBlock) continue;
    if (isLuaBlockDirective(directive.name)) {
      const bodyStart = lexer.pos;
      const scan = scanLuaBlock(text, bodyStart);
      if (scan.error) {
        fail(scan.error.message, scan.error.offset, directive.start, text.length);
        break;
      }
      const body = text.slice(bodyStart, scan.closeBrace);
      directive.luaBody = { raw: body, value: body, quoted: false, start: bodyStart, end: scan.closeBrace } satisfies Token;
      directive.blockEnd = scan.closeBrace;
      directive.end = scan.closeBrace + 1;
      lexer.pos = scan.closeBrace + 1;
      continue;
    }
    openBlocks.push(directive);
    siblings = directive.children!;
  }

  // A block left open by an error still needs a usable extent for ranges and fixes.
  for (const block of openBlocks) block.end = text.length;
  return file;
}
