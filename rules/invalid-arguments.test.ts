import { testRule } from '../test/rule-tester.js';
import rule from './invalid-arguments.js';

testRule(rule, {
  valid: [
    {
      name: 'counts within the arity, flags in any case (nginx compares on/off case-insensitively)',
      files: 'events {}\nhttp {\n    gzip ON;\n    sendfile Off;\n    keepalive_timeout 65 60;\n    add_header X-Frame-Options DENY always;\n}\n',
    },
    {
      name: 'a missing ";" before a block is a syntax error, not this rule',
      files: 'events {}\nhttp {\n    server {\n        listen 80\n        location / {\n        }\n    }\n}\n',
    },
  ],
  invalid: [
    {
      name: 'no argument where one is required',
      files: 'events {}\nhttp {\n    server {\n        listen;\n    }\n}\n',
      errors: [{ line: 4, column: 9, messageId: 'invalid', data: { nginxMessage: 'invalid number of arguments in "listen" directive' } }],
      output: null,
    },
    {
      name: 'one argument too many',
      files: 'events {}\nhttp {\n    keepalive_timeout 1 2 3;\n}\n',
      errors: [{ line: 3, column: 5, messageId: 'invalid', data: { nginxMessage: 'invalid number of arguments in "keepalive_timeout" directive' } }],
    },
    {
      name: 'at the top level',
      files: 'worker_processes;\nevents {}\n',
      errors: [{ line: 1, column: 1, messageId: 'invalid', data: { nginxMessage: 'invalid number of arguments in "worker_processes" directive' } }],
    },
    {
      name: 'a flag with a value other than on or off',
      files: 'events {}\nhttp {\n    gzip yes;\n}\n',
      errors: [
        { line: 3, column: 5, messageId: 'invalid', data: { nginxMessage: 'invalid value "yes" in "gzip" directive, it must be "on" or "off"' } },
      ],
      output: null,
    },
    {
      name: 'a statement over several lines: the line of its ";", as nginx names it',
      files: 'events {}\nhttp {\n    proxy_read_timeout\n        30s\n        60s;\n}\n',
      errors: [
        { line: 5, column: 12, messageId: 'invalid', data: { nginxMessage: 'invalid number of arguments in "proxy_read_timeout" directive' } },
      ],
    },
    {
      name: 'in an included file: under its own path',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
        'conf.d/site.conf': 'server {\n    listen 80;\n    tcp_nodelay maybe;\n}\n',
      },
      errors: [
        {
          file: 'conf.d/site.conf',
          line: 3,
          column: 5,
          messageId: 'invalid',
          data: { nginxMessage: 'invalid value "maybe" in "tcp_nodelay" directive, it must be "on" or "off"' },
        },
      ],
    },
  ],
});
