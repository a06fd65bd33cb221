import { testRule } from '../test/rule-tester.js';
import rule from './proxy-next-upstream-missing.js';

const TWO_SERVERS = '    upstream api {\n        server 10.0.0.1:3000;\n        server 10.0.0.2:3000;\n    }\n';
const THREE_SERVERS = '    upstream api {\n        server 10.0.0.1:3000;\n        server 10.0.0.2:3000;\n        server 10.0.0.3:3000;\n    }\n';
const ONE_SERVER = '    upstream api {\n        server 10.0.0.1:3000;\n    }\n';

/** An http block with `upstream`, and a location proxying to it with `directives`; the location's body starts on line `upstream lines + 4`. */
const config = (upstream: string, directives: string, pass = 'proxy_pass http://api;') =>
  `http {\n${upstream}    server {\n        location / {\n            ${pass}\n${directives}        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    { name: 'not written: the default retries on error and timeout', files: config(TWO_SERVERS, '') },
    { name: 'off with a single server and no keepalive: nothing to retry on', files: config(ONE_SERVER, '            proxy_next_upstream off;\n') },
    {
      name: 'off before nginx 1.29.7, whose upstreams keep no idle connections unless told',
      files: config(ONE_SERVER, '            proxy_next_upstream off;\n'),
      nginxVersion: '1.29.6',
    },
    {
      name: 'off for an address without an upstream block',
      files: config('', '            proxy_next_upstream off;\n', 'proxy_pass http://10.0.0.1:3000;'),
    },
    {
      name: 'off for a server marked down leaves one server',
      files: config(
        '    upstream api {\n        server 10.0.0.1:3000;\n        server 10.0.0.2:3000 down;\n    }\n',
        '            proxy_next_upstream off;\n',
      ),
    },
    {
      name: 'the server-wide off is overridden where the pass is',
      files: `http {\n${TWO_SERVERS}    server {\n        proxy_next_upstream off;\n        location / {\n            proxy_pass http://api;\n            proxy_next_upstream error timeout;\n        }\n    }\n}\n`,
    },
    { name: 'the default written out', files: config(TWO_SERVERS, '            proxy_next_upstream error timeout;\n') },
    {
      name: 'fastcgi_next_upstream off to one server: without fastcgi_keep_conn on, no connection is cached to fail',
      files: config(ONE_SERVER, '            fastcgi_next_upstream off;\n', 'fastcgi_pass api;'),
      nginxVersion: '1.29.7',
    },
    {
      name: 'uwsgi and SCGI never cache connections',
      files: config(
        '    upstream api {\n        server 10.0.0.1:3000;\n        keepalive 8;\n    }\n',
        '            uwsgi_next_upstream off;\n            scgi_next_upstream off;\n',
        'uwsgi_pass api;',
      ),
    },
    {
      name: 'HTTP errors retried on two servers: nginx tries each once, so there is nothing to bound',
      files: config(TWO_SERVERS, '            proxy_next_upstream error timeout http_502;\n'),
    },
    {
      name: 'HTTP errors retried, bounded by tries',
      files: config(THREE_SERVERS, '            proxy_next_upstream error timeout http_502;\n            proxy_next_upstream_tries 2;\n'),
    },
    {
      name: 'HTTP errors retried, bounded by time',
      files: config(THREE_SERVERS, '            proxy_next_upstream error timeout http_503;\n            proxy_next_upstream_timeout 10s;\n'),
    },
    {
      name: 'non_idempotent with nothing to retry on',
      files: config(ONE_SERVER, '            proxy_next_upstream error timeout non_idempotent;\n'),
    },
  ],
  invalid: [
    {
      name: 'off on two servers: error, fixed to the default',
      files: config(TWO_SERVERS, '            proxy_next_upstream off;\n'),
      errors: [
        {
          line: 9,
          column: 13,
          severity: 2,
          messageId: 'noRetry',
        },
      ],
      output: config(TWO_SERVERS, '            proxy_next_upstream error timeout;\n'),
    },
    {
      name: 'off on one server with keepalive: a warning, since only a closed idle connection is lost',
      files: config('    upstream api {\n        server 10.0.0.1:3000;\n        keepalive 16;\n    }\n', '            proxy_next_upstream off;\n'),
      errors: [
        {
          line: 9,
          severity: 1,
          messageId: 'noRetry',
        },
      ],
      output: config(
        '    upstream api {\n        server 10.0.0.1:3000;\n        keepalive 16;\n    }\n',
        '            proxy_next_upstream error timeout;\n',
      ),
    },
    {
      name: 'fastcgi_next_upstream off to one server with fastcgi_keep_conn on and keepalive: a closed idle connection is not retried',
      files: config(
        '    upstream api {\n        server 10.0.0.1:9000;\n        keepalive 8;\n    }\n',
        '            fastcgi_keep_conn on;\n            fastcgi_next_upstream off;\n',
        'fastcgi_pass api;',
      ),
      errors: [
        {
          line: 10,
          severity: 1,
          messageId: 'noRetry',
          detail: /^fastcgi_next_upstream off disables retries: when the server of upstream api \(keepalive 8\) has just closed/,
        },
      ],
      output: config(
        '    upstream api {\n        server 10.0.0.1:9000;\n        keepalive 8;\n    }\n',
        '            fastcgi_keep_conn on;\n            fastcgi_next_upstream error timeout;\n',
        'fastcgi_pass api;',
      ),
    },
    {
      name: 'off on one server from nginx 1.29.7, where upstream blocks keep idle connections by default',
      files: config(ONE_SERVER, '            proxy_next_upstream off;\n'),
      nginxVersion: '1.29.7',
      errors: [
        {
          line: 8,
          severity: 1,
          messageId: 'noRetry',
          detail: /when the server of upstream api \(keepalive by default since nginx 1\.29\.7\) has just closed an idle connection/,
        },
      ],
      output: config(ONE_SERVER, '            proxy_next_upstream error timeout;\n'),
    },
    {
      name: 'error and timeout left out: the fix puts them first and keeps the rest; HTTP errors unbounded too',
      files: config(THREE_SERVERS, '            proxy_next_upstream http_502 http_503;\n'),
      errors: [
        {
          line: 10,
          severity: 1,
          messageId: 'noRetry',
        },
        {
          line: 10,
          severity: 1,
          messageId: 'unbounded',
        },
      ],
      output: config(THREE_SERVERS, '            proxy_next_upstream error timeout http_502 http_503;\n'),
    },
    {
      name: 'only timeout left out',
      files: config(TWO_SERVERS, '            proxy_next_upstream error;\n'),
      errors: [
        {
          line: 9,
          severity: 1,
          messageId: 'noRetry',
        },
      ],
      output: config(TWO_SERVERS, '            proxy_next_upstream error timeout;\n'),
    },
    {
      name: 'non_idempotent: reported on the flag, no fix',
      files: config(TWO_SERVERS, '            proxy_next_upstream error timeout non_idempotent;\n'),
      errors: [
        {
          line: 9,
          column: 47,
          severity: 1,
          messageId: 'nonIdempotent',
        },
      ],
      output: null,
    },
    {
      name: 'off at http level: one finding naming every upstream it leaves without retries',
      files: {
        'nginx.conf': `http {\n    proxy_next_upstream off;\n${TWO_SERVERS}    upstream search {\n        server 10.0.1.1:9200;\n        server 10.0.1.2:9200;\n        server 10.0.1.3:9200;\n    }\n    include sites/*.conf;\n}\n`,
        'sites/shop.conf':
          'server {\n    location /api/ {\n        proxy_pass http://api;\n    }\n    location /search/ {\n        proxy_pass http://search;\n    }\n    location /again/ {\n        proxy_pass http://api;\n    }\n}\n',
      },
      errors: [
        { line: 2, severity: 2, messageId: 'noRetry', detail: /when a server of upstreams api \(2 servers\) and search \(3 servers\) refuses/ },
      ],
      output: {
        'nginx.conf': `http {\n    proxy_next_upstream error timeout;\n${TWO_SERVERS}    upstream search {\n        server 10.0.1.1:9200;\n        server 10.0.1.2:9200;\n        server 10.0.1.3:9200;\n    }\n    include sites/*.conf;\n}\n`,
      },
    },
    {
      name: 'the FastCGI twin',
      files: config(TWO_SERVERS, '            fastcgi_next_upstream off;\n', 'fastcgi_pass api;'),
      errors: [
        {
          line: 9,
          severity: 2,
          messageId: 'noRetry',
          detail: /^fastcgi_next_upstream off disables retries: .*\. Use fastcgi_next_upstream error timeout\.?$/,
        },
      ],
      output: config(TWO_SERVERS, '            fastcgi_next_upstream error timeout;\n', 'fastcgi_pass api;'),
    },
    {
      name: 'the gRPC twin, unbounded: its own _tries and _timeout are named',
      files: config(THREE_SERVERS, '            grpc_next_upstream error timeout http_503;\n', 'grpc_pass grpc://api;'),
      errors: [
        {
          line: 10,
          severity: 1,
          messageId: 'unbounded',
          detail:
            /with neither grpc_next_upstream_tries nor grpc_next_upstream_timeout set: .* e\.g\. grpc_next_upstream_tries 2 or grpc_next_upstream_timeout 10s\.?$/,
        },
      ],
      output: null,
    },
  ],
});
