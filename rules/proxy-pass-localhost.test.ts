import { describe, expect, it } from 'vitest';
import { nginxAvailable, nginxVerdict } from '../test/helpers/nginx.js';
import { filesAfterFix, type InvalidCase, type RuleTestCase, testRule } from '../test/rule-tester.js';
import rule from './proxy-pass-localhost.js';

/** A configuration nginx -t loads: `events` on line 1, `http` on line 2, `body` from line 3. */
const http = (body: string) => `events {}\nhttp {\n${body}}\n`;
/** A server whose location holds `directives`, the first of them on line 6. */
const location = (directives: string) => http(`    server {\n        listen 8080;\n        location / {\n${directives}        }\n    }\n`);

const valid: RuleTestCase[] = [
  { name: 'the IPv4 loopback address', files: location('            proxy_pass http://127.0.0.1:3000;\n') },
  { name: 'the IPv6 loopback address', files: location('            proxy_pass http://[::1]:3000;\n') },
  {
    name: 'an upstream block named localhost is that block, not the host name',
    files: http(
      '    upstream localhost {\n        server 127.0.0.1:3000;\n    }\n    server {\n        location / {\n            proxy_pass http://localhost;\n        }\n    }\n',
    ),
  },
  { name: 'a name that only starts with localhost', files: location('            proxy_pass http://localhost-api:3000;\n') },
  {
    name: 'ip6-localhost is ::1 alone: no second address to take turns with',
    files: location('            proxy_pass http://ip6-localhost:3000;\n'),
  },
  { name: 'a UNIX socket', files: location('            proxy_pass http://unix:/run/app.sock;\n') },
  {
    name: 'a target in a variable is resolved by the resolver while running, not at start-up',
    files: location('            resolver 127.0.0.53;\n            set $backend http://localhost:3000;\n            proxy_pass $backend;\n'),
  },
  {
    name: 'a down server gets no requests',
    files: http('    upstream app {\n        server 127.0.0.1:3000;\n        server localhost:3001 down;\n    }\n'),
  },
  {
    name: 'a server with resolve is looked up in DNS by nginx, not in /etc/hosts',
    files: http('    resolver 127.0.0.53;\n    upstream app {\n        zone app 64k;\n        server localhost:3000 resolve;\n    }\n'),
  },
];

