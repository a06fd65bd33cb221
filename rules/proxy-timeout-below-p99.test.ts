import { testRule } from '../test/rule-tester.js';
import rule from './proxy-timeout-below-p99.js';

/** api: p99 2.5s; reports: p99 75s; a fast service that needs nothing special. */
const SERVICES = {
  services: {
    api: { port: 3000, p99: '2.5s' },
    reports: { port: 8000, p99: '75s' },
    fast: { port: 5000, p99: '200ms' },
  },
};

const location = (directives: string) => `http {\n    server {\n        location /api/ {\n${directives}        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    {
      name: 'above p99 plus headroom',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 4s;\n'),
      config: SERVICES,
    },
    {
      name: 'exactly p99 plus headroom is enough',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 3s;\n'),
      config: SERVICES,
    },
    { name: 'the default 60s is far above', files: location('            proxy_pass http://api:3000;\n'), config: SERVICES },
    {
      name: 'headroom 0: the p99 itself is enough',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 2500ms;\n'),
      options: { headroom: 0 },
      config: SERVICES,
    },
    {
      name: 'no p99 known',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 1s;\n'),
      config: { services: { api: { port: 3000 } } },
    },
    {
      name: 'a host no service answers to',
      files: location('            proxy_pass http://example.com;\n            proxy_read_timeout 1s;\n'),
      config: SERVICES,
    },
    {
      name: 'each module reads its own timeout: proxy_read_timeout does not apply to fastcgi_pass',
      files: location('            fastcgi_pass api:3000;\n            proxy_read_timeout 1s;\n            fastcgi_read_timeout 5s;\n'),
      config: SERVICES,
    },
    {
      name: 'a location of its own overrides the short server-wide value',
      files:
        'http {\n    server {\n        proxy_read_timeout 1s;\n        location /api/ {\n            proxy_pass http://api:3000;\n            proxy_read_timeout 10s;\n        }\n    }\n}\n',
      config: SERVICES,
    },
  ],
  invalid: [
    {
      name: 'set in the location itself: the value is replaced',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 2s;\n'),
      config: SERVICES,
      errors: [
        {
          line: 5,
          column: 32,
          severity: 2,
          messageId: 'belowP99',
        },
      ],
      output: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 4s;\n'),
    },
    {
      name: 'an upstream of two servers: timeouts mark both failed, then 502',
      files: `http {\n    upstream api {\n        server api:3000;\n        server 10.0.0.6:3000;\n    }\n${location('            proxy_pass http://api;\n            proxy_read_timeout 2s;\n').slice('http {\n'.length)}`,
      config: SERVICES,
      errors: [
        {
          line: 9,
          messageId: 'belowP99',
        },
      ],
      output: `http {\n    upstream api {\n        server api:3000;\n        server 10.0.0.6:3000;\n    }\n${location('            proxy_pass http://api;\n            proxy_read_timeout 4s;\n').slice('http {\n'.length)}`,
    },
    {
      name: 'max_fails=0 keeps the servers in rotation: 504 only',
      files: `http {\n    upstream api {\n        server api:3000 max_fails=0;\n        server 10.0.0.6:3000 max_fails=0;\n    }\n${location('            proxy_pass http://api;\n            proxy_read_timeout 2s;\n').slice('http {\n'.length)}`,
      config: SERVICES,
      errors: [
        {
          line: 9,
          messageId: 'belowP99',
          detail: /get 504 "upstream timed out \(110: Connection timed out\) while reading response header from upstream"\. Set/,
        },
      ],
    },
    {
      name: 'inherited from http in another file: reported there, fixed in the location only',
      files: {
        'nginx.conf': 'http {\n    proxy_read_timeout 2s;\n    include conf.d/*.conf;\n}\n',
        'conf.d/shop.conf':
          'server {\n    location /api/ {\n        proxy_pass http://api:3000;\n    }\n\n    location /fast/ {\n        proxy_pass http://fast:5000;\n    }\n}\n',
      },
      config: SERVICES,
      errors: [
        {
          line: 2,
          column: 24,
          messageId: 'belowP99',
        },
      ],
      output: {
        'conf.d/shop.conf':
          'server {\n    location /api/ {\n        proxy_pass http://api:3000;\n        proxy_read_timeout 4s;\n    }\n\n    location /fast/ {\n        proxy_pass http://fast:5000;\n    }\n}\n',
      },
    },
    {
      name: 'the default 60s: reported at the proxy_pass, P99 × 1.3 rounded up to seconds',
      files: location('            proxy_pass http://reports:8000;\n'),
      config: SERVICES,
      errors: [
        {
          line: 4,
          column: 13,
          messageId: 'belowP99',
        },
      ],
      output: location('            proxy_pass http://reports:8000;\n            proxy_read_timeout 98s;\n'),
    },
    {
      name: 'a larger headroom: the fix clears it',
      files: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 3s;\n'),
      options: { headroom: 0.5 },
      config: SERVICES,
      errors: [{ line: 5, messageId: 'belowP99', detail: /plus 50% headroom, 3750ms: .*\. Set proxy_read_timeout 4s in location \/api\/\.?$/ }],
      output: location('            proxy_pass http://api:3000;\n            proxy_read_timeout 4s;\n'),
    },
    {
      name: 'a pass inside an if: the timeout goes into the location, where nginx allows it',
      files: location(
        '            if ($http_x_debug) {\n                proxy_pass http://api:3000;\n            }\n            proxy_pass http://fast:5000;\n',
      ).replace('        location', '        proxy_read_timeout 2s;\n        location'),
      config: SERVICES,
      errors: [
        { line: 3, messageId: 'belowP99', detail: /^proxy_read_timeout 2s, inherited by location \/api\/ \(nginx.conf:4\), is below the p99 of api/ },
      ],
      output: location(
        '            if ($http_x_debug) {\n                proxy_pass http://api:3000;\n            }\n            proxy_pass http://fast:5000;\n            proxy_read_timeout 4s;\n',
      ).replace('        location', '        proxy_read_timeout 2s;\n        location'),
    },
    {
      name: 'each pass module has its own timeout: grpc_read_timeout for grpc_pass',
      files: location('            grpc_pass grpc://api:3000;\n            grpc_read_timeout 1s;\n'),
      config: SERVICES,
      errors: [
        {
          line: 5,
          messageId: 'belowP99',
          detail: /^grpc_read_timeout 1s is below the p99 of api, .*\. Set grpc_read_timeout 4s in location \/api\/\.?$/,
        },
      ],
      output: location('            grpc_pass grpc://api:3000;\n            grpc_read_timeout 4s;\n'),
    },
    {
      name: 'set in a snippet several locations include: editing it would change them all, so no fix',
      files: {
        'nginx.conf': `http {\n    server {\n        location /api/ {\n            proxy_pass http://api:3000;\n            include slow.conf;\n        }\n        location /b/ {\n            proxy_pass http://fast:5000;\n            include slow.conf;\n        }\n    }\n}\n`,
        'slow.conf': 'proxy_read_timeout 2s;\n',
      },
      config: SERVICES,
      errors: [{ file: 'slow.conf', line: 1, messageId: 'belowP99', detail: /^proxy_read_timeout 2s is below the p99 of api/ }],
      output: null,
    },
    {
      name: 'a one-line location and CRLF line breaks are kept',
      files: 'http {\r\n    server {\r\n        location /r/ { proxy_pass http://reports:8000; }\r\n    }\r\n}\r\n',
      config: SERVICES,
      errors: [{ line: 3, column: 24 }],
      output:
        'http {\r\n    server {\r\n        location /r/ {\r\n            proxy_pass http://reports:8000;\r\n            proxy_read_timeout 98s;\r\n        }\r\n    }\r\n}\r\n',
    },
    {
      name: 'the p99 from a Compose file names its line',
      files: {
        'nginx.conf': location('            proxy_pass http://api:3000;\n            proxy_read_timeout 2s;\n'),
        'compose.yaml': 'services:\n  api:\n    expose: ["3000"]\n    x-nginx-lint:\n      p99: 2.5s\n',
      },
      errors: [{ line: 5, messageId: 'belowP99', detail: /the p99 of api, 2\.5s \(compose\.yaml:5\) plus 20% headroom/ }],
    },
  ],
});
