/**
 * Finds the `}` that closes a `*_by_lua_block` body. lua-nginx-module scans these bodies with its own Lua-aware
 * reader (`ngx_http_lua_conf_read_lua_token`), so a brace inside a Lua string, a `--` comment or a long bracket
 * (`[[ ]]`, `[==[ ]==]`) does not count — nginx accepts such files and so must we. The rules below, messages and
 * error lines included, were checked against nginx 1.22.1 with lua-nginx-module 0.10.23.
 */

export interface LuaBlockScan {
  /** Offset of the closing `}`; meaningful only without an error. */
  readonly closeBrace: number;
  readonly error: { readonly message: string; readonly offset: number } | null;
}

/** At `[` followed by `=`* and `[`, the number of `=`; otherwise -1. */
function longBracketLevel(text: string, index: number): number {
  if (text[index] !== '[') return -1;
  let cursor = index + 1;
  while (text[cursor] === '=') cursor++;
  return text[cursor] === '[' ? cursor - index - 1 : -1;
}

/**
 * Offset after the closing quote of the string opening at `open`, or -1 when the line ends first. The module's
 * lexer knows only one-line strings (a raw or backslash-escaped line break ends the attempt) and then treats the
 * quote as an ordinary character.
 */
function stringEnd(text: string, open: number): number {
  const quote = text[open];
  let cursor = open + 1;
  while (cursor < text.length) {
    const char = text[cursor];
    if (char === quote) return cursor + 1;
    if (char === '\n') return -1;
    if (char === '\\') {
      if (text[cursor + 1] === '\n') return -1;
      cursor += 2;
    } else cursor++;
  }
  return -1;
}

export function scanLuaBlock(text: string, bodyStart: number): LuaBlockScan {
  // At end of file the module reports the line of the last `{` it saw, starting with the block's own.
  let lastOpenBrace = bodyStart - 1;
  /**
   * Where the last failed string attempt of each quote ran to. A later quote of the same kind before that point was
   * escaped inside that attempt, so its own attempt would end at the same line break; remembering it keeps
   * a line full of unmatched quotes linear.
   */
  const failedStringEnd = { '"': -1, "'": -1 };
  let depth = 1;
  let index = bodyStart;
  while (index < text.length) {
    const char = text[index]!;
    const isLineComment = char === '-' && text[index + 1] === '-';
    const bracketStart = isLineComment ? index + 2 : index;
    const level = longBracketLevel(text, bracketStart);
    if (level >= 0) {
      const closing = `]${'='.repeat(level)}]`;
      const close = text.indexOf(closing, bracketStart + level + 2);
      if (close === -1) {
        return {
          closeBrace: -1,
          error: {
            message: `Lua code block missing the closing long bracket "${closing}", the inlined Lua code may be too long`,
            offset: index,
          },
        };
      }
      index = close + closing.length;
      continue;
    }
    if (isLineComment) {
      const lineEnd = text.indexOf('\n', index);
      index = lineEnd === -1 ? text.length : lineEnd + 1;
      continue;
    }
    if (char === '"' || char === "'") {
      if (index > failedStringEnd[char]) {
        const end = stringEnd(text, index);
        if (end !== -1) {
          index = end;
          continue;
        }
        const lineEnd = text.indexOf('\n', index);
        failedStringEnd[char] = lineEnd === -1 ? text.length : lineEnd;
      }
    } else if (char === '{') {
      depth++;
      lastOpenBrace = index;
    } else if (char === '}') {
      depth--;
      if (depth === 0) return { closeBrace: index, error: null };
    }
    index++;
  }
  return {
    closeBrace: -1,
    error: { message: 'unexpected end of file, expecting terminating characters for lua code block', offset: lastOpenBrace },
  };
}
