/**
 * The tokenizer rules of /work/shared/facts/parser.md §1.1, one table per rule. Every case also runs through the real
 * nginx: accepted input must be accepted, a name nginx rejects as an unknown directive shows the token exactly as
 * nginx read it, and every syntax error must carry nginx's message on nginx's line.
 */
import { describe, expect, it } from 'vitest';
import { positionAt, type Token } from '../src/syntax/ast.js';
import { Lexer, StatementEnd } from '../src/syntax/lexer.js';
import { parse } from '../src/syntax/parser.js';
import { nginxAvailable, nginxVerdict, parserVerdict, place, type Placement } from './helpers/nginx.js';

interface LexedStatement {
  readonly words: Token[];
  readonly end: StatementEnd;
  /** Offset of the `;`, `{` or `}` that ended the statement. */
  readonly terminator: number;
}

function lex(text: string) {
  const lexer = new Lexer(text);
  const statements: LexedStatement[] = [];
  for (;;) {
    const end = lexer.readStatement();
    if (end === StatementEnd.EndOfFile || end === StatementEnd.Error) {
      return { statements, comments: lexer.comments, error: lexer.error };
    }
    const words = Array.from({ length: lexer.tokens.length - lexer.firstWord }, (_, index) => lexer.tokens.token(lexer.firstWord + index));
    statements.push({ words, end, terminator: lexer.endOffset });
  }
}

const END_MARK: Record<number, string> = {
  [StatementEnd.Semicolon]: ';',
  [StatementEnd.BlockStart]: '{',
  [StatementEnd.BlockEnd]: '}',
};

/** Each statement as [terminator, ...word values], the shape the tables below are written in. */
function statementShapes(text: string): string[][] {
  const { statements, error } = lex(text);
  expect(error).toBeNull();
  return statements.map((statement) => [END_MARK[statement.end]!, ...statement.words.map((word) => word.value)]);
}

interface TokenCase {
  readonly rule: string;
  readonly placement: Placement;
  readonly snippet: string;
  /** The snippet's statements as [terminator, ...word values]; `}` closes a block. */
  readonly statements: readonly (readonly string[])[];
  /**
   * Index of the statement nginx rejects as an unknown directive, which prints its name exactly as nginx read it.
   * Absent: nginx accepts the snippet.
   */
  readonly unknownAt?: number;
}

const TAB = '\t';

