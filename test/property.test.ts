/**
 * Random and mutated configs: `parse` must never throw and must hand out ranges every consumer can trust. A smaller
 * run also feeds the mutants to the real nginx and holds our first syntax error to nginx's, and configs whose
 * argument values and variables are drawn from valid and invalid ones hold the handler checks to nginx's first error.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { positionAt, type Directive, type SourceFile } from '../src/syntax/ast.js';
import { parse } from '../src/syntax/parser.js';
import { luaModuleAvailable, NGINX_T_RULES, nginxAvailable, nginxVerdict, parserVerdict, place } from './helpers/nginx.js';

/** Valid configs to mutate. No includes, hostnames or file paths: nginx -t would try to open or resolve them. */
const SEEDS = [
  'worker_processes 2;\nevents { worker_connections 512; }\n',
  [
    'events {}',
    'http {',
    '  # upstreams',
    '  upstream app { server 127.0.0.1:8080 max_fails=3; keepalive 16; }',
    '  map $http_upgrade $connection_upgrade { default upgrade; "" close; }',
    '  server {',
    '    server_name example.com "~^(?<sub>.+)\\.example\\.com$";',
    '    set $a ${host}x;',
    "    add_header X-Test 'semi;colon {brace} #hash' always;",
    '    location ~* "\\.(jpg|png){3}$" { return 200 a}b; }',
    '    location / {',
    '      if ($request_method = "POST") { return 405; }',
    '      rewrite ^/old/(.*)$ /new/$1 permanent;',
    '    }',
    '  }',
    '}',
    '',
  ].join('\r\n'),
  'events {}\nhttp {\n\tgzip on;\n\tgzip_types text/plain\n\t\tapplication/json; # trailing\n\tkeepalive_timeout 65s;\n}\n',
];

const LUA_SEED = [
  'events {}',
  'http {',
  '  server {',
  '    location / {',
  '      content_by_lua_block {',
  '        local s = "}" .. \'}\' -- }',
  '        local t = { [[ } ]], [==[ ]] } ]==] }',
  '        --[[ } ]] ngx.say(s)',
  '      }',
  '    }',
  '  }',
  '}',
  '',
].join('\n');

/** Characters and pairs that steer the tokenizer, plus arbitrary code points (NUL-free: the loader rejects NUL). */
const piece = fc.oneof(
  fc.constantFrom('"', "'", '{', '}', ';', '#', '\\', '$', '${', '\r', '\n', '\r\n', ' ', '\t', '(', ')', '[[', ']]', '--', '[=[', 'é', '€', '😀'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }).filter((text) => !text.includes('\0')),
);

type Edit = { readonly at: number; readonly remove: number; readonly insert: string };

const edit: fc.Arbitrary<Edit> = fc.record({ at: fc.nat(), remove: fc.nat({ max: 6 }), insert: fc.oneof(fc.constant(''), piece) });

function applyEdits(seed: string, edits: readonly Edit[]): string {
  let text = seed;
  for (const { at, remove, insert } of edits) {
    const position = at % (text.length + 1);
    text = text.slice(0, position) + insert + text.slice(position + remove);
  }
  return text;
}

const mutant = (seeds: readonly string[]) =>
  fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { minLength: 1, maxLength: 8 })).map(([seed, edits]) => applyEdits(seed, edits));

const WORDS = ['server', 'location', 'proxy_pass', 'content_by_lua_block', 'set_by_lua_block', '$v', 'a', '"x y"', "'z'", 'http://app', '~*'];
const soup = fc.array(fc.oneof(piece, fc.constantFrom(...WORDS)), { maxLength: 60 }).map((pieces) => pieces.join(''));

interface Range {
  readonly start: number;
  readonly end: number;
}

