import { testRule } from '../test/rule-tester.js';
import rule from './syntax-error.js';

testRule(rule, {
  valid: [
    { files: 'events {}\nhttp {\n    server {\n        listen 80;\n        return 200 a}b;\n    }\n}\n' },
    { name: 'a } inside a Lua string does not close the block', files: 'http { server { location / { content_by_lua_block { ngx.say("}") } } } }\n' },
  ],
  invalid: [
    {
      name: 'missing ; before a block: nginx names the line of the {',
      files: 'http {\n    server {\n        listen 80\n        location / {\n        }\n    }\n}\n',
      errors: [{ line: 4, column: 20, messageId: 'missingSemicolon', data: { nginxMessage: 'directive "listen" is not terminated by ";"' } }],
      output: null,
    },
    {
      name: 'unexpected }',
      files: 'events {}\n}\n',
      errors: [{ line: 2, column: 1, message: /^unexpected "}"/ }],
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
