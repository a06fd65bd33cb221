import { testRule } from '../test/rule-tester.js';
import rule from './unknown-directive.js';

testRule(rule, {
  valid: [
    { files: 'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n' },
    {
      name: 'the lines of map and types bodies are not directives',
      files: 'events {}\nhttp {\n    map $uri $cached {\n        default 0;\n        /static 1;\n    }\n    types {\n        text/html html;\n    }\n}\n',
    },
    {
      name: 'third-party module directives (lua, headers-more) are known',
      files: 'events {}\nhttp {\n    server {\n        location / {\n            more_set_headers "X-A: b";\n            content_by_lua_block {\n                ngx.say("hi")\n            }\n        }\n    }\n}\n',
    },
    { name: 'a directive the configured nginx already has', files: 'events {}\nhttp {\n    keepalive_time 1h;\n}\n', nginxVersion: '1.19.10' },
  ],
  invalid: [
    {
      name: 'a typo: did-you-mean, and --fix renames it',
      files: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_passs http://127.0.0.1:8080;\n        }\n    }\n}\n',
      errors: [{ line: 5, column: 13, message: 'unknown directive "proxy_passs" — did you mean "proxy_pass"?' }],
      output: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n',
    },
    {
      name: 'a # inside a word is part of it (nginx: unknown directive "server_name#")',
      files: 'events {}\nhttp {\n    server {\n        server_name# example.com;\n    }\n}\n',
      errors: [{ line: 4, column: 9, message: 'unknown directive "server_name#" — did you mean "server_name"?' }],
      output: 'events {}\nhttp {\n    server {\n        server_name example.com;\n    }\n}\n',
    },
    {
      name: 'a statement over several lines: the line of its ";", as nginx names it',
      files: 'events {}\nhttp {\n    proxy_set_headr\n        Host\n        $host;\n}\n',
      errors: [{ line: 5, column: 14, message: 'unknown directive "proxy_set_headr" — did you mean "proxy_set_header"?' }],
      output: 'events {}\nhttp {\n    proxy_set_header\n        Host\n        $host;\n}\n',
    },
    {
      name: 'a name close to nothing: no suggestion and no fix',
      files: 'events {}\nhttp {\n    frobnicate_everything on;\n}\n',
      errors: [{ line: 3, column: 5, message: 'unknown directive "frobnicate_everything" — check the spelling, or load the module that provides it' }],
      output: null,
    },
    {
      name: 'newer than the configured nginx',
      files: 'events {}\nhttp {\n    keepalive_time 1h;\n}\n',
      nginxVersion: '1.18.0',
      errors: [{ line: 3, column: 5, message: 'unknown directive "keepalive_time" — it appeared in nginx 1.19.10; set nginxVersion if you run a newer nginx' }],
      output: null,
    },
    {
      name: 'removed from nginx before the configured release',
      files: 'events {}\nhttp {\n    server {\n        listen 443;\n        ssl on;\n    }\n}\n',
      nginxVersion: '1.26.0',
      errors: [{ line: 5, column: 9, message: 'unknown directive "ssl" — nginx removed it in 1.25.1' }],
      output: null,
    },
    {
      name: 'in an included file: reported and fixed under its own path',
      files: { 'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n', 'conf.d/site.conf': 'server {\n    listen 80;\n    gzipp on;\n}\n' },
      errors: [{ file: 'conf.d/site.conf', line: 3, column: 5, message: 'unknown directive "gzipp" — did you mean "gzip"?' }],
      output: { 'conf.d/site.conf': 'server {\n    listen 80;\n    gzip on;\n}\n' },
    },
  ],
});