const tokenCases: TokenCase[] = [
  // Rule 1: whitespace is space, TAB, CR and LF.
  {
    rule: 'space, TAB, CR and LF separate words',
    placement: 'server',
    snippet: `return${TAB}200\r"ok"\n;`,
    statements: [[';', 'return', '200', 'ok']],
  },
  {
    rule: 'CRLF line ends',
    placement: 'server',
    snippet: 'set $a 1;\r\nset $b 2;\r\n',
    statements: [
      [';', 'set', '$a', '1'],
      [';', 'set', '$b', '2'],
    ],
  },
  // Rule 2: `#` starts a comment only at token start.
  {
    rule: 'a comment line and a trailing comment',
    placement: 'server',
    snippet: '# leading\nserver_tokens off; # trailing\n',
    statements: [[';', 'server_tokens', 'off']],
  },
  { rule: '`#` inside a word is literal', placement: 'server', snippet: 'return 200 a#b;', statements: [[';', 'return', '200', 'a#b']] },
  { rule: 'a comment between arguments', placement: 'server', snippet: 'return 200 # why\n ok;', statements: [[';', 'return', '200', 'ok']] },
  { rule: '`#` inside quotes', placement: 'server', snippet: 'return 200 "#not a comment";', statements: [[';', 'return', '200', '#not a comment']] },
  {
    rule: '`#` right after a name is part of it',
    placement: 'server',
    snippet: 'server_name# x;',
    statements: [[';', 'server_name#', 'x']],
    unknownAt: 0,
  },
  // Rule 3: a word ends at whitespace, `;` or `{`; a `}` inside a word is literal.
  { rule: '`}` inside a word', placement: 'server', snippet: 'return 200 a}b;', statements: [[';', 'return', '200', 'a}b']] },
  { rule: '`{` ends a word', placement: 'server', snippet: 'location /a{ }', statements: [['{', 'location', '/a'], ['}']] },
  {
    rule: '`;` ends a word',
    placement: 'server',
    snippet: 'return 200 ok;return 404;',
    statements: [
      [';', 'return', '200', 'ok'],
      [';', 'return', '404'],
    ],
  },
  // Rule 4: `{` right after `$` stays in the word.
  { rule: '`${` at token start', placement: 'server', snippet: 'set $a ${host}x;', statements: [[';', 'set', '$a', '${host}x']] },
  { rule: '`${` inside a word', placement: 'server', snippet: 'set $a x${host}y;', statements: [[';', 'set', '$a', 'x${host}y']] },
  {
    rule: 'an unquoted regex with `{n}` splits at `{`',
    placement: 'server',
    snippet: 'location ~ ^/a{3}$ { }',
    statements: [['{', 'location', '~', '^/a'], ['{', '3}$'], ['}']],
    unknownAt: 1,
  },
  // Rule 5: backslash escapes; `\" \' \\ \t \r \n` are unescaped in the value.
  { rule: '`\\"` outside quotes', placement: 'server', snippet: 'a\\"b;', statements: [[';', 'a"b']], unknownAt: 0 },
  { rule: '`\\\\` outside quotes', placement: 'server', snippet: 'x\\\\y;', statements: [[';', 'x\\y']], unknownAt: 0 },
  { rule: '`\\t` inside quotes', placement: 'server', snippet: '"x\\ty";', statements: [[';', `x${TAB}y`]], unknownAt: 0 },
  { rule: '`\\r` and `\\n` inside quotes', placement: 'server', snippet: 'return 200 "a\\r\\nb";', statements: [[';', 'return', '200', 'a\r\nb']] },
  { rule: "`\\'` inside single quotes", placement: 'server', snippet: "'it\\'s';", statements: [[';', "it's"]], unknownAt: 0 },
  { rule: 'other escapes keep the backslash', placement: 'server', snippet: 'x\\dy;', statements: [[';', 'x\\dy']], unknownAt: 0 },
  {
    rule: 'an escaped space stays in the word, backslash and all',
    placement: 'server',
    snippet: 'a\\ b;',
    statements: [[';', 'a\\ b']],
    unknownAt: 0,
  },
  { rule: 'an escaped `;` stays in the word', placement: 'server', snippet: 'a\\;b;', statements: [[';', 'a\\;b']], unknownAt: 0 },
  {
    rule: 'an escaped quote inside double quotes',
    placement: 'server',
    snippet: 'return 200 "say \\"hi\\"";',
    statements: [[';', 'return', '200', 'say "hi"']],
  },
  // Rule 6: quotes open a string only at token start; the closing quote needs a space, `;`, `{` or `)` after it.
  {
    rule: 'quoted text holds `; { } #` and spaces',
    placement: 'server',
    snippet: 'return 200 "a b;c{d}e#f";',
    statements: [[';', 'return', '200', 'a b;c{d}e#f']],
  },
  { rule: 'single quotes', placement: 'server', snippet: `return 200 'x "y"';`, statements: [[';', 'return', '200', 'x "y"']] },
  { rule: 'a quote inside a word is literal', placement: 'server', snippet: 'return 200 a"b"c;', statements: [[';', 'return', '200', 'a"b"c']] },
  { rule: 'an empty quoted word', placement: 'server', snippet: 'return 200 "";', statements: [[';', 'return', '200', '']] },
  { rule: 'a quoted name', placement: 'server', snippet: '"a b";', statements: [[';', 'a b']], unknownAt: 0 },
  { rule: '`{` right after the closing quote', placement: 'server', snippet: 'location "/a"{ }', statements: [['{', 'location', '/a'], ['}']] },
  {
    rule: '`)` right after the closing quote starts a word',
    placement: 'server',
    snippet: 'if ($host = "b") {\n  return 200;\n}',
    statements: [['{', 'if', '($host', '=', 'b', ')'], [';', 'return', '200'], ['}']],
  },
  // Rule 8: a token must fit nginx's 4096-byte buffer.
  {
    rule: 'a 4095-byte word followed by `;`',
    placement: 'server',
    snippet: `return 200 ${'a'.repeat(4095)};`,
    statements: [[';', 'return', '200', 'a'.repeat(4095)]],
  },
  {
    rule: 'a 4094-byte word followed by a space',
    placement: 'server',
    snippet: `return 200 ${'a'.repeat(4094)} ;`,
    statements: [[';', 'return', '200', 'a'.repeat(4094)]],
  },
  {
    rule: 'a quoted word of 4094 bytes',
    placement: 'server',
    snippet: `return 200 "${'a'.repeat(4094)}";`,
    statements: [[';', 'return', '200', 'a'.repeat(4094)]],
  },
  {
    rule: 'a word of 1365 three-byte characters (4095 bytes)',
    placement: 'server',
    snippet: `return 200 ${'€'.repeat(1365)};`,
    statements: [[';', 'return', '200', '€'.repeat(1365)]],
  },
  { rule: 'a comment of 4095 bytes', placement: 'server', snippet: `#${'c'.repeat(4094)}\nreturn 200;`, statements: [[';', 'return', '200']] },
  {
    rule: 'whitespace does not count',
    placement: 'server',
    snippet: `return 200 'x'${' '.repeat(6000)};`,
    statements: [[';', 'return', '200', 'x']],
  },
];

