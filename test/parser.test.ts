/**
 * The tree `parse` builds from the lexer's statements: blocks, ranges, the first-error stop, and `*_by_lua_block`
 * bodies read the way lua-nginx-module reads them. Block-level and Lua syntax errors are compared with the real
 * nginx (with lua-nginx-module loaded), message and line.
 */
import { describe, expect, it } from 'vitest';
import type { Directive } from '../src/syntax/ast.js';
import { positionAt } from '../src/syntax/ast.js';
import { argumentCount, argumentRaw, argumentToken, argumentValue, parse } from '../src/syntax/parser.js';
import { statementText } from '../src/load/tree.js';
import { luaModuleAvailable, nginxAvailable, nginxVerdict, parserVerdict, place, type Placement } from './helpers/nginx.js';

/** The text a range covers, to state ranges readably. */
function spanText(directive: Directive): string {
  return directive.file.text.slice(directive.start, directive.end);
}

describe('reading one argument', () => {
  it('gives the same token, value and count as `args`, quoted and escaped words included', () => {
    const file = parse('http { server { server 127.0.0.1:8080 "max\\"fails=3" \'weight=2\' backup; } }\n', '/etc/nginx/nginx.conf');
    const statement = file.directives[0]!.children![0]!.children![0]!;
    const args = statement.args;
    expect(argumentCount(statement)).toBe(4);
    for (let index = 0; index < args.length; index++) {
      expect(argumentToken(statement, index)).toEqual(args[index]);
      expect(argumentValue(statement, index)).toBe(args[index]!.value);
    }
    expect(argumentToken(statement, 1)).toMatchObject({ raw: '"max\\"fails=3"', value: 'max"fails=3', quoted: true });
  });
});

describe('block structure', () => {
  const text = [
    'events { worker_connections 512; }', //
    'http {',
    '  upstream app { server 127.0.0.1:8080; }',
    '  server {',
    '    location / { proxy_pass http://app; }',
    '  }',
    '}',
    '',
  ].join('\n');
  const file = parse(text, '/etc/nginx/nginx.conf');

  it('nests statements in their blocks and links each to its parent and file', () => {
    expect(file.errors).toEqual([]);
    const [events, http] = file.directives;
    expect(file.directives.map((directive) => directive.name)).toEqual(['events', 'http']);
    expect(http!.children!.map((directive) => directive.name)).toEqual(['upstream', 'server']);
    const location = http!.children![1]!.children![0]!;
    expect(location.args.map((arg) => arg.value)).toEqual(['/']);
    expect(location.parent!.name).toBe('server');
    expect(location.parent!.parent).toBe(http);
    expect(events!.parent).toBeNull();
    expect(location.children![0]!.file).toBe(file);
  });

  it('gives a simple statement its range up to and including the `;`', () => {
    const proxyPass = file.directives[1]!.children![1]!.children![0]!.children![0]!;
    expect(spanText(proxyPass)).toBe('proxy_pass http://app;');
    expect(proxyPass.terminator).toBe(';');
    expect(text[proxyPass.terminatorStart]).toBe(';');
    expect(proxyPass.children).toBeNull();
    expect(proxyPass.blockEnd).toBe(-1);
  });

  it('gives a block its range up to and including the closing `}`', () => {
    const server = file.directives[1]!.children![1]!;
    expect(spanText(server)).toBe('server {\n    location / { proxy_pass http://app; }\n  }');
    expect(server.terminator).toBe('{');
    expect(text[server.terminatorStart]).toBe('{');
    expect(text[server.blockEnd]).toBe('}');
    expect(positionAt(file, server.start)).toEqual({ line: 4, column: 3 });
    expect(positionAt(file, server.blockEnd)).toEqual({ line: 6, column: 3 });
  });

  it('names a directive by the value of its first word, quotes and escapes removed', () => {
    const [quoted] = parse('"proxy_\\"pass" x;', 'quoted.conf').directives;
    expect(quoted!.name).toBe('proxy_"pass');
    expect(quoted!.nameToken.raw).toBe('"proxy_\\"pass"');
  });

  it('notes the line break a file mostly uses', () => {
    expect(parse('a;\r\nb;\n', 'crlf.conf').eol).toBe('\r\n');
    expect(parse('a;\nb;\r\n', 'lf.conf').eol).toBe('\n');
    expect(parse('a;', 'none.conf').eol).toBe('\n');
  });
});

describe('argumentRaw', () => {
  it('spells each argument as its token does, quotes and backslashes included, without making the tokens', () => {
    const file = parse("add_header \"X-A b\" 'c\\'d' e\\;f;\nlisten 80;\n", 'a.conf');
    const [header, listen] = file.directives;
    expect(header!.args.map((_, index) => argumentRaw(header!, index))).toEqual(['"X-A b"', "'c\\'d'", 'e\\;f']);
    expect(header!.args.map((arg) => arg.raw)).toEqual(['"X-A b"', "'c\\'d'", 'e\\;f']);
    expect(statementText({ directive: listen! } as Parameters<typeof statementText>[0])).toBe('listen 80');
    expect(statementText({ directive: header! } as Parameters<typeof statementText>[0])).toBe("add_header \"X-A b\" 'c\\'d' e\\;f");
  });
});

