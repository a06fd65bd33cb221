import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Directive, SourceFile } from '../src/syntax/ast.js';
import { applyTextChanges } from '../src/fix/apply.js';
import {
  indentUnit,
  insertStatementAfter,
  insertStatementsInBlock,
  quoteIfNeeded,
  removeStatement,
  replaceArgs,
  replaceToken,
} from '../src/syntax/edits.js';
import { parse } from '../src/syntax/parser.js';
import type { TextChange } from '../src/lint/rule.js';
import { buildTree } from '../src/load/tree.js';

const LINE_ENDINGS = [
  { name: 'LF', eol: '\n' },
  { name: 'CRLF', eol: '\r\n' },
] as const;

/** Parses a config written with LF, converted to the line ending under test. */
function parseWith(eol: string, text: string): SourceFile {
  return parse(text.replace(/\n/g, eol), '/etc/nginx/test.conf');
}

/** Every statement of a parsed file, depth first in source order. */
function allStatements(file: SourceFile): Directive[] {
  const found: Directive[] = [];
  const visit = (directives: readonly Directive[]) => {
    for (const directive of directives) {
      found.push(directive);
      if (directive.children) visit(directive.children);
    }
  };
  visit(file.directives);
  return found;
}

/** The first statement with this name, depth first in source order. */
function find(file: SourceFile, name: string): Directive {
  const found = allStatements(file).find((directive) => directive.name === name);
  if (!found) throw new Error(`no "${name}" statement`);
  return found;
}

/** Applies one fix, checks every change applied and the result parses cleanly, and returns the text with LF. */
function fixed(file: SourceFile, changes: readonly TextChange[]): string {
  const result = applyTextChanges(file.text, changes);
  expect(result.deferred).toEqual([]);
  expect(parse(result.text, file.path).errors).toEqual([]);
  if (file.eol === '\r\n') expect(result.text.replace(/\r\n/g, '')).not.toContain('\n');
  return result.text.replace(/\r\n/g, '\n');
}

