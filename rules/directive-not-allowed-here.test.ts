import { testRule } from '../test/rule-tester.js';
import rule from './directive-not-allowed-here.js';

testRule(rule, {
  valid: [
    {
      files:
        'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n',
    },
    {
      name: 'a snippet linted in the context it is included in (--context server)',
      files: 'location / {\n    proxy_pass http://127.0.0.1:8080;\n}\n',
      context: 'server',
    },
    {
      name: 'an if in a location, with what an if in a location accepts',
      files:
        'events {}\nhttp {\n    server {\n        location / {\n            if ($args) {\n                return 403;\n            }\n        }\n    }\n}\n',
    },
    {
      name: 'resolver in upstream, from nginx 1.27.3 on',
      files: 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8080;\n        resolver 127.0.0.1;\n    }\n}\n',
      nginxVersion: '1.27.3',
    },
    {
      name: 'stream server directives in a stream server',
      files: 'events {}\nstream {\n    server {\n        listen 5353;\n        proxy_pass 127.0.0.1:53;\n    }\n}\n',
    },
    {
      name: 'a snippet holding only an include is linted in the context the included statements need (a template fragment of nginx-proxy-manager)',
      files: {
        'snippets/exploits.conf': 'include block-exploits.conf;\n',
        'snippets/block-exploits.conf': 'set $block 0;\nif ($query_string ~ "union.*select") {\n    set $block 1;\n}\n',
      },
      entry: 'snippets/exploits.conf',
    },
  ],
  invalid: [
    {
      name: 'listen in location',
      files: 'events {}\nhttp {\n    server {\n        location / {\n            listen 8080;\n        }\n    }\n}\n',
      errors: [
        {
          line: 5,
          column: 13,
          messageId: 'notAllowed',
          data: { nginxMessage: '"listen" directive is not allowed here', where: ' (it is in location context)' },
        },
      ],
      output: null,
    },
    {
      name: 'proxy_pass in server',
      files: 'events {}\nhttp {\n    server {\n        listen 80;\n        proxy_pass http://127.0.0.1:8080;\n    }\n}\n',
      errors: [
        {
          line: 5,
          column: 9,
          messageId: 'notAllowed',
          data: { nginxMessage: '"proxy_pass" directive is not allowed here', where: ' (it is in server context)' },
        },
      ],
    },
    {
      name: 'if in http',
      files: 'events {}\nhttp {\n    if ($host = example.com) {\n        return 301 https://example.com;\n    }\n}\n',
      errors: [
        {
          line: 3,
          column: 5,
          messageId: 'notAllowed',
          data: { nginxMessage: '"if" directive is not allowed here', where: ' (it is in http context)' },
        },
      ],
    },
    {
      name: 'try_files in an if in a location',
      files:
        'events {}\nhttp {\n    server {\n        location / {\n            if ($args) {\n                try_files $uri =404;\n            }\n        }\n    }\n}\n',
      errors: [
        {
          line: 6,
          column: 17,
          messageId: 'notAllowed',
          data: { nginxMessage: '"try_files" directive is not allowed here', where: ' (it is in if in location context)' },
        },
      ],
    },
    {
      name: 'an events directive in http',
      files: 'events {}\nhttp {\n    worker_connections 1024;\n}\n',
      errors: [
        {
          line: 3,
          column: 5,
          messageId: 'notAllowed',
          data: { nginxMessage: '"worker_connections" directive is not allowed here', where: ' (it is in http context)' },
        },
      ],
    },
    {
      name: 'an http directive in a stream server',
      files: 'events {}\nstream {\n    server {\n        listen 5353;\n        proxy_set_header Host example.com;\n    }\n}\n',
      errors: [
        {
          line: 5,
          column: 9,
          messageId: 'notAllowed',
          data: { nginxMessage: '"proxy_set_header" directive is not allowed here', where: ' (it is in stream server context)' },
        },
      ],
    },
    {
      name: 'resolver in upstream before nginx 1.27.3',
      files: 'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:8080;\n        resolver 127.0.0.1;\n    }\n}\n',
      nginxVersion: '1.22.1',
      errors: [
        {
          line: 5,
          column: 9,
          messageId: 'notAllowed',
          data: { nginxMessage: '"resolver" directive is not allowed here', where: ' (it is in upstream context)' },
        },
      ],
    },
    {
      name: 'a server block at the top level of a main config (--context main)',
      files: 'server {\n    listen 80;\n}\n',
      context: 'main',
      errors: [
        {
          line: 1,
          column: 1,
          messageId: 'notAllowed',
          data: { nginxMessage: '"server" directive is not allowed here', where: ' (it is in main context)' },
        },
      ],
    },
    {
      name: 'in an included file: under its own path, in the context of the include',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    server {\n        location / {\n            include snippets/listen.conf;\n        }\n    }\n}\n',
        'snippets/listen.conf': '# shared\nlisten 443 ssl;\n',
      },
      errors: [
        {
          file: 'snippets/listen.conf',
          line: 2,
          column: 1,
          messageId: 'notAllowed',
          data: { nginxMessage: '"listen" directive is not allowed here', where: ' (it is in location context)' },
        },
      ],
    },
  ],
});
