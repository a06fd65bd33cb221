import { testRule } from '../test/rule-tester.js';
import rule from './proxy-timeout-excessive.js';

const location = (body: string) =>
  `events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n${body}        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    { name: "nginx's defaults (60s each) are left alone", files: location('') },
    { name: 'within the limits', files: location('            proxy_connect_timeout 5s;\n            proxy_read_timeout 120s;\n') },
    { name: 'a raised limit', files: location('            proxy_read_timeout 1h;\n'), options: { maxReadTimeout: '2h' } },
    { name: 'not in effect for any pass', files: 'events {}\nhttp {\n    proxy_read_timeout 1h;\n}\n' },
    {
      name: 'a websocket location: a long read timeout keeps quiet sockets open (websocket-idle-timeout)',
      files: location(
        '            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection upgrade;\n            proxy_read_timeout 1d;\n',
      ),
    },
  ],
  invalid: [
    {
      name: 'both too long, each reported at its value',
      files: location('            proxy_connect_timeout 75s;\n            proxy_read_timeout 3600s;\n'),
      errors: [
        { line: 6, column: 35, messageId: 'connect', data: { value: '75s', limit: '10s' } },
        { line: 7, column: 32, messageId: 'read', data: { value: '3600s', limit: '5m' } },
      ],
    },
    {
      name: 'inherited from http, reported once where it is set',
      files: `events {}\nhttp {\n    proxy_read_timeout 10m;\n    server {\n        location /a { proxy_pass http://a; }\n        location /b { proxy_pass http://b; }\n    }\n}\n`,
      errors: [{ line: 3, messageId: 'read', data: { directive: 'proxy_read_timeout', value: '10m' } }],
    },
    {
      name: 'set for the server: reported through its ordinary location, not its websocket one',
      files: `events {}\nhttp {\n    server {\n        proxy_read_timeout 1h;\n        location /ws/ { proxy_pass http://a; proxy_set_header Upgrade $http_upgrade; }\n        location /api/ { proxy_pass http://b; }\n    }\n}\n`,
      errors: [{ line: 4, messageId: 'read', data: { value: '1h' } }],
    },
    {
      name: 'the FastCGI twin',
      files:
        'events {}\nhttp {\n    server {\n        location ~ \\.php$ {\n            fastcgi_pass php:9000;\n            fastcgi_connect_timeout 30s;\n        }\n    }\n}\n',
      errors: [{ line: 6, messageId: 'connect', data: { directive: 'fastcgi_connect_timeout' } }],
    },
  ],
});