describe('syntax errors', () => {
  it('stops at the first error, as nginx does, and keeps what came before', () => {
    const file = parse('events {}\nhttp {\n  a "b"c;\n  server { }\n}\n}\n', 'first.conf');
    expect(file.errors).toHaveLength(1);
    expect(file.errors[0]!.message).toBe('unexpected "c"');
    expect(file.directives.map((directive) => directive.name)).toEqual(['events', 'http']);
    expect(file.directives[1]!.children).toEqual([]);
  });

  it('highlights the whole statement up to the offending character', () => {
    const text = 'events {}\n  listen 80 "x"y;';
    const [error] = parse(text, 'range.conf').errors;
    expect(error).toEqual({ message: 'unexpected "y"', offset: 25, start: 12, end: 26 });
    expect(text.slice(error!.start, error!.end)).toBe('listen 80 "x"y');
  });

  it('gives blocks left open by an error the rest of the file as their extent', () => {
    const text = 'http {\n  server {\n    listen 80;\n';
    const file = parse(text, 'open.conf');
    const http = file.directives[0]!;
    const server = http.children![0]!;
    expect(file.errors).toEqual([{ message: 'unexpected end of file, expecting "}"', offset: text.length, start: server.start, end: text.length }]);
    expect([http.end, server.end]).toEqual([text.length, text.length]);
    expect([http.blockEnd, server.blockEnd]).toEqual([-1, -1]);
    expect(server.children!.map((directive) => directive.name)).toEqual(['listen']);
  });

  it('points a stray `}` at itself', () => {
    const [error] = parse('events {}\n}', 'stray.conf').errors;
    expect(error).toEqual({ message: 'unexpected "}"', offset: 10, start: 10, end: 11 });
  });
});

