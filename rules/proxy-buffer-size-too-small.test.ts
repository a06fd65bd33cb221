import { describe, expect, it } from 'vitest';
import { nginxAvailable, nginxVerdict } from '../test/helpers/nginx.js';
import { filesAfterFix, type InvalidCase, type RuleTestCase, testRule } from '../test/rule-tester.js';
import rule from './proxy-buffer-size-too-small.js';

const API_8K = { services: { api: { maxResponseHeaderSize: '8k' } } };

/** An http block proxying `location /` to the upstream `api`, with `extra` lines at the server and location level. */
function apiConfig(locationLines: readonly string[] = [], serverLines: readonly string[] = []): string {
  const indent = (lines: readonly string[], depth: number) => lines.map((line) => `${' '.repeat(depth)}${line}\n`).join('');
  return (
    'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n' +
    indent(serverLines, 8) +
    '        location / {\n            proxy_pass http://api;\n' +
    indent(locationLines, 12) +
    '        }\n    }\n}\n'
  );
}

const valid: RuleTestCase[] = [
  { name: 'a header buffer that holds the declared headers', files: apiConfig(['proxy_buffer_size 12k;']), config: API_8K },
  { name: 'headers exactly as large as the buffer fit', files: apiConfig(), config: { services: { api: { maxResponseHeaderSize: '4k' } } } },
  { name: 'no header size declared: nothing to compare with', files: apiConfig(), config: { services: { api: { port: 3000 } } } },
  { name: 'no services at all', files: apiConfig() },
  {
    name: 'a pass to a host no service answers to',
    files: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.9:8080;\n        }\n    }\n}\n',
    config: API_8K,
  },
  { name: 'one memory page, written out, is the default and fine', files: apiConfig(['proxy_buffer_size 4k;']) },
];

/** Not put to nginx -t: Debian builds the stream module as a separate package, which need not be installed. */
const streamProxy: RuleTestCase = {
  name: 'the stream module has a proxy_buffer_size of its own',
  files: 'events {}\nstream {\n    server {\n        listen 9000;\n        proxy_buffer_size 1k;\n        proxy_pass 127.0.0.1:9001;\n    }\n}\n',
};

