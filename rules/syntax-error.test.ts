import { testRule } from '../test/rule-tester.js';
import rule from './syntax-error.js';

testRule(rule, {
  valid: [
    { files: 'events {}\nhttp {\n    server {\n        listen 80;\n        return 200 a}b;\n    }\n}\n' },
    { name: 'a } inside a Lua string does not close the block', files: 'http { server { location / { content_by_lua_block { ngx.say("}") } } } }\n' },
  ],
  invalid: [
    // Where the ";" belongs (line and column after the last word of the statement that lacks it), with nginx's line
    // in the message. nginx 1.22.1 -t on each of these files: see docs/rules/syntax-error.md.
    {
      name: 'missing ; before a block: at the end of listen 8080, naming the line of the { where nginx stops',
      files: 'http {\n    server {\n        listen 8080\n\n        location / {\n        }\n    }\n}\n',
      errors: [
        {
          line: 3,
          column: 20,
          messageId: 'missingSemicolon',
          message: 'directive "listen" is not terminated by ";" at line 5: the ";" after "8080" is missing',
          data: { nginxMessage: 'directive "listen" is not terminated by ";"', nginxLine: 5, lastWord: '"8080"' },
          suggestions: ['insert ";" after "8080"'],
        },
      ],
      output: null,
    },
    {
      name: 'missing ; before a }: nginx says unexpected "}" at the line of the }',
      files: 'events {}\nhttp {\n    server {\n        listen 8080 # comment\n    }\n}\n',
      errors: [
        {
          line: 4,
          column: 20,
          message: 'unexpected "}" at line 5: the ";" after "8080" is missing',
          data: { nginxMessage: 'unexpected "}"', nginxLine: 5, lastWord: '"8080"' },
          suggestions: ['insert ";" after "8080"'],
        },
      ],
    },
    {
      name: 'missing ; on the same line as the }',
      files: 'events {}\nhttp { server { listen 8080 } }\n',
      errors: [{ line: 2, column: 28, message: 'unexpected "}" at line 2: the ";" after "8080" is missing' }],
    },
    {
      name: 'missing ; at the end of the file: nginx names the last line',
      files: 'events {}\nworker_processes 1',
      errors: [{ line: 2, column: 19, message: 'unexpected end of file, expecting ";" or "}" at line 2: the ";" after "1" is missing' }],
    },
    {
      name: "missing ; with the next statement on the same line: only nginx's position is known",
      files: 'http {\n    server {\n        listen 8080 location / {\n        }\n    }\n}\n',
      errors: [{ line: 3, column: 9, messageId: 'notTerminated', message: /^directive "listen" is not terminated by ";": is a ";" missing/ }],
    },
    {
      name: 'unterminated block: the line nginx names is the end of the file',
      files: 'http {\n    server {\n',
      errors: [{ line: 3, column: 1, message: /^unexpected end of file, expecting "}"/ }],
    },
    {
      name: 'a quote must be followed by a space',
      files: 'http { add_header X "left"-quote; }\n',
      errors: [{ line: 1, column: 8, message: /^unexpected "-"/ }],
    },
    {
      name: 'in an included file, under its own path',
      files: { 'nginx.conf': 'http {\n    include site.conf;\n}\n', 'site.conf': 'server {\n    listen 80;\n' },
      errors: [{ file: 'site.conf', line: 3, message: /^unexpected end of file/ }],
    },
  ],
});