describe('lexer rules (parser.md §1.1)', () => {
  describe.each(tokenCases)('$rule', (tokenCase) => {
    const placed = place(tokenCase.snippet, tokenCase.placement);

    it('reads the statements nginx reads', () => {
      const snippetStatements = statementShapes(tokenCase.snippet);
      expect(snippetStatements).toEqual(tokenCase.statements);
    });

    it.runIf(nginxAvailable)('matches nginx', () => {
      const verdict = nginxVerdict(placed.text);
      if (tokenCase.unknownAt === undefined) {
        expect(verdict).toEqual({ message: null, line: null });
        return;
      }
      const rejected = lex(tokenCase.snippet).statements[tokenCase.unknownAt]!;
      expect(verdict).toEqual({
        message: `unknown directive "${rejected.words[0]!.value}"`,
        line: positionAt(parse(tokenCase.snippet, 'snippet.conf'), rejected.terminator).line + placed.linesBefore,
      });
    });
  });
});

interface ErrorCase {
  readonly rule: string;
  readonly placement: Placement;
  readonly snippet: string;
  readonly message: string;
  /** Line and column in the snippet. */
  readonly line: number;
  readonly column: number;
}

const errorCases: ErrorCase[] = [
  // Rule 6: the closing quote needs whitespace, `;`, `{` or `)` after it.
  { rule: 'a letter after the closing quote', placement: 'server', snippet: 'return 200 "a"b;', message: 'unexpected "b"', line: 1, column: 15 },
  {
    rule: 'a dash after the closing single quote',
    placement: 'server',
    snippet: "return 200\n  'left'-quote;",
    message: 'unexpected "-"',
    line: 2,
    column: 9,
  },
  { rule: 'a backslash after the closing quote', placement: 'server', snippet: 'return 200 "a"\\;', message: 'unexpected "\\"', line: 1, column: 15 },
  // Rule 7: `;` or `{` without a name; `}` while arguments are pending; end of file.
  { rule: '`;` without a name', placement: 'server', snippet: 'return 200;\n;', message: 'unexpected ";"', line: 2, column: 1 },
  { rule: '`{` without a name', placement: 'server', snippet: '\n  { }', message: 'unexpected "{"', line: 2, column: 3 },
  { rule: '`}` after arguments without `;`', placement: 'server', snippet: 'return 200 a', message: 'unexpected "}"', line: 2, column: 1 },
  { rule: 'CRLF counts one line', placement: 'server', snippet: 'return 200 x}\r\n}', message: 'unexpected "}"', line: 2, column: 1 },
  { rule: 'a lone CR is no line break', placement: 'server', snippet: 'return 200 x\r}', message: 'unexpected "}"', line: 1, column: 14 },
  {
    rule: 'end of file inside a statement',
    placement: 'main',
    snippet: 'worker_processes 1',
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 1,
    column: 19,
  },
  {
    rule: 'end of file inside quotes',
    placement: 'main',
    snippet: 'worker_processes "1\n\n',
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 3,
    column: 1,
  },
  {
    rule: 'end of file after a backslash',
    placement: 'main',
    snippet: 'worker_processes 1\\',
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 1,
    column: 20,
  },
  {
    rule: 'end of file after a comment with arguments pending',
    placement: 'main',
    snippet: 'worker_processes 1 # no ;',
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 1,
    column: 26,
  },
  // Rule 8: the 4096-byte buffer; the line is the one where the token started.
  {
    rule: 'a 4096-byte word',
    placement: 'server',
    snippet: `return 200\n${'a'.repeat(4096)};`,
    message: 'too long parameter "aaaaaaaaaa..." started',
    line: 2,
    column: 1,
  },
  {
    rule: 'a 4095-byte word and the space after it',
    placement: 'server',
    snippet: `return 200 ${'b'.repeat(4095)} ;`,
    message: 'too long parameter "bbbbbbbbbb..." started',
    line: 1,
    column: 12,
  },
  {
    rule: 'a quoted word of 4095 bytes and its closing quote',
    placement: 'server',
    snippet: `return 200 "${'c'.repeat(4095)}";`,
    message: 'too long parameter "cccccccccc..." started',
    line: 1,
    column: 12,
  },
  {
    rule: 'a quoted word of 4094 bytes, its quote and a space',
    placement: 'server',
    snippet: `return 200 '${'d'.repeat(4094)}' ;`,
    message: 'too long parameter "dddddddddd..." started',
    line: 1,
    column: 12,
  },
  {
    rule: 'a word of 1366 three-byte characters',
    placement: 'server',
    snippet: `return 200 ${'€'.repeat(1366)};`,
    message: 'too long parameter "€€€\uFFFD..." started',
    line: 1,
    column: 12,
  },
  {
    rule: 'a word of 2048 two-byte characters',
    placement: 'server',
    snippet: `return 200 ${'é'.repeat(2048)};`,
    message: 'too long parameter "ééééé..." started',
    line: 1,
    column: 12,
  },
  {
    rule: 'a comment of 4096 bytes',
    placement: 'server',
    snippet: `return 200;\n  #${'c'.repeat(4095)}\n`,
    message: 'too long parameter "#ccccccccc..." started',
    line: 2,
    column: 3,
  },
  {
    rule: 'an open double quote running 4097 bytes to the end',
    placement: 'main',
    snippet: `worker_processes\n"${'e'.repeat(4097)}`,
    message: 'too long parameter, probably missing terminating """ character',
    line: 2,
    column: 1,
  },
  {
    rule: 'an open single quote running 4097 bytes to the end',
    placement: 'main',
    snippet: `worker_processes '${'e'.repeat(4097)}`,
    message: `too long parameter, probably missing terminating "'" character`,
    line: 1,
    column: 18,
  },
  {
    rule: 'an open quote of 4096 bytes reaches the end first',
    placement: 'main',
    snippet: `worker_processes "${'e'.repeat(4096)}`,
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 1,
    column: 4115,
  },
  {
    rule: 'a word running 4097 bytes to the end',
    placement: 'main',
    snippet: `worker_processes ${'f'.repeat(4097)}`,
    message: 'too long parameter "ffffffffff..." started',
    line: 1,
    column: 18,
  },
  {
    rule: 'a word running 4096 bytes to the end',
    placement: 'main',
    snippet: `worker_processes ${'f'.repeat(4096)}`,
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 1,
    column: 4114,
  },
  {
    rule: 'a 4095-byte word, a line break and the end',
    placement: 'main',
    snippet: `worker_processes ${'f'.repeat(4095)}\n`,
    message: 'unexpected end of file, expecting ";" or "}"',
    line: 2,
    column: 1,
  },
];