const invalid: InvalidCase[] = [
  {
    name: 'the lab: 8k of headers behind the default 4k, reported at the proxy_pass',
    files: apiConfig(),
    config: API_8K,
    errors: [
      {
        line: 8,
        column: 13,
        severity: 2,
        messageId: 'tooSmall',
      },
    ],
    output: apiConfig(['proxy_buffer_size 12k;']),
  },
  {
    name: 'the fact from compose.yaml, named by its line',
    files: {
      'nginx.conf':
        'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n',
      'compose.yaml': 'services:\n  app:\n    expose: ["3000"]\n    x-nginx-lint:\n      maxResponseHeaderSize: 6k\n',
    },
    errors: [
      {
        line: 8,
        messageId: 'tooSmall',
      },
    ],
    output: {
      'nginx.conf':
        'events {}\nhttp {\n    upstream app {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_buffer_size 8k;\n        }\n    }\n}\n',
    },
  },
  {
    name: 'too small where it is written: raised in place',
    files: apiConfig(['proxy_buffer_size 6k;']),
    config: API_8K,
    errors: [
      {
        line: 9,
        messageId: 'tooSmall',
      },
    ],
    output: apiConfig(['proxy_buffer_size 12k;']),
  },
  {
    name: 'inherited from the server by two passes: one finding where it is set, naming a pass',
    files:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        proxy_buffer_size 4k;\n        location / {\n            proxy_pass http://api;\n        }\n        location /v2/ {\n            proxy_pass http://api;\n        }\n    }\n}\n',
    config: API_8K,
    errors: [
      {
        line: 7,
        messageId: 'tooSmall',
      },
    ],
    output:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        proxy_buffer_size 12k;\n        location / {\n            proxy_pass http://api;\n        }\n        location /v2/ {\n            proxy_pass http://api;\n        }\n    }\n}\n',
  },
  {
    name: 'raised to 16k: proxy_busy_buffers_size comes along, or nginx -t fails (the lab’s 16k alone)',
    files: apiConfig(),
    config: { services: { api: { maxResponseHeaderSize: '12k' } } },
    errors: [
      {
        line: 8,
        messageId: 'tooSmall',
        detail: /says api sends up to 12k of response headers\. .* Set proxy_buffer_size 16k and proxy_busy_buffers_size 16k in location \/: /,
      },
    ],
    output: apiConfig(['proxy_buffer_size 16k;', 'proxy_busy_buffers_size 16k;']),
  },
  {
    name: 'raised past what proxy_buffers 8 4k can hold: the buffers grow too (the lab’s 32k + proxy_buffers 8 32k)',
    files: apiConfig(),
    config: { services: { api: { maxResponseHeaderSize: '24k' } } },
    errors: [{ line: 8, messageId: 'tooSmall', detail: /Set proxy_buffer_size 32k and proxy_buffers 8 32k in location \/: / }],
    output: apiConfig(['proxy_buffer_size 32k;', 'proxy_buffers 8 32k;']),
  },
  {
    name: 'of the services behind an upstream, the largest headers count',
    files:
      'events {}\nhttp {\n    upstream pool {\n        server 127.0.0.1:3000;\n        server 127.0.0.2:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://pool;\n        }\n    }\n}\n',
    config: {
      services: {
        small: { hosts: ['127.0.0.1'], maxResponseHeaderSize: '6k' },
        large: { hosts: ['127.0.0.2'], maxResponseHeaderSize: 10000 },
      },
    },
    errors: [
      {
        line: 9,
        messageId: 'tooSmall',
        detail:
          /services\.large\.maxResponseHeaderSize says large sends up to 10000 bytes of response headers\. .* Set proxy_buffer_size 16k and proxy_busy_buffers_size 16k in location \/: /,
      },
    ],
    output:
      'events {}\nhttp {\n    upstream pool {\n        server 127.0.0.1:3000;\n        server 127.0.0.2:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://pool;\n            proxy_buffer_size 16k;\n            proxy_busy_buffers_size 16k;\n        }\n    }\n}\n',
  },
  {
    name: 'a pass inside if: the buffer size goes into the location, after the if block',
    files:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            if ($arg_v2) {\n                proxy_pass http://api;\n            }\n        }\n    }\n}\n',
    config: API_8K,
    errors: [{ line: 9, messageId: 'tooSmall', detail: /^proxy_buffer_size is not set/ }],
    output:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            if ($arg_v2) {\n                proxy_pass http://api;\n            }\n            proxy_buffer_size 12k;\n        }\n    }\n}\n',
  },
  {
    name: 'FastCGI and gRPC have header buffers of their own',
    files:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location /php/ {\n            fastcgi_pass api;\n        }\n        location /grpc/ {\n            grpc_pass grpc://api;\n        }\n    }\n}\n',
    config: API_8K,
    errors: [
      { line: 8, messageId: 'tooSmall', detail: /^fastcgi_buffer_size is not set, .* Set fastcgi_buffer_size 12k in location \/php\/: / },
      { line: 11, messageId: 'tooSmall', detail: /^grpc_buffer_size is not set, .* Set grpc_buffer_size 12k in location \/grpc\/: / },
    ],
    output:
      'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location /php/ {\n            fastcgi_pass api;\n            fastcgi_buffer_size 12k;\n        }\n        location /grpc/ {\n            grpc_pass grpc://api;\n            grpc_buffer_size 12k;\n        }\n    }\n}\n',
  },
  {
    name: 'no fix when raising it in http would break a location that passes today',
    files:
      'events {}\nhttp {\n    proxy_buffer_size 4k;\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://api;\n        }\n        location /small/ {\n            proxy_buffers 3 4k;\n        }\n    }\n}\n',
    config: { services: { api: { maxResponseHeaderSize: '12k' } } },
    errors: [
      {
        line: 3,
        messageId: 'tooSmall',
        detail:
          /Raise it to 16k for this pass \(the headers plus a quarter, rounded up to 4k\), with proxy_buffers and proxy_busy_buffers_size to match\.\.?$/,
      },
    ],
    output: null,
  },
  {
    name: 'a snippet that two locations include: one finding, and no fix, which would change both',
    files: {
      'nginx.conf':
        'events {}\nhttp {\n    upstream api {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location /a/ {\n            proxy_pass http://api;\n            include buffer.conf;\n        }\n        location /b/ {\n            proxy_pass http://api;\n            include buffer.conf;\n        }\n    }\n}\n',
      'buffer.conf': 'proxy_buffer_size 4k;\n',
    },
    config: API_8K,
    errors: [{ file: 'buffer.conf', line: 1, messageId: 'tooSmall', detail: /^proxy_buffer_size 4k, but .* Raise it to 12k for this pass/ }],
    output: null,
  },
  {
    name: 'below one memory page: a warning even without facts, raised to the default',
    files: apiConfig(['proxy_buffer_size 1k;']),
    errors: [
      {
        line: 9,
        severity: 1,
        messageId: 'belowPage',
      },
    ],
    output: apiConfig(['proxy_buffer_size 4k;']),
  },
  {
    name: 'below one memory page and below the declared headers: the error, not the warning',
    files: apiConfig(['proxy_buffer_size 1k;']),
    config: API_8K,
    errors: [{ line: 9, severity: 2, messageId: 'tooSmall', detail: /^proxy_buffer_size 1k, but / }],
    output: apiConfig(['proxy_buffer_size 12k;']),
  },
];

testRule(rule, { valid: [...valid, streamProxy], invalid });

describe.skipIf(!nginxAvailable)('proxy-buffer-size-too-small fixes pass nginx -t', () => {
  const fixed = invalid.filter((testCase) => testCase.output);
  it.each(fixed.map((testCase) => [testCase.name!, testCase] as const))('%s', (_, testCase) => {
    expect(nginxVerdict(testCase.files).message).toBeNull();
    expect(nginxVerdict(filesAfterFix(testCase)).message).toBeNull();
  });
});