const invalid: InvalidCase[] = [
  {
    name: 'the lab scenario: proxy_pass to localhost with default retries is a warning, fixed on the host only',
    files: location('            proxy_pass http://localhost:3000/api/;\n'),
    errors: [{ line: 6, column: 31, severity: 1, messageId: 'localhostRetried' }],
    fixUnsafe: true,
    output: location('            proxy_pass http://127.0.0.1:3000/api/;\n'),
  },
  {
    name: 'the lab scenario with proxy_next_upstream off: an error',
    files: location('            proxy_pass http://localhost:3000;\n            proxy_next_upstream off;\n'),
    errors: [
      {
        line: 6,
        column: 31,
        severity: 2,
        messageId: 'localhostNoRetry',
      },
    ],
    fixUnsafe: true,
    output: location('            proxy_pass http://127.0.0.1:3000;\n            proxy_next_upstream off;\n'),
  },
  {
    name: 'a list without error, inherited from the server: an error',
    files: http(
      '    server {\n        proxy_next_upstream timeout http_502;\n        location / {\n            proxy_pass http://LocalHost:3000;\n        }\n    }\n',
    ),
    errors: [
      {
        line: 6,
        severity: 2,
        messageId: 'localhostNoRetry',
      },
    ],
    fixUnsafe: true,
    output: http(
      '    server {\n        proxy_next_upstream timeout http_502;\n        location / {\n            proxy_pass http://127.0.0.1:3000;\n        }\n    }\n',
    ),
  },
  {
    name: 'one try allows no retry: an error',
    files: location('            proxy_pass http://localhost:3000;\n            proxy_next_upstream_tries 1;\n'),
    errors: [
      {
        line: 6,
        severity: 2,
        messageId: 'localhostNoRetry',
        detail: /^proxy_pass to localhost:3000: .*[.:;] proxy_next_upstream_tries 1 at nginx\.conf:7 keeps nginx from retrying/,
      },
    ],
    fixUnsafe: true,
    output: location('            proxy_pass http://127.0.0.1:3000;\n            proxy_next_upstream_tries 1;\n'),
  },
  {
    name: 'no port written: the default port stays implicit',
    files: location('            proxy_pass http://localhost/api/;\n'),
    errors: [{ line: 6, column: 31, severity: 1, messageId: 'localhostRetried' }],
    fixUnsafe: true,
    output: location('            proxy_pass http://127.0.0.1/api/;\n'),
  },
  {
    name: 'a quoted target is fixed inside the quotes',
    files: location('            proxy_pass "http://localhost:3000";\n'),
    errors: [{ line: 6, column: 32, severity: 1 }],
    fixUnsafe: true,
    output: location('            proxy_pass "http://127.0.0.1:3000";\n'),
  },
  {
    name: 'an escape in the quoted target hides where the host is: reported on the statement, not fixed',
    files: location('            proxy_pass "http://localhost:3000/\\"q\\"";\n'),
    errors: [{ line: 6, column: 13, severity: 1 }],
    output: null,
  },
  {
    name: 'fastcgi_pass, with fastcgi_next_upstream off',
    files: location('            fastcgi_pass localhost:9000;\n            fastcgi_next_upstream off;\n'),
    errors: [
      {
        line: 6,
        column: 26,
        severity: 2,
        messageId: 'localhostNoRetry',
        detail: /^fastcgi_pass to localhost:9000: .*[.:;] fastcgi_next_upstream off at nginx\.conf:7 keeps nginx/,
      },
    ],
    fixUnsafe: true,
    output: location('            fastcgi_pass 127.0.0.1:9000;\n            fastcgi_next_upstream off;\n'),
  },
  {
    name: 'proxy_next_upstream off does not stop grpc_pass from retrying',
    files: location('            grpc_pass grpc://localhost:50051;\n            proxy_next_upstream off;\n'),
    errors: [{ line: 6, severity: 1, messageId: 'localhostRetried' }],
    fixUnsafe: true,
    output: location('            grpc_pass grpc://127.0.0.1:50051;\n            proxy_next_upstream off;\n'),
  },
  {
    name: 'an upstream server in an included file: reported and fixed there',
    files: {
      'nginx.conf': http('    include conf.d/*.conf;\n    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n'),
      'conf.d/upstreams.conf': 'upstream app {\n    server localhost:3000 max_fails=2;\n    keepalive 16;\n}\n',
    },
    errors: [
      {
        file: 'conf.d/upstreams.conf',
        line: 2,
        column: 12,
        severity: 1,
        messageId: 'localhostRetried',
      },
    ],
    fixUnsafe: true,
    output: { 'conf.d/upstreams.conf': 'upstream app {\n    server 127.0.0.1:3000 max_fails=2;\n    keepalive 16;\n}\n' },
  },
  {
    name: 'an upstream server, off in one of the two locations using it: an error naming that one',
    files: http(
      '    upstream app {\n        server localhost:3000 fail_timeout=1s;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n        }\n        location /pay/ {\n            proxy_pass http://app;\n            proxy_next_upstream off;\n        }\n    }\n',
    ),
    errors: [
      {
        line: 4,
        column: 16,
        severity: 2,
        messageId: 'localhostNoRetry',
      },
    ],
    fixUnsafe: true,
    output: http(
      '    upstream app {\n        server 127.0.0.1:3000 fail_timeout=1s;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n        }\n        location /pay/ {\n            proxy_pass http://app;\n            proxy_next_upstream off;\n        }\n    }\n',
    ),
  },
  {
    name: 'max_fails=0 never takes the refusing address out of turn',
    files: http(
      '    upstream app {\n        server 10.0.0.5:3000;\n        server localhost:3000 max_fails=0;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_next_upstream off;\n        }\n    }\n',
    ),
    errors: [
      {
        line: 5,
        severity: 2,
        messageId: 'localhostNoRetry',
      },
    ],
    fixUnsafe: true,
    output: http(
      '    upstream app {\n        server 10.0.0.5:3000;\n        server 127.0.0.1:3000 max_fails=0;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_next_upstream off;\n        }\n    }\n',
    ),
  },
  {
    name: 'max_fails=0 with retries: no "temporarily disabled" line, since the address is never disabled',
    files: http('    upstream app {\n        server localhost:3000 max_fails=0;\n    }\n'),
    errors: [
      {
        line: 4,
        severity: 1,
        messageId: 'localhostRetried',
      },
    ],
    fixUnsafe: true,
    output: http('    upstream app {\n        server 127.0.0.1:3000 max_fails=0;\n    }\n'),
  },
  {
    name: 'a pass in a snippet, retries turned off where it is included: reported in the snippet, naming the include site',
    files: {
      'nginx.conf': http(
        '    server {\n        location / {\n            proxy_next_upstream off;\n            include snippets/app.conf;\n        }\n    }\n',
      ),
      'snippets/app.conf': 'proxy_pass http://localhost:3000;\n',
    },
    errors: [
      {
        file: 'snippets/app.conf',
        line: 1,
        column: 19,
        severity: 2,
        messageId: 'localhostNoRetry',
        detail: /proxy_next_upstream off at nginx\.conf:5 keeps nginx from retrying/,
      },
    ],
    fixUnsafe: true,
    output: { 'snippets/app.conf': 'proxy_pass http://127.0.0.1:3000;\n' },
  },
];

testRule(rule, { valid, invalid });

describe.skipIf(!nginxAvailable)('proxy-pass-localhost fixes pass nginx -t', () => {
  // The reported configurations load too: localhost resolves wherever nginx runs, so nothing but the rule flags them.
  it.each(invalid.filter((testCase) => testCase.output).map((testCase) => [testCase.name, testCase] as const))('%s', (_name, testCase) => {
    expect(nginxVerdict(testCase.files).message).toBeNull();
    expect(nginxVerdict(filesAfterFix(testCase)).message).toBeNull();
  });
});
