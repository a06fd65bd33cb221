/**
 * Finds the `}` that closes a `*_by_lua_block` body. lua-nginx-module scans these bodies with its own Lua-aware
 * reader (`ngx_http_lua_conf_read_lua_token`), so a brace inside a Lua string, a `--` comment or a long bracket
 * (`[[ ]]`, `[==[ ]==]`) does not count — nginx accepts such files and so must we.
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

/** Offset after the `]=*]` closing a long bracket of `level`, or -1 if the text ends first. */
function skipLongBracket(text: string, contentStart: number, level: number): number {
  const closing = `]${'='.repeat(level)}]`;
  const close = text.indexOf(closing, contentStart);
  return close === -1 ? -1 : close + closing.length;
}

export function scanLuaBlock(text: string, bodyStart: number): LuaBlockScan {
  const unterminated = (what: string, offset: number): LuaBlockScan => ({
    closeBrace: -1,
    error: { message: `unexpected end of file, expecting "}" (unterminated Lua ${what})`, offset },
  });
  let depth = 1;
  let index = bodyStart;
  while (index < text.length) {
    const char = text[index]!;
    if (char === '-' && text[index + 1] === '-') {
      const level = longBracketLevel(text, index + 2);
      if (level >= 0) {
        const after = skipLongBracket(text, index + 4 + level, level);
        if (after === -1) return unterminated('comment', text.length);
        index = after;
      } else {
        const lineEnd = text.indexOf('\n', index);
        index = lineEnd === -1 ? text.length : lineEnd + 1;
      }
      continue;
    }
    if (char === '[') {
      const level = longBracketLevel(text, index);
      if (level >= 0) {
        const after = skipLongBracket(text, index + 2 + level, level);
        if (after === -1) return unterminated('long string', text.length);
        index = after;
        continue;
      }
    }
    if (char === '"' || char === "'") {
      let cursor = index + 1;
      while (cursor < text.length && text[cursor] !== char) {
        cursor += text[cursor] === '\\' ? 2 : 1;
      }
      if (cursor >= text.length) return unterminated('string', text.length);
      index = cursor + 1;
      continue;
    }
    if (char === '{') depth++;
    else if (char === '}') {
      depth--;
      if (depth === 0) return { closeBrace: index, error: null };
    }
    index++;
  }
  return { closeBrace: -1, error: { message: 'unexpected end of file, expecting "}"', offset: text.length } };
}
