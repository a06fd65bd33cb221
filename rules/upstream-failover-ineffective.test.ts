import { testRule } from '../test/rule-tester.js';
import rule from './upstream-failover-ineffective.js';

/** An http block with an upstream `api` of `servers` (one per line, from line 3) and a location proxying to it. */
const config = (servers: readonly string[], location = '') =>
  `http {\n    upstream api {\n${servers.map((server) => `        server ${server};\n`).join('')}    }\n    server {\n        location / {\n            proxy_pass http://api;\n${location}        }\n    }\n}\n`;

/** A Compose file declaring how far apart the instances of `api` restart. */
const compose = (interval: string) => `services:\n  api:\n    expose:\n      - "3000"\n    x-nginx-lint:\n      restartInterval: ${interval}\n`;

const TWO = ['10.0.0.1:3000', '10.0.0.2:3000'];

testRule(rule, {
  valid: [
    {
      name: 'one server line: nginx never marks the only server of a block down, whatever max_fails says (measured)',
      files: config(['10.0.0.1:3000 max_fails=3 fail_timeout=30s']),
    },
    { name: 'a down server beside one with max_fails=0', files: config(['10.0.0.1:3000 max_fails=0', '10.0.0.2:3000 down']) },
    {
      name: 'a down server beside one with a backup to fail over to',
      files: config(['10.0.0.1:3000', '10.0.0.2:3000 down', '10.0.0.3:3000 backup']),
    },
    {
      name: 'a down server in a block no pass uses',
      files: 'http {\n    upstream api {\n        server 10.0.0.1:3000;\n        server 10.0.0.2:3000 down;\n    }\n}\n',
    },
    { name: 'two servers, no restart interval known', files: config(TWO) },
    {
      name: 'fail_timeout shorter than the restart interval',
      files: { 'nginx.conf': config(['api:3000 fail_timeout=5s', '10.0.0.2:3000 fail_timeout=5s']), 'compose.yaml': compose('20s') },
    },
    {
      name: 'max_fails=0: never marked down, whatever the interval',
      files: { 'nginx.conf': config(['api:3000 max_fails=0', '10.0.0.2:3000 max_fails=0']), 'compose.yaml': compose('2s') },
    },
    { name: 'tries 1 with one server: nowhere else to go', files: config(['10.0.0.1:3000'], '            proxy_next_upstream_tries 1;\n') },
    {
      name: 'tries 1 with the other server down',
      files: config(
        ['10.0.0.1:3000', '10.0.0.2:3000 down'].map((server) => `${server} max_fails=0`),
        '            proxy_next_upstream_tries 1;\n',
      ),
    },
    {
      name: 'tries 1 under proxy_next_upstream off: proxy-next-upstream-missing reports the off',
      files: config(TWO, '            proxy_next_upstream off;\n            proxy_next_upstream_tries 1;\n'),
    },
    { name: 'tries 2', files: config(TWO, '            proxy_next_upstream_tries 2;\n') },
    {
      name: 'tries 1 at server level, overridden where the pass is',
      files: `http {\n    upstream api { server 10.0.0.1:3000; server 10.0.0.2:3000; }\n    server {\n        proxy_next_upstream_tries 1;\n        location / {\n            proxy_pass http://api;\n            proxy_next_upstream_tries 3;\n        }\n    }\n}\n`,
    },
  ],
  invalid: [
    {
      name: 'one live server beside a down one: max_fails=0 added after the address',
      files: config(['10.0.0.1:3000', '10.0.0.2:3000 down']),
      errors: [
        {
          line: 3,
          column: 9,
          severity: 2,
          messageId: 'soleServerMarkedDown',
          data: { upstream: 'api', downServers: '10.0.0.2:3000', failTimeout: 'fail_timeout=10s (the default)' },
        },
      ],
      output: config(['10.0.0.1:3000 max_fails=0', '10.0.0.2:3000 down']),
    },
    {
      name: 'a written max_fails is replaced',
      files: config(['10.0.0.2:3000 down', 'unix:/run/app.sock max_fails=3 fail_timeout=30s']),
      errors: [{ line: 4, messageId: 'soleServerMarkedDown', data: { failTimeout: 'fail_timeout=30s' }, detail: /after 3 failed attempt/ }],
      output: config(['10.0.0.2:3000 down', 'unix:/run/app.sock max_fails=0 fail_timeout=30s']),
    },
    {
      name: 'a host name may be several addresses: reported, but the fix is unsafe',
      files: config(['app:3000', 'old-app:3000 down']),
      errors: [{ line: 3, messageId: 'soleServerMarkedDown', detail: /unless app resolves to several addresses/ }],
      output: null,
    },
    {
      name: 'a host name, fixed with --fix-unsafe',
      files: config(['app:3000', 'old-app:3000 down']),
      fixUnsafe: true,
      errors: [{ line: 3, messageId: 'soleServerMarkedDown' }],
      output: config(['app:3000 max_fails=0', 'old-app:3000 down']),
    },
    {
      name: 'a backup marked down does not help',
      files: config(['10.0.0.1:3000', '10.0.0.3:3000 backup down']),
      errors: [{ line: 3, messageId: 'soleServerMarkedDown' }],
      output: config(['10.0.0.1:3000 max_fails=0', '10.0.0.3:3000 backup down']),
    },
    {
      name: 'in an included file, through a pass in another',
      files: {
        'nginx.conf': 'http {\n    include upstreams/*.conf;\n    server { location / { proxy_pass http://api; } }\n}\n',
        'upstreams/api.conf': 'upstream api { server 10.0.0.1:3000; server 10.0.0.2:3000 down; }\n',
      },
      errors: [{ file: 'upstreams/api.conf', line: 1, column: 16, messageId: 'soleServerMarkedDown' }],
      output: { 'upstreams/api.conf': 'upstream api { server 10.0.0.1:3000 max_fails=0; server 10.0.0.2:3000 down; }\n' },
    },
    {
      name: 'the default fail_timeout (10s) outlasts a 2s restart interval: each server, fixed only unsafely',
      files: { 'nginx.conf': config(['api:3000', '10.0.0.2:3000']), 'compose.yaml': compose('2s') },
      errors: [
        {
          line: 3,
          severity: 2,
          messageId: 'failTimeoutOutlastsRestart',
          data: { failTimeout: 'fail_timeout=10s (the default)', interval: '2s', service: 'api', fixed: 'fail_timeout=1s' },
          detail: /compose\.yaml:6 says instances of api restart 2s apart/,
        },
        { line: 4, messageId: 'failTimeoutOutlastsRestart' },
      ],
      output: null,
    },
    {
      name: 'the fail_timeout fix with --fix-unsafe: half the interval, replacing a written one',
      files: { 'nginx.conf': config(['api:3000 fail_timeout=30s', '10.0.0.2:3000 fail_timeout=2s']), 'compose.yaml': compose('30s') },
      fixUnsafe: true,
      errors: [{ line: 3, messageId: 'failTimeoutOutlastsRestart', data: { fixed: 'fail_timeout=15s' } }],
      output: { 'nginx.conf': config(['api:3000 fail_timeout=15s', '10.0.0.2:3000 fail_timeout=2s']) },
    },
    {
      name: 'an interval under 2s leaves no whole second below it: max_fails=0',
      files: { 'nginx.conf': config(['api:3000 fail_timeout=1s', '10.0.0.2:3000 max_fails=0']), 'compose.yaml': compose('1s') },
      fixUnsafe: true,
      errors: [{ line: 3, messageId: 'failTimeoutOutlastsRestart', data: { fixed: 'max_fails=0' } }],
      output: { 'nginx.conf': config(['api:3000 max_fails=0 fail_timeout=1s', '10.0.0.2:3000 max_fails=0']) },
    },
    {
      name: 'tries 1 on two servers: fixed to 2',
      files: config(TWO, '            proxy_next_upstream_tries 1;\n'),
      errors: [{ line: 9, column: 13, severity: 2, messageId: 'singleTry', data: { targets: 'upstream api (2 servers)' } }],
      output: config(TWO, '            proxy_next_upstream_tries 2;\n'),
    },
    {
      name: 'tries 1 inherited from http level into an included site: one finding naming each upstream, backups counted',
      files: {
        'nginx.conf': `http {\n    proxy_next_upstream_tries 1;\n    upstream api { server 10.0.0.1:3000; server 10.0.0.2:3000 backup; }\n    upstream web { server 10.0.1.1:80; server 10.0.1.2:80; server 10.0.1.3:80; }\n    upstream one { server 10.0.2.1:80; }\n    include sites/*.conf;\n}\n`,
        'sites/shop.conf':
          'server {\n    location /api/ { proxy_pass http://api; }\n    location / { proxy_pass http://web; }\n    location /one/ { proxy_pass http://one; }\n}\n',
      },
      errors: [{ file: 'nginx.conf', line: 2, messageId: 'singleTry', data: { targets: 'upstreams api (2 servers) and web (3 servers)' } }],
      output: {
        'nginx.conf': `http {\n    proxy_next_upstream_tries 2;\n    upstream api { server 10.0.0.1:3000; server 10.0.0.2:3000 backup; }\n    upstream web { server 10.0.1.1:80; server 10.0.1.2:80; server 10.0.1.3:80; }\n    upstream one { server 10.0.2.1:80; }\n    include sites/*.conf;\n}\n`,
      },
    },
    {
      name: 'the FastCGI twin',
      files: `http {\n    upstream php { server 10.0.0.1:9000; server 10.0.0.2:9000; }\n    server {\n        location / {\n            fastcgi_pass php;\n            fastcgi_next_upstream_tries 1;\n        }\n    }\n}\n`,
      errors: [{ line: 6, messageId: 'singleTry', detail: /Use fastcgi_next_upstream_tries 2/ }],
      output: `http {\n    upstream php { server 10.0.0.1:9000; server 10.0.0.2:9000; }\n    server {\n        location / {\n            fastcgi_pass php;\n            fastcgi_next_upstream_tries 2;\n        }\n    }\n}\n`,
    },
  ],
});