function allDirectives(file: SourceFile): Directive[] {
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

/** Every invariant consumers of the tree rely on, as a list of violations (checked in bulk: `expect` is slow). */
function invariantViolations(text: string): string[] {
  const file = parse(text, 'fuzz.conf');
  const violations: string[] = [];
  const check = (holds: boolean, what: string) => {
    if (!holds) violations.push(what);
  };
  const lineLengths = text.split('\n').map((line) => line.length);
  const checkRange = (range: Range, what: string) =>
    check(0 <= range.start && range.start <= range.end && range.end <= text.length, `${what} [${range.start}, ${range.end}) outside the text`);
  const checkPosition = (offset: number, what: string) => {
    const { line, column } = positionAt(file, offset);
    const lineLength = lineLengths[line - 1];
    check(lineLength !== undefined && column >= 1 && column <= lineLength + 1, `${what} ${offset} maps to ${line}:${column}`);
  };

  const directives = allDirectives(file);
  const tokens = directives.flatMap((directive) => [directive.nameToken, ...directive.args, ...(directive.luaBody ? [directive.luaBody] : [])]);
  for (const token of tokens) {
    checkRange(token, `token ${JSON.stringify(token.raw)}`);
    check(token.raw === text.slice(token.start, token.end), `token raw ${JSON.stringify(token.raw)} is not its text`);
    checkPosition(token.start, 'token start');
    checkPosition(token.end, 'token end');
  }
  for (const directive of directives) {
    checkRange(directive, `directive ${directive.name}`);
    check(directive.start === directive.nameToken.start, `directive ${directive.name} does not start at its name`);
    check(
      directive.nameToken.end <= directive.terminatorStart && directive.terminatorStart <= directive.end,
      `directive ${directive.name} terminator outside its range`,
    );
    check(directive.blockEnd === -1 || text[directive.blockEnd] === '}', `directive ${directive.name} blockEnd is not a "}"`);
    if (directive.parent) {
      check(
        directive.start >= directive.parent.terminatorStart && directive.end <= directive.parent.end,
        `directive ${directive.name} outside its parent ${directive.parent.name}`,
      );
    }
  }
  check(file.errors.length <= 1, 'more than one error');
  for (const error of file.errors) {
    checkRange(error, `error ${error.message}`);
    check(0 <= error.offset && error.offset <= text.length, `error offset ${error.offset} outside the text`);
    checkPosition(error.offset, 'error offset');
  }
  for (const comment of file.comments) {
    checkRange(comment, 'comment');
    check(text[comment.start] === '#', `comment at ${comment.start} does not start with #`);
  }
  // Tokens and comments, in source order, never overlap.
  const ranges: Range[] = [...tokens, ...file.comments].sort((left, right) => left.start - right.start);
  for (let index = 1; index < ranges.length; index++) {
    check(ranges[index]!.start >= ranges[index - 1]!.end, `ranges overlap at ${ranges[index]!.start}`);
  }
  return violations;
}

describe('parse on random input', () => {
  it('keeps its invariants on mutated configs', () => {
    fc.assert(
      fc.property(mutant([...SEEDS, LUA_SEED]), (text) => {
        expect(invariantViolations(text)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps its invariants on token soup', () => {
    fc.assert(
      fc.property(soup, (text) => {
        expect(invariantViolations(text)).toEqual([]);
      }),
      { numRuns: 3000 },
    );
  });
});

/** What nginx's first error can be when it comes from reading the file rather than from a directive. */
const SYNTAX_MESSAGE = /^(unexpected |too long |Lua code block missing)/;

/**
 * nginx quotes the first byte of an unexpected character, which arrives here as U+FFFD when the character is not
 * ASCII; the parser quotes the whole character (see the lexer test "quotes the whole unexpected character").
 */
function asNginxQuotes(message: string | null): string | null {
  return message?.replace(/^unexpected "[^\x00-\x7f]+"$/u, 'unexpected "\uFFFD"') ?? null;
}

describe.runIf(nginxAvailable)('parse against nginx on mutated configs', () => {
  // Each run starts nginx once (about 10 ms), so this run is kept small.
  it('reports nginx first syntax error, and none before nginx stops', () => {
    const seeds = luaModuleAvailable ? [...SEEDS, LUA_SEED] : SEEDS;
    fc.assert(
      // A lone surrogate (an edit can split an emoji) cannot be written as UTF-8 unchanged.
      fc.property(
        mutant(seeds).filter((text) => !/\p{Cs}/u.test(text)),
        (text) => {
          const placed = place(text, 'main', { lua: luaModuleAvailable });
          const nginx = nginxVerdict(placed.text);
          const ours = parserVerdict(placed.text);
          if (nginx.message === null) {
            expect(ours.message).toBeNull();
          } else if (SYNTAX_MESSAGE.test(nginx.message)) {
            expect({ message: asNginxQuotes(ours.message), line: ours.line }).toEqual(nginx);
          } else if (nginx.line === null) {
            // A check after the whole file was read ("no events section"): the file had no syntax error.
            expect(ours.message).toBeNull();
          } else if (ours.line !== null) {
            // nginx stopped at a directive; a syntax error of ours can only come after that directive's end.
            expect(ours.line).toBeGreaterThanOrEqual(nginx.line);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

/** A config whose argument values and variables are drawn from pools of valid and invalid ones. */
const VALUE_POOLS = {
  time: ['10s', '1.5s', '10x', '1h30m', '5', 'ms', '30d', '1d1h'],
  size: ['1m', '10k', '1g', '1.5m', 'x', '0'],
  port: ['8080', '0', '99999', '80a'],
  serverParam: [
    '',
    'weight=2',
    'weight=0',
    'weight=two',
    'max_fails=3',
    'fail_timeout=10s',
    'fail_timeout=1x',
    'backup',
    'bogus=1',
    'down',
    'resolve',
  ],
  listen: ['8080', '127.0.0.1:8081', '[::1]:8082', '99999', '*:8083', '8084'],
  listenParam: ['', 'default_server', 'backlog=10', 'backlog=x', 'reuseport', 'spdy', 'ipv6only=on', 'bogus', 'ssl'],
  variable: ['$host', '$hots', '$http_x_a', '$arg_q', '$s', '$1', '$cookie_', '${request_uri}', '$undefined_var', 'text', '$named', '$m'],
  code: ['200', '301', '1000', 'abc', '444'],
  pass: ['http://127.0.0.1:9000', '127.0.0.1:9000', 'http://app', 'http://127.0.0.1:99999', 'https://127.0.0.1/x', 'http://unix:/tmp/x.sock'],
  format: ['main', 'combined', 'other'],
  use: ['epoll', 'poll', 'kqueue', 'select', 'eventport'],
} as const;

type ValueChoice = { readonly [K in keyof typeof VALUE_POOLS]: (typeof VALUE_POOLS)[K][number] };

const valueChoice: fc.Arbitrary<ValueChoice> = fc.record(
  Object.fromEntries(Object.entries(VALUE_POOLS).map(([key, pool]) => [key, fc.constantFrom(...pool)])) as {
    [K in keyof ValueChoice]: fc.Arbitrary<ValueChoice[K]>;
  },
);

function valueConfig(choice: ValueChoice): string {
  return [
    `events { use ${choice.use}; }`,
    'http {',
    `  log_format main '$remote_addr ${choice.variable}';`,
    `  proxy_read_timeout ${choice.time};`,
    `  client_max_body_size ${choice.size};`,
    '  map $uri $m { default 1; }',
    `  upstream app { server 127.0.0.1:${choice.port} ${choice.serverParam}; }`,
    '  server {',
    `    listen ${choice.listen} ${choice.listenParam};`,
    '    listen 8090 default_server;',
    `    set $s ${choice.variable};`,
    `    access_log /dev/null ${choice.format};`,
    '    location ~ ^/(?<named>.+)$ {',
    `      return ${choice.code} "$s ${choice.variable}";`,
    '    }',
    `    location /p { proxy_pass ${choice.pass}; }`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/** nginx checks these once everything is read (naming no line, or the upstream's), so they do not stop it earlier. */
const CHECKED_AT_THE_END =
  /^(unknown "[^"]*" variable|zero size shared memory zone|no "ssl_certificate" is defined|no ssl configured for the server|no servers in upstream)/;

async function handlerFindings(text: string): Promise<{ line: number; message: string }[]> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-values-'));
  try {
    writeFileSync(path.join(root, 'nginx.conf'), text);
    const rules = NGINX_T_RULES;
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ extends: [], rules: Object.fromEntries(rules.map((id) => [id, 'error'])) }));
    const run = await lint([path.join(root, 'nginx.conf')], { cwd: root, nginxVersion: '1.22.1' });
    return run.results
      .flatMap((result) => result.messages.map((message) => ({ line: message.line, message: message.message })))
      .sort((a, b) => a.line - b.line);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe.runIf(nginxAvailable)('handler checks against nginx on mutated values and variables', () => {
  it("reports nginx's first error at nginx's line, and nothing when nginx accepts", async () => {
    await fc.assert(
      fc.asyncProperty(valueChoice, async (choice) => {
        const text = valueConfig(choice);
        const nginx = nginxVerdict(text);
        const ours = await handlerFindings(text);
        if (nginx.message === null) {
          expect(ours).toEqual([]);
          return;
        }
        const readTime = ours.filter((finding) => !CHECKED_AT_THE_END.test(finding.message));
        if (nginx.line === null || CHECKED_AT_THE_END.test(nginx.message)) {
          expect(readTime).toEqual([]);
          expect(ours.some((finding) => finding.message.startsWith(nginx.message!))).toBe(true);
          return;
        }
        expect({ line: readTime[0]?.line, nginx: readTime[0]?.message.startsWith(`${nginx.message}:`) }).toEqual({ line: nginx.line, nginx: true });
      }),
      { numRuns: 150 },
    );
  });
});
