import { testRule } from '../test/rule-tester.js';
import rule from './header-inheritance-lost.js';

const PROXY_HEADERS = '    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n';

testRule(rule, {
  valid: [
    {
      name: 'a location with none of its own inherits them all',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n`,
    },
    {
      name: 'a location that repeats every inherited header',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location / {\n            proxy_pass http://app;\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n`,
    },
    {
      name: 'only Connection "" lost: that is proxy-keepalive-disabled\'s finding',
      files:
        'events {}\nhttp {\n    proxy_set_header Connection "";\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n',
    },
    {
      name: 'add_header_inherit merge (1.29.3) keeps the outer add_headers',
      files:
        'events {}\nhttp {\n    add_header Strict-Transport-Security "max-age=31536000" always;\n    server {\n        location / {\n            add_header_inherit merge;\n            add_header Cache-Control no-store;\n        }\n    }\n}\n',
      nginxVersion: '1.29.3',
    },
  ],
  invalid: [
    {
      name: 'one proxy_set_header in the location drops Host and X-Forwarded-For; --fix-unsafe carries them in',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n`,
      errors: [{ line: 8, column: 13, messageId: 'lost', data: { block: 'location /api/', lost: 'Host and X-Forwarded-For' } }],
      fixUnsafe: true,
      output: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        }\n    }\n}\n`,
    },
    {
      name: "an add_header in the location drops the server's security headers",
      files:
        'events {}\nhttp {\n    server {\n        add_header Strict-Transport-Security "max-age=31536000" always;\n        add_header X-Frame-Options DENY;\n        location /download/ {\n            add_header Content-Disposition attachment;\n        }\n    }\n}\n',
      errors: [{ line: 7, messageId: 'lost', data: { directive: 'add_header', lost: 'Strict-Transport-Security and X-Frame-Options' } }],
    },
  ],
});
