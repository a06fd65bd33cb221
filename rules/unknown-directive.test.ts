import { testRule } from '../test/rule-tester.js';
import rule from './unknown-directive.js';

testRule(rule, {
  valid: [
    {
      files:
        'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n',
    },
    {
      name: 'the lines of map and types bodies are not directives',
      files:
        'events {}\nhttp {\n    map $uri $cached {\n        default 0;\n        /static 1;\n    }\n    types {\n        text/html html;\n    }\n}\n',
    },
    {
      name: 'third-party module directives (lua, headers-more) are known',
      files:
        'events {}\nhttp {\n    server {\n        location / {\n            more_set_headers "X-A: b";\n            content_by_lua_block {\n                ngx.say("hi")\n            }\n        }\n    }\n}\n',
    },
    { name: 'a directive the configured nginx already has', files: 'events {}\nhttp {\n    keepalive_time 1h;\n}\n', nginxVersion: '1.19.10' },
  ],
  invalid: [
    {
      name: 'a typo: did-you-mean, offered as a suggestion that --fix never applies',
      files: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_passs http://127.0.0.1:8080;\n        }\n    }\n}\n',
      errors: [
        {
          line: 5,
          column: 13,
          messageId: 'didYouMean',
          data: { nginxMessage: 'unknown directive "proxy_passs"', suggestion: 'proxy_pass' },
          suggestions: ['Rename to "proxy_pass"'],
        },
      ],
      output: null,
    },
    {
      name: 'a # inside a word is part of it (nginx: unknown directive "server_name#")',
      files: 'events {}\nhttp {\n    server {\n        server_name# example.com;\n    }\n}\n',
      errors: [
        {
          line: 4,
          column: 9,
          messageId: 'didYouMean',
          data: { nginxMessage: 'unknown directive "server_name#"', suggestion: 'server_name' },
          suggestions: ['Rename to "server_name"'],
        },
      ],
      output: null,
    },
    {
      name: 'a statement over several lines: the line of its ";", as nginx names it',
      files: 'events {}\nhttp {\n    proxy_set_headr\n        Host\n        $host;\n}\n',
      errors: [
        {
          line: 5,
          column: 14,
          messageId: 'didYouMean',
          data: { nginxMessage: 'unknown directive "proxy_set_headr"', suggestion: 'proxy_set_header' },
          suggestions: ['Rename to "proxy_set_header"'],
        },
      ],
      output: null,
    },
    {
      name: 'a name close to nothing: no suggestion and no fix',
      files: 'events {}\nhttp {\n    frobnicate_everything on;\n}\n',
      errors: [{ line: 3, column: 5, messageId: 'unknown', data: { nginxMessage: 'unknown directive "frobnicate_everything"' } }],
      output: null,
    },
    {
      name: 'newer than the configured nginx',
      files: 'events {}\nhttp {\n    keepalive_time 1h;\n}\n',
      nginxVersion: '1.18.0',
      errors: [{ line: 3, column: 5, messageId: 'tooNew', data: { nginxMessage: 'unknown directive "keepalive_time"', addedIn: '1.19.10' } }],
      output: null,
    },
    {
      name: 'removed from nginx before the configured release',
      files: 'events {}\nhttp {\n    server {\n        listen 443;\n        ssl on;\n    }\n}\n',
      nginxVersion: '1.26.0',
      errors: [{ line: 5, column: 9, messageId: 'removed', data: { nginxMessage: 'unknown directive "ssl"', removedIn: '1.25.1' } }],
      output: null,
    },
    {
      name: 'in an included file: reported under its own path',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
        'conf.d/site.conf': 'server {\n    listen 80;\n    gzipp on;\n}\n',
      },
      errors: [
        {
          file: 'conf.d/site.conf',
          line: 3,
          column: 5,
          messageId: 'didYouMean',
          data: { nginxMessage: 'unknown directive "gzipp"', suggestion: 'gzip' },
          suggestions: ['Rename to "gzip"'],
        },
      ],
      output: null,
    },
  ],
});