describe.each(LINE_ENDINGS)('fixer helpers on $name text', ({ eol }) => {
  describe('replaceToken', () => {
    it('replaces one argument and nothing else', () => {
      const file = parseWith(eol, 'location / {\n    proxy_read_timeout 5s; # too short\n}\n');
      const directive = find(file, 'proxy_read_timeout');
      expect(fixed(file, replaceToken(file, directive.args[0]!, '60s'))).toBe('location / {\n    proxy_read_timeout 60s; # too short\n}\n');
    });
  });

  describe('replaceArgs', () => {
    it('replaces arguments one for one', () => {
      const file = parseWith(eol, 'listen 80 default_server;\n');
      expect(fixed(file, replaceArgs(find(file, 'listen'), ['443', 'ssl']))).toBe('listen 443 ssl;\n');
    });

    it('appends surplus new arguments after the last one', () => {
      const file = parseWith(eol, 'listen 80;\n');
      expect(fixed(file, replaceArgs(find(file, 'listen'), ['80', 'reuseport', 'backlog=4096']))).toBe('listen 80 reuseport backlog=4096;\n');
    });

    it('inserts after the name when the statement has no arguments', () => {
      const file = parseWith(eol, 'worker_processes;\nserver{\n}\n');
      expect(fixed(file, replaceArgs(find(file, 'worker_processes'), ['auto']))).toBe('worker_processes auto;\nserver{\n}\n');
      expect(fixed(file, replaceArgs(find(file, 'server'), ['x']))).toBe('worker_processes;\nserver x{\n}\n');
    });

    it('removes surplus old arguments with the blanks before them', () => {
      const file = parseWith(eol, 'listen 80   default_server  reuseport;\n');
      expect(fixed(file, replaceArgs(find(file, 'listen'), ['8080']))).toBe('listen 8080;\n');
    });

    it('keeps a multi-line layout and the comments between arguments', () => {
      const file = parseWith(eol, "log_format main\n    '$remote_addr' # who\n    '$status';\n");
      expect(fixed(file, replaceArgs(find(file, 'log_format'), ['main', "'$host'", "'$status'"]))).toBe(
        "log_format main\n    '$host' # who\n    '$status';\n",
      );
      expect(fixed(file, replaceArgs(find(file, 'log_format'), ['main', "'$host'"]))).toBe("log_format main\n    '$host' # who\n;\n");
    });

    it('proposes no change when the arguments are already the ones asked for', () => {
      const file = parseWith(eol, 'listen 80;\n');
      expect(replaceArgs(find(file, 'listen'), ['80'])).toEqual([]);
    });
  });

  describe('insertStatementAfter', () => {
    it('adds a line with the statement’s indentation', () => {
      const file = parseWith(eol, 'http {\n    server {\n        listen 80;\n    }\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'listen'), 'server_name example.com;'))).toBe(
        'http {\n    server {\n        listen 80;\n        server_name example.com;\n    }\n}\n',
      );
    });

    it('keeps a trailing comment on the statement it explains', () => {
      const file = parseWith(eol, 'http {\n\tgzip on; # compress\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'gzip'), 'gzip_vary on;'))).toBe('http {\n\tgzip on; # compress\n\tgzip_vary on;\n}\n');
    });

    it('breaks the line when another statement follows on it', () => {
      const file = parseWith(eol, 'http {\n    sendfile on; tcp_nopush on;\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'sendfile'), 'tcp_nodelay on;'))).toBe(
        'http {\n    sendfile on;\n    tcp_nodelay on;\n    tcp_nopush on;\n}\n',
      );
    });

    it('breaks the line before a closing brace that follows on it', () => {
      const file = parseWith(eol, 'http {\n    server {\n        listen 80; }\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'listen'), 'listen [::]:80;'))).toBe(
        'http {\n    server {\n        listen 80;\n        listen [::]:80;\n    }\n}\n',
      );
    });

    it('spreads a one-line block over several lines', () => {
      const file = parseWith(eol, 'server {\n    location / { proxy_pass http://a; proxy_buffering off; } # app\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'proxy_pass'), 'proxy_http_version 1.1;'))).toBe(
        'server {\n    location / {\n        proxy_pass http://a;\n        proxy_http_version 1.1;\n        proxy_buffering off;\n    } # app\n}\n',
      );
    });

    it('goes after a whole block', () => {
      const file = parseWith(eol, 'http {\n    upstream app {\n        server 127.0.0.1:8080;\n    }\n}\n');
      expect(fixed(file, insertStatementAfter(find(file, 'upstream'), 'map $a $b {\n    default 0;\n}'))).toBe(
        'http {\n    upstream app {\n        server 127.0.0.1:8080;\n    }\n    map $a $b {\n        default 0;\n    }\n}\n',
      );
    });

    it('works on the last line of a file without a final line break', () => {
      const file = parseWith(eol, 'user nginx;');
      expect(fixed(file, insertStatementAfter(find(file, 'user'), 'worker_processes auto;'))).toBe('user nginx;\nworker_processes auto;');
    });
  });

  describe('insertStatementsInBlock', () => {
    it('indents like the block’s existing children, at the start and at the end', () => {
      const file = parseWith(eol, 'server { # main site\n  listen 80;\n  root /srv;\n}\n');
      const server = find(file, 'server');
      expect(fixed(file, insertStatementsInBlock(server, ['a 1;', 'b 2;'], 'start'))).toBe(
        'server { # main site\n  a 1;\n  b 2;\n  listen 80;\n  root /srv;\n}\n',
      );
      expect(fixed(file, insertStatementsInBlock(server, ['a 1;', 'b 2;'], 'end'))).toBe(
        'server { # main site\n  listen 80;\n  root /srv;\n  a 1;\n  b 2;\n}\n',
      );
    });

    it('indents an empty block one step deeper, using the file’s step', () => {
      const file = parseWith(eol, 'http {\n  server {\n  }\n}\n');
      expect(fixed(file, insertStatementsInBlock(find(file, 'server'), ['listen 80;'], 'end'))).toBe('http {\n  server {\n    listen 80;\n  }\n}\n');
    });

    it('indents with TABs in a file indented with TABs', () => {
      const file = parseWith(eol, 'http {\n\tserver {\n\t\tlisten 80;\n\t}\n\tupstream app {\n\t}\n}\n');
      expect(fixed(file, insertStatementsInBlock(find(file, 'upstream'), ['keepalive 16;'], 'start'))).toBe(
        'http {\n\tserver {\n\t\tlisten 80;\n\t}\n\tupstream app {\n\t\tkeepalive 16;\n\t}\n}\n',
      );
    });

    it('spreads a one-line block over several lines, 4 spaces in when the file shows no step', () => {
      const file = parseWith(eol, 'location / { proxy_pass http://a; }');
      const location = find(file, 'location');
      expect(fixed(file, insertStatementsInBlock(location, ['proxy_read_timeout 60s;'], 'end'))).toBe(
        'location / {\n    proxy_pass http://a;\n    proxy_read_timeout 60s;\n}',
      );
      expect(fixed(file, insertStatementsInBlock(location, ['proxy_read_timeout 60s;'], 'start'))).toBe(
        'location / {\n    proxy_read_timeout 60s;\n    proxy_pass http://a;\n}',
      );
    });

    it('fills an empty one-line block', () => {
      const file = parseWith(eol, 'http {\n    server {\n        location /{}\n    }\n}\n');
      expect(fixed(file, insertStatementsInBlock(find(file, 'location'), ['return 404;'], 'start'))).toBe(
        'http {\n    server {\n        location /{\n            return 404;\n        }\n    }\n}\n',
      );
    });

    it('breaks the line before a closing brace that shares the last child’s line', () => {
      const file = parseWith(eol, 'events {\n    worker_connections 1024; }\n');
      expect(fixed(file, insertStatementsInBlock(find(file, 'events'), ['multi_accept on;'], 'end'))).toBe(
        'events {\n    worker_connections 1024;\n    multi_accept on;\n}\n',
      );
    });

    it('refuses statements that are not blocks of nginx statements', () => {
      const file = parseWith(eol, 'listen 80;\ncontent_by_lua_block { ngx.say("x") }\n');
      expect(() => insertStatementsInBlock(find(file, 'listen'), ['a;'], 'end')).toThrow(/not a closed block/);
      expect(() => insertStatementsInBlock(find(file, 'content_by_lua_block'), ['a;'], 'end')).toThrow(/not a closed block/);
    });
  });

  describe('removeStatement', () => {
    it('removes the whole line of a statement alone on it', () => {
      const file = parseWith(eol, 'http {\n    gzip on;\n    sendfile on;\n}\n');
      expect(fixed(file, removeStatement(find(file, 'gzip')))).toBe('http {\n    sendfile on;\n}\n');
    });

    it('removes a whole block over several lines', () => {
      const file = parseWith(eol, 'http {\n    server {\n        listen 80;\n    }\n    gzip on;\n}\n');
      expect(fixed(file, removeStatement(find(file, 'server')))).toBe('http {\n    gzip on;\n}\n');
    });

    it('takes the line break before a last line that has none, keeping the file’s unterminated ending', () => {
      const file = parseWith(eol, 'user nginx;\nworker_processes 4;');
      expect(fixed(file, removeStatement(find(file, 'worker_processes')))).toBe('user nginx;');
      const only = parseWith(eol, 'user nginx;');
      expect(fixed(only, removeStatement(find(only, 'user')))).toBe('');
    });

    it('removes only the statement from a line it shares', () => {
      const file = parseWith(eol, '    sendfile on;  tcp_nopush on;\n');
      expect(fixed(file, removeStatement(find(file, 'sendfile')))).toBe('    tcp_nopush on;\n');
      expect(fixed(file, removeStatement(find(file, 'tcp_nopush')))).toBe('    sendfile on;\n');
    });

    it('keeps a comment that shares the line', () => {
      const file = parseWith(eol, 'http {\n    gzip on; # compress\n}\n');
      expect(fixed(file, removeStatement(find(file, 'gzip')))).toBe('http {\n    # compress\n}\n');
    });

    it('removes a statement from a one-line block', () => {
      const file = parseWith(eol, 'location / { proxy_pass http://a; return 200; }\n');
      expect(fixed(file, removeStatement(find(file, 'return')))).toBe('location / { proxy_pass http://a; }\n');
    });
  });
});

describe('indentUnit', () => {
  it('is the most common nesting step', () => {
    const file = parse('http {\n  server {\n    listen 80;\n    root /srv;\n  }\n  gzip on;\n}\nevents {\n        x 1;\n}\n', 'a.conf');
    expect(indentUnit(file)).toBe('  ');
  });

  it('is a TAB for a flat file indented with TABs, else 4 spaces', () => {
    expect(indentUnit(parse('\tuser nginx;\n', 'a.conf'))).toBe('\t');
    expect(indentUnit(parse('user nginx;\n', 'a.conf'))).toBe('    ');
  });
});

describe('helpers accept tree nodes', () => {
  it('uses the directive of a ConfigNode', () => {
    const file = parse('events {\n    worker_connections 512;\n}\n', '/etc/nginx/nginx.conf');
    const program = { entry: file, files: new Map([[file.path, file]]), includes: new Map(), prefix: '/etc/nginx', fromDump: false };
    const events = buildTree(program, 'main').roots[0]!;
    const directive = events.children[0]!;
    expect(fixed(file, replaceArgs(directive, ['4096']))).toBe('events {\n    worker_connections 4096;\n}\n');
  });
});

describe('quoteIfNeeded', () => {
  it.each([
    ['60s', '60s'],
    ['$host$request_uri', '$host$request_uri'],
    ['a#b', 'a#b'],
    ['', '""'],
    ['#x', '"#x"'],
    ['two words', '"two words"'],
    ['a;b', '"a;b"'],
    ['${var}', '"${var}"'],
    ['say "hi"', '"say \\"hi\\""'],
    ["it's", '"it\'s"'],
    ['C:\\path', '"C:\\\\path"'],
  ])('spells %j as %s', (value, spelling) => {
    expect(quoteIfNeeded(value)).toBe(spelling);
  });

  it('gives a spelling nginx reads back as the same single value', () => {
    // Every character the tokenizer treats specially, escape letters, and ordinary ones.
    const characters = fc.constantFrom(' ', '\t', '\r', '\n', ';', '{', '}', '(', ')', '"', "'", '\\', '#', '$', 'n', 't', 'a', 'é', '😀');
    fc.assert(
      fc.property(fc.string({ unit: characters, maxLength: 40 }), (value) => {
        const file = parse(`set $x ${quoteIfNeeded(value)};\n`, 'a.conf');
        expect(file.errors).toEqual([]);
        expect(file.directives[0]!.args.map((arg) => arg.value)).toEqual(['$x', value]);
      }),
    );
  });
});

describe('helpers on arbitrary layouts', () => {
  interface GeneratedStatement {
    readonly name: string;
    readonly args: readonly string[];
    readonly children: readonly GeneratedStatement[] | null;
  }

  /** Renders statements with a random layout: one-line blocks, shared lines, comments, TABs, no final line break. */
  function render(statements: readonly GeneratedStatement[], separators: () => string, eol: string): string {
    return statements
      .map((statement) => {
        const args = statement.args.map((arg) => separators().replace(/^$/, ' ') + arg).join('');
        const body = statement.children === null ? ';' : `{${render(statement.children, separators, eol)}${separators()}}`;
        return `${separators()}${statement.name}${args}${separators()}${body}`.replace(/\n/g, eol);
      })
      .join('');
  }

  const { statements } = fc.letrec((tie) => ({
    statement: fc.record({
      name: fc.constantFrom('gzip', 'listen', 'location', 'server'),
      args: fc.array(fc.constantFrom('on', '80', '"a b"', "'$x'"), { maxLength: 3 }),
      children: fc.oneof({ depthSize: 'small', maxDepth: 3 }, fc.constant(null), tie('statements')),
    }),
    statements: fc.array(tie('statement'), { maxLength: 4 }),
  })) as { statements: fc.Arbitrary<GeneratedStatement[]> };

  const layouts = fc.record({
    statements,
    eol: fc.constantFrom('\n', '\r\n'),
    separatorChoices: fc.array(fc.constantFrom('', ' ', '\n', '\n    ', '\n\t\t', ' # note\n  '), { minLength: 1, maxLength: 30 }),
  });

  it('always produce text that parses, keeps every comment and changes only what was asked', () => {
    fc.assert(
      fc.property(layouts, ({ statements: generated, eol, separatorChoices }) => {
        let next = 0;
        const separators = () => separatorChoices[next++ % separatorChoices.length]!;
        const file = parse(render(generated, separators, eol), 'a.conf');
        expect(file.errors).toEqual([]);
        const count = allStatements(file).length;
        const commentsOutside = (removed?: Directive) =>
          file.comments.filter((comment) => !removed || comment.start < removed.start || comment.start >= removed.end).map((comment) => comment.text);

        const check = (changes: readonly TextChange[], expectedCount: number, removed?: Directive) => {
          const result = applyTextChanges(file.text, changes);
          expect(result.deferred).toEqual([]);
          const after = parse(result.text, 'a.conf');
          expect(after.errors).toEqual([]);
          expect(allStatements(after)).toHaveLength(expectedCount);
          expect(after.comments.map((comment) => comment.text)).toEqual(commentsOutside(removed));
          // file.eol, not eol: a layout without any line break is LF as far as the file can tell.
          if (file.eol === '\r\n') expect(result.text.replace(/\r\n/g, '')).not.toContain('\n');
          return after;
        };

        for (const directive of allStatements(file)) {
          check(insertStatementAfter(directive, 'added 1;'), count + 1);
          const removedCount = 1 + allStatements({ ...file, directives: directive.children ?? [] }).length;
          check(removeStatement(directive), count - removedCount, directive);
          const replaced = check(replaceArgs(directive, ['x', quoteIfNeeded('y z')]), count);
          const sameStatement = allStatements(replaced).find((candidate) => candidate.start === directive.start)!;
          expect(sameStatement.args.map((arg) => arg.value)).toEqual(['x', 'y z']);
          if (directive.children) {
            for (const position of ['start', 'end'] as const) {
              const after = check(insertStatementsInBlock(directive, ['first 1;', 'second 2;'], position), count + 2);
              const block = allStatements(after).find((candidate) => candidate.start === directive.start)!;
              const names = block.children!.map((child) => child.name);
              expect(position === 'start' ? names.slice(0, 2) : names.slice(-2)).toEqual(['first', 'second']);
            }
          }
        }
      }),
      // Each run checks every helper on every statement; a 20 000-run session found nothing beyond these.
      { numRuns: 100 },
    );
  });
});
