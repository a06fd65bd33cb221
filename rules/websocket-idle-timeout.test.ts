import { testRule } from '../test/rule-tester.js';
import rule from './websocket-idle-timeout.js';

const HANDSHAKE =
  '            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n';

/** A websocket location at `path`, with `body` after the handshake headers and `server` before the location. */
const ws = (body: string, { path = '/ws/', server = '' } = {}) =>
  `events {}\nhttp {\n    server {\n${server}        location ${path} {\n            proxy_pass http://127.0.0.1:3000;\n${HANDSHAKE}${body}        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    { name: "nginx's default (60s) without a known ping interval", files: ws('') },
    { name: 'a long timeout, as websockets usually get', files: ws('            proxy_read_timeout 1h;\n') },
    { name: 'exactly the minimum', files: ws('            proxy_read_timeout 60s;\n') },
    {
      name: 'not a websocket location: a short read timeout is proxy-timeout-below-p99 territory',
      files:
        'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:3000;\n            proxy_read_timeout 5s;\n        }\n    }\n}\n',
    },
    {
      name: 'proxy_send_timeout does not cut an idle websocket (measured), so it is not checked',
      files: ws('            proxy_send_timeout 2s;\n'),
    },
    {
      name: 'a known ping interval below the timeout: pings keep the socket alive',
      files: ws('            proxy_read_timeout 30s;\n'),
      options: { pingInterval: '20s' },
    },
    {
      name: 'a /socket.io/ location pings every 25s by default, within 30s',
      files: ws('            proxy_read_timeout 30s;\n', { path: '/socket.io/' }),
    },
    { name: 'a lower minimum', files: ws('            proxy_read_timeout 30s;\n'), options: { minReadTimeout: '30s' } },
    { name: 'a variable timeout is not read', files: ws('            proxy_read_timeout $timeout;\n') },
  ],
  invalid: [
    {
      name: 'written in the websocket location, below 60s: reported at its value',
      files: ws('            proxy_read_timeout 10s;\n'),
      errors: [
        {
          line: 9,
          column: 32,
          messageId: 'shortTimeout',
          data: { subject: 'proxy_read_timeout 10s', location: 'location /ws/', value: '10s', pingClause: '' },
          detail:
            /^proxy_read_timeout 10s is in effect for location \/ws\/, which forwards Upgrade\. .* Many applications ping every 25-30 s .* at least 1m\)/,
        },
      ],
    },
    {
      name: 'inherited from the server, meant for ordinary requests: reported at the location, naming where it is set',
      files: ws('', { server: '        proxy_read_timeout 15s;\n' }),
      errors: [{ line: 8, messageId: 'shortTimeout', data: { subject: 'proxy_read_timeout 15s (nginx.conf:4)', location: 'location /ws/' } }],
    },
    {
      name: 'a known ping interval longer than the default: the default cuts healthy sockets',
      files: ws(''),
      options: { pingInterval: '90s' },
      errors: [
        {
          line: 7,
          messageId: 'shortTimeout',
          data: { subject: "proxy_read_timeout (nginx's default, 60s)", pingClause: ', and pings come only every 90s (the pingInterval option)' },
        },
      ],
    },
    {
      name: 'Socket.IO pings every 25s: a 20s timeout cuts every idle socket between pings',
      files: ws('            proxy_read_timeout 20s;\n', { path: '/socket.io/' }),
      errors: [
        {
          line: 9,
          messageId: 'shortTimeout',
          data: { pingClause: ", and pings come only every 25s (Socket.IO's default, going by the location's path)" },
        },
      ],
    },
    {
      name: 'one finding per location, also with the pass in an if',
      files: ws('            proxy_read_timeout 5s;\n            if ($arg_x) {\n                proxy_pass http://127.0.0.1:3001;\n            }\n'),
      errors: [{ line: 9, messageId: 'shortTimeout' }],
    },
  ],
});