interface BlockErrorCase {
  readonly rule: string;
  readonly snippet: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

const blockErrorCases: BlockErrorCase[] = [
  { rule: 'a `}` with no block open', snippet: 'events {}\n}', message: 'unexpected "}"', line: 2, column: 1 },
  { rule: 'the end of file inside a block', snippet: 'events {\n', message: 'unexpected end of file, expecting "}"', line: 2, column: 1 },
  {
    rule: 'the end of file two blocks deep',
    snippet: 'events {}\nhttp {\n  server {\n',
    message: 'unexpected end of file, expecting "}"',
    line: 4,
    column: 1,
  },
  {
    rule: 'the end of file after a comment',
    snippet: 'events {}\nhttp {\n# the end',
    message: 'unexpected end of file, expecting "}"',
    line: 3,
    column: 10,
  },
  {
    rule: 'a `{` inside a map (a map missing its `}`)',
    snippet: 'events {}\nhttp {\n  map $host $x {\n    default 0;\n  server {\n  }\n}\n',
    message: 'unexpected "{"',
    line: 5,
    column: 10,
  },
  {
    rule: 'a `{` inside types',
    snippet: 'events {}\nhttp {\n  server {\n    location / {\n      types {\n        text/html html;\n        a {\n',
    message: 'unexpected "{"',
    line: 7,
    column: 11,
  },
];

describe.each(blockErrorCases)('block error: $rule', (errorCase) => {
  it('is reported at the expected position', () => {
    expect(parserVerdict(errorCase.snippet)).toEqual({ message: errorCase.message, line: errorCase.line, column: errorCase.column });
  });

  it.runIf(nginxAvailable)('is what nginx reports', () => {
    expect(nginxVerdict(errorCase.snippet)).toEqual({ message: errorCase.message, line: errorCase.line });
  });
});

interface LuaCase {
  readonly rule: string;
  /** The Lua code between the braces of `content_by_lua_block { … }`. */
  readonly body: string;
}

const luaCases: LuaCase[] = [
  { rule: 'a `}` in a double-quoted string', body: ' ngx.say("}") ' },
  { rule: 'an escaped quote inside a string', body: ' local s = "a\\"}" ' },
  { rule: 'an escaped backslash before the closing quote', body: ' local s = "a\\\\" ' },
  { rule: 'a `}` in a single-quoted string', body: " local s = 'a\\'}' " },
  { rule: 'a `}` in a line comment', body: '\n  -- }\n  ngx.say(1)\n' },
  { rule: 'a quote in a line comment', body: "\n  -- don't }\n" },
  { rule: 'a `}` in a long string', body: ' local s = [[ } ]] ' },
  { rule: 'a long string with level 2', body: ' local s = [==[ ]] } ]==] ' },
  { rule: 'a `}` in a long comment', body: ' --[[ }\n ]] ' },
  { rule: 'a long comment with level 1', body: ' --[=[ ]] } ]=] ' },
  { rule: 'nested table braces', body: ' local t = { a = { } } ' },
  { rule: 'index brackets are no long bracket', body: ' t[1] = t[ [=[x]=] ] ' },
  { rule: '`[[` and `--` inside a string', body: ' local s = "[[" .. "--" ' },
  { rule: '`{%` inside a long string (ingress-nginx echo config)', body: ' local t = [[{% if x %}]] ' },
  { rule: 'a quote that does not close on its line is an ordinary character', body: '\n  local s = "a\n  ' },
  { rule: 'a string is not continued by a backslash at the line end', body: "\n  local s = 'a\\\n  " },
  { rule: 'a blank body (an empty one is valid syntax but "no runnable Lua code")', body: ' ' },
];

describe.each(luaCases)('Lua block: $rule', ({ body }) => {
  const snippet = `content_by_lua_block {${body}}\nreturn 200;`;
  const placed = place(snippet, 'location', { lua: true });

  it('ends at the brace lua-nginx-module ends it at', () => {
    const file = parse(placed.text, 'nginx.conf');
    expect(file.errors).toEqual([]);
    const location = file.directives[file.directives.length - 1]!.children![0]!.children![0]!;
    const [lua, after] = location.children!;
    expect(lua!.name).toBe('content_by_lua_block');
    expect(lua!.luaBody!.raw).toBe(body);
    expect(lua!.children).toEqual([]);
    expect(placed.text[lua!.blockEnd]).toBe('}');
    expect(lua!.end).toBe(lua!.blockEnd + 1);
    expect(after!.name).toBe('return');
  });

  it.runIf(luaModuleAvailable)('is accepted by nginx', () => {
    expect(nginxVerdict(placed.text)).toEqual({ message: null, line: null });
  });
});

describe('set_by_lua_block', () => {
  const placed = place('set_by_lua_block $v { return "}" }\nreturn 200 $v;', 'location', { lua: true });

  it('reads its variable as an argument, then the Lua body', () => {
    const file = parse(placed.text, 'nginx.conf');
    const location = file.directives[file.directives.length - 1]!.children![0]!.children![0]!;
    const [setBy, after] = location.children!;
    expect(setBy!.args.map((arg) => arg.value)).toEqual(['$v']);
    expect(setBy!.luaBody!.raw).toBe(' return "}" ');
    expect(after!.args.map((arg) => arg.value)).toEqual(['200', '$v']);
  });

  it.runIf(luaModuleAvailable)('is accepted by nginx', () => {
    expect(nginxVerdict(placed.text)).toEqual({ message: null, line: null });
  });
});

const LUA_LOCATION = 'events {}\nhttp {\nserver {\nlocation / {\n';

interface LuaErrorCase {
  readonly rule: string;
  /** Follows four lines that open a location. */
  readonly rest: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

const luaErrorCases: LuaErrorCase[] = [
  {
    rule: 'the end of file inside the body, reported on the line of the block',
    rest: 'content_by_lua_block {\n  ngx.say(1)\n',
    message: 'unexpected end of file, expecting terminating characters for lua code block',
    line: 5,
    column: 22,
  },
  {
    rule: 'the end of file inside the body, reported on the line of the last `{`',
    rest: 'content_by_lua_block {\n  local t = {\n  }\n  ngx.say(1)\n',
    message: 'unexpected end of file, expecting terminating characters for lua code block',
    line: 6,
    column: 13,
  },
  {
    rule: 'the end of file inside a string',
    rest: 'content_by_lua_block {\n  ngx.say("abc)\n',
    message: 'unexpected end of file, expecting terminating characters for lua code block',
    line: 5,
    column: 22,
  },
  {
    rule: 'an unclosed long string',
    rest: 'content_by_lua_block {\n  x = 1\n  local s = [==[ }\n',
    message: 'Lua code block missing the closing long bracket "]==]", the inlined Lua code may be too long',
    line: 7,
    column: 13,
  },
  {
    rule: 'an unclosed long comment',
    rest: 'content_by_lua_block {\n  --[[ }\n',
    message: 'Lua code block missing the closing long bracket "]]", the inlined Lua code may be too long',
    line: 6,
    column: 3,
  },
  {
    rule: 'a string cut by a backslash line end leaves its closing quote to nginx',
    rest: 'content_by_lua_block {\n  local s = "a\\\n}" }\n',
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 8,
    column: 1,
  },
  { rule: 'a `;` after the block', rest: 'content_by_lua_block { } ;', message: 'unexpected ";"', line: 5, column: 26 },
];

describe.each(luaErrorCases)('Lua block error: $rule', (errorCase) => {
  const placed = place(`${LUA_LOCATION}${errorCase.rest}`, 'main' satisfies Placement, { lua: true });

  it('is reported at the expected position', () => {
    expect(parserVerdict(placed.text)).toEqual({
      message: errorCase.message,
      line: errorCase.line + placed.linesBefore,
      column: errorCase.column,
    });
  });

  it.runIf(luaModuleAvailable)('is what nginx with lua-nginx-module reports', () => {
    expect(nginxVerdict(placed.text)).toEqual({ message: errorCase.message, line: errorCase.line + placed.linesBefore });
  });
});