describe('syntax errors carry nginx message and line', () => {
  describe.each(errorCases)('$rule', (errorCase) => {
    const placed = place(errorCase.snippet, errorCase.placement);

    it('reports the message at the expected position', () => {
      const verdict = parserVerdict(placed.text);
      expect(verdict).toEqual({ message: errorCase.message, line: errorCase.line + placed.linesBefore, column: errorCase.column });
    });

    it.runIf(nginxAvailable)('nginx reports the same message on the same line', () => {
      expect(nginxVerdict(placed.text)).toEqual({ message: errorCase.message, line: errorCase.line + placed.linesBefore });
    });
  });
});

describe('a deliberate difference from nginx', () => {
  const placed = place('return 200 "a"😀;', 'server');

  it('quotes the whole unexpected character', () => {
    expect(parserVerdict(placed.text)).toEqual({ message: 'unexpected "😀"', line: placed.linesBefore + 1, column: 15 });
  });

  it.runIf(nginxAvailable)('where nginx prints its first byte, which is no character on its own', () => {
    expect(nginxVerdict(placed.text)).toEqual({ message: 'unexpected "\uFFFD"', line: placed.linesBefore + 1 });
  });
});

describe('token positions', () => {
  it('gives each word its raw spelling, its value and its exact range', () => {
    const text = 'add_header X "a \\"b\\"" \'c\'\n;';
    const [statement] = lex(text).statements;
    expect(statement!.words).toEqual([
      { raw: 'add_header', value: 'add_header', quoted: false, start: 0, end: 10 },
      { raw: 'X', value: 'X', quoted: false, start: 11, end: 12 },
      { raw: '"a \\"b\\""', value: 'a "b"', quoted: true, start: 13, end: 22 },
      { raw: "'c'", value: 'c', quoted: true, start: 23, end: 26 },
    ]);
    expect(statement!.terminator).toBe(27);
  });

  it('keeps the backslash escapes of an unquoted word in raw and removes them from value', () => {
    const [statement] = lex('x a\\tb\\\\c\\"d;').statements;
    expect(statement!.words[1]).toEqual({ raw: 'a\\tb\\\\c\\"d', value: 'a\tb\\c"d', quoted: false, start: 2, end: 12 });
  });

  it.each([
    { text: 'a 1;\nb 2;\n', offset: 5, line: 2, column: 1, eol: '\n' },
    { text: 'a 1;\r\nb 2;\r\n', offset: 6, line: 2, column: 1, eol: '\r\n' },
    { text: 'a 1;\rb 2;', offset: 5, line: 1, column: 6, eol: '\n' },
    { text: '\ta\t1;\n\tb 2;', offset: 7, line: 2, column: 2, eol: '\n' },
    { text: 'a é;\nb 2;', offset: 5, line: 2, column: 1, eol: '\n' },
    { text: 'a "€€" b;', offset: 7, line: 1, column: 8, eol: '\n' },
  ])('maps offset $offset of $text to line $line, column $column', ({ text, offset, line, column, eol }) => {
    const file = parse(text, 'positions.conf');
    const starts = lex(text).statements.flatMap((statement) => statement.words.map((word) => word.start));
    expect(starts).toContain(offset);
    expect(positionAt(file, offset)).toEqual({ line, column });
    expect(file.eol).toBe(eol);
  });

  it('records comments with their range, without the CR of a CRLF, and whether they own their line', () => {
    const text = '# own line\r\nserver_tokens off; # trailing\r\n  #indented\n#';
    expect(lex(text).comments).toEqual([
      { text: ' own line', start: 0, end: 10, ownLine: true },
      { text: ' trailing', start: 31, end: 41, ownLine: false },
      { text: 'indented', start: 45, end: 54, ownLine: true },
      { text: '', start: 55, end: 56, ownLine: true },
    ]);
  });

  it('collects a comment found between arguments without ending the statement', () => {
    const { statements, comments } = lex('proxy_pass # upstream below\n  http://app;');
    expect(statements.map((statement) => statement.words.map((word) => word.value))).toEqual([['proxy_pass', 'http://app']]);
    expect(comments).toEqual([{ text: ' upstream below', start: 11, end: 27, ownLine: false }]);
  });
});
