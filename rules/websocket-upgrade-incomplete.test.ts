import { testRule } from '../test/rule-tester.js';
import rule from './websocket-upgrade-incomplete.js';

const ws = (body: string, http = '') =>
  `events {}\nhttp {\n${http}    server {\n        location /ws/ {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_set_header Upgrade $http_upgrade;\n${body}        }\n    }\n}\n`;
const MAP = "    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n";

testRule(rule, {
  valid: [
    {
      name: 'HTTP/1.1 and Connection "upgrade"',
      files: ws('            proxy_http_version 1.1;\n            proxy_set_header Connection "upgrade";\n'),
    },
    {
      name: 'the map of $http_upgrade',
      files: ws('            proxy_http_version 1.1;\n            proxy_set_header Connection $connection_upgrade;\n', MAP),
    },
    { name: 'nginx 1.29.7 speaks HTTP/1.1 by default', files: ws('            proxy_set_header Connection upgrade;\n'), nginxVersion: '1.29.7' },
    {
      name: "$http_connection passes the client's Connection: Upgrade on (real nginx: 101)",
      files: ws('            proxy_http_version 1.1;\n            proxy_set_header Connection $http_connection;\n'),
    },
    {
      name: 'a variable the file does not define: a conf.d site whose main config holds the map',
      files: {
        'meet.conf':
          'server {\n    location /ws/ {\n        proxy_pass http://127.0.0.1:3000;\n        proxy_http_version 1.1;\n        proxy_set_header Connection $connection_upgrade;\n        proxy_set_header Upgrade $http_upgrade;\n    }\n}\n',
      },
    },
    {
      name: 'a variable set in the config may hold upgrade',
      files: ws('            set $conn upgrade;\n            proxy_http_version 1.1;\n            proxy_set_header Connection $conn;\n'),
    },
    {
      name: 'no Upgrade forwarded: not a websocket location',
      files: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:3000;\n        }\n    }\n}\n',
    },
  ],
  invalid: [
    {
      name: 'Upgrade alone: HTTP/1.0 and Connection: close',
      files: ws(''),
      errors: [
        {
          line: 6,
          messageId: 'incomplete',
          data: { location: 'location /ws/', missing: 'speaks HTTP/1.0 to the backend and sends nginx\'s default "Connection: close"' },
        },
      ],
    },
    {
      name: 'a variable set to close in the same server',
      files: ws('            set $conn close;\n            proxy_http_version 1.1;\n            proxy_set_header Connection $conn;\n'),
      errors: [{ line: 6, messageId: 'incomplete', data: { missing: 'sends "Connection: $conn" for it' } }],
    },
    {
      name: 'a map of another variable that gives no upgrade',
      files: ws(
        '            proxy_http_version 1.1;\n            proxy_set_header Connection $conn;\n',
        '    map $host $conn {\n        default close;\n    }\n',
      ),
      errors: [{ line: 9, messageId: 'incomplete', data: { missing: 'sends "Connection: $conn" for it' } }],
    },
    {
      name: 'HTTP/1.1 but Connection "" (copied from a keepalive setup)',
      files: ws('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n'),
      errors: [{ line: 6, messageId: 'incomplete', data: { missing: 'sends "Connection: " for it' } }],
    },
  ],
});
