import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BufferValues, failedCheck, nginxMessage, repairBuffers } from '../src/model/buffers.js';
import { nginxAvailable, nginxVerdict } from '../test/helpers/nginx.js';
import { filesAfterFix, type InvalidCase, type RuleTestCase, testRule } from '../test/rule-tester.js';
import rule from './proxy-buffers-invalid.js';

const BUSY_ABOVE_LIMIT = '"proxy_busy_buffers_size" must be less than the size of all "proxy_buffers" minus one buffer';
const valid: RuleTestCase[] = [
  {
    name: 'nginx defaults',
    files: 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://127.0.0.1:8080;\n        }\n    }\n}\n',
  },
  {
    name: 'proxy_buffer_size 14k alone: the largest whose default busy size (28k) fits in proxy_buffers 8 4k',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 14k;\n    }\n}\n',
  },
  {
    name: 'the lab fix: 16k with proxy_busy_buffers_size 16k',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 16k;\n        proxy_busy_buffers_size 16k;\n    }\n}\n',
  },
  {
    name: 'the lab fix: 32k with proxy_buffers 8 32k',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 32k;\n        proxy_buffers 8 32k;\n    }\n}\n',
  },
  {
    name: 'nginx checks no level of an http block without servers',
    files: 'events {}\nhttp {\n    proxy_buffers 1 4k;\n}\n',
  },
  {
    name: 'a server overrides the bad value it would inherit',
    files:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    server {\n        proxy_busy_buffers_size 16k;\n        location / {\n        }\n    }\n}\n',
  },
  {
    name: 'proxy_max_temp_file_size 0 turns temporary files off and is always allowed',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 8k;\n        proxy_max_temp_file_size 0;\n    }\n}\n',
  },
];

/** Not put to nginx -t: Debian builds the stream module as a separate package, which need not be installed. */
const streamProxy: RuleTestCase = {
  name: 'the stream module has a proxy_buffer_size of its own',
  files: 'events {}\nstream {\n    server {\n        listen 9000;\n        proxy_buffer_size 64k;\n        proxy_pass 127.0.0.1:9001;\n    }\n}\n',
};

const invalid: InvalidCase[] = [
  {
    name: 'the lab: proxy_buffer_size 16k alone in a location',
    files:
      'events {}\nhttp {\n    server {\n        location /orders/ {\n            proxy_pass http://127.0.0.1:8000;\n            proxy_buffer_size 16k;\n        }\n    }\n}\n',
    errors: [
      {
        line: 6,
        column: 13,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT, remedy: 'Set proxy_busy_buffers_size 16k in location /orders/.' },
      },
    ],
    output:
      'events {}\nhttp {\n    server {\n        location /orders/ {\n            proxy_pass http://127.0.0.1:8000;\n            proxy_buffer_size 16k;\n            proxy_busy_buffers_size 16k;\n        }\n    }\n}\n',
  },
  {
    name: 'set in http, failing in every server and location below: one finding, fixed in http',
    files:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    server {\n        location / {\n            if ($arg_debug) {\n            }\n        }\n    }\n    server {\n        listen 8081;\n    }\n}\n',
    errors: [
      { line: 3, column: 5, messageId: 'rejected', data: { nginxMessage: BUSY_ABOVE_LIMIT, remedy: 'Set proxy_busy_buffers_size 16k in http.' } },
    ],
    output:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    proxy_busy_buffers_size 16k;\n    server {\n        location / {\n            if ($arg_debug) {\n            }\n        }\n    }\n    server {\n        listen 8081;\n    }\n}\n',
  },
  {
    name: 'in an included file, under its own path',
    files: {
      'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
      'conf.d/site.conf': 'server {\n    listen 8080;\n    proxy_buffer_size 16k;\n}\n',
    },
    errors: [
      {
        file: 'conf.d/site.conf',
        line: 3,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT, remedy: 'Set proxy_busy_buffers_size 16k in server.' },
      },
    ],
    output: { 'conf.d/site.conf': 'server {\n    listen 8080;\n    proxy_buffer_size 16k;\n    proxy_busy_buffers_size 16k;\n}\n' },
  },
  {
    name: 'blamed on the innermost setting: the location raised the header buffer past what the server’s buffers hold',
    files:
      'events {}\nhttp {\n    server {\n        proxy_buffers 4 4k;\n        location / {\n            proxy_buffer_size 16k;\n        }\n    }\n}\n',
    errors: [
      {
        line: 6,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output:
      'events {}\nhttp {\n    server {\n        proxy_buffers 4 4k;\n        location / {\n            proxy_buffer_size 16k;\n            proxy_buffers 4 16k;\n        }\n    }\n}\n',
  },
  {
    name: 'a header buffer larger than all buffers but one: the buffers grow to its size, keeping their count',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 32k;\n    }\n}\n',
    errors: [
      {
        line: 4,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_buffer_size 32k;\n        proxy_buffers 8 32k;\n    }\n}\n',
  },
  {
    name: 'one buffer: the fewest that hold the busy size and one more',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffers 1 4k;\n    }\n}\n',
    errors: [
      {
        line: 4,
        messageId: 'rejected',
        data: { nginxMessage: 'there must be at least 2 "proxy_buffers"' },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_buffers 3 4k;\n    }\n}\n',
  },
  {
    name: 'a busy size below the header buffer is raised to it, in place',
    files: 'events {}\nhttp {\n    server {\n        proxy_busy_buffers_size 8k;\n        proxy_buffer_size 16k;\n    }\n}\n',
    errors: [
      {
        line: 4,
        messageId: 'rejected',
        data: {
          nginxMessage:
            '"proxy_busy_buffers_size" must be equal to or greater than the maximum of the value of "proxy_buffer_size" and one of the "proxy_buffers"',
        },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_busy_buffers_size 16k;\n        proxy_buffer_size 16k;\n    }\n}\n',
  },
  {
    name: 'a written busy size too large for the buffers is lowered to the limit',
    files: 'events {}\nhttp {\n    server {\n        proxy_busy_buffers_size 64k;\n    }\n}\n',
    errors: [
      {
        line: 4,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_busy_buffers_size 28k;\n    }\n}\n',
  },
  {
    name: 'a temp-file write size below one buffer',
    files: 'events {}\nhttp {\n    server {\n        proxy_buffers 8 8k;\n        proxy_temp_file_write_size 4k;\n    }\n}\n',
    errors: [
      {
        line: 5,
        messageId: 'rejected',
        data: {
          nginxMessage:
            '"proxy_temp_file_write_size" must be equal to or greater than the maximum of the value of "proxy_buffer_size" and one of the "proxy_buffers"',
        },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_buffers 8 8k;\n        proxy_temp_file_write_size 8k;\n    }\n}\n',
  },
  {
    name: 'a maximum temp-file size below the header buffer',
    files: 'events {}\nhttp {\n    server {\n        proxy_max_temp_file_size 2k;\n    }\n}\n',
    errors: [
      {
        line: 4,
        messageId: 'rejected',
        data: {
          nginxMessage:
            '"proxy_max_temp_file_size" must be equal to zero to disable temporary files usage or must be equal to or greater than the maximum of the value of "proxy_buffer_size" and one of the "proxy_buffers"',
        },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        proxy_max_temp_file_size 4k;\n    }\n}\n',
  },
  {
    name: 'FastCGI, with its own directive names in the message and the fix',
    files:
      'events {}\nhttp {\n    server {\n        location ~ \\.php$ {\n            fastcgi_pass 127.0.0.1:9000;\n            fastcgi_buffer_size 16k;\n        }\n    }\n}\n',
    errors: [
      {
        line: 6,
        messageId: 'rejected',
        data: { nginxMessage: '"fastcgi_busy_buffers_size" must be less than the size of all "fastcgi_buffers" minus one buffer' },
      },
    ],
    output:
      'events {}\nhttp {\n    server {\n        location ~ \\.php$ {\n            fastcgi_pass 127.0.0.1:9000;\n            fastcgi_buffer_size 16k;\n            fastcgi_busy_buffers_size 16k;\n        }\n    }\n}\n',
  },
  {
    name: 'uwsgi and SCGI',
    files: 'events {}\nhttp {\n    server {\n        uwsgi_buffers 1 8k;\n        scgi_busy_buffers_size 2k;\n    }\n}\n',
    errors: [
      { line: 4, messageId: 'rejected', data: { nginxMessage: 'there must be at least 2 "uwsgi_buffers"' } },
      {
        line: 5,
        messageId: 'rejected',
        data: {
          nginxMessage:
            '"scgi_busy_buffers_size" must be equal to or greater than the maximum of the value of "scgi_buffer_size" and one of the "scgi_buffers"',
        },
      },
    ],
    output: 'events {}\nhttp {\n    server {\n        uwsgi_buffers 3 8k;\n        scgi_busy_buffers_size 4k;\n    }\n}\n',
  },
  {
    name: 'a block on one line is spread over lines; CRLF stays CRLF',
    files: 'events {}\r\nhttp {\r\n    server {\r\n        location / { proxy_pass http://127.0.0.1:8000; proxy_buffer_size 16k; }\r\n    }\r\n}\r\n',
    errors: [
      {
        line: 4,
        column: 56,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT, remedy: 'Set proxy_busy_buffers_size 16k in location /.' },
      },
    ],
    output:
      'events {}\r\nhttp {\r\n    server {\r\n        location / {\r\n            proxy_pass http://127.0.0.1:8000;\r\n            proxy_buffer_size 16k;\r\n            proxy_busy_buffers_size 16k;\r\n        }\r\n    }\r\n}\r\n',
  },
  {
    name: 'no fix when the change in http would break a location that passes today',
    files:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    server {\n        location /large/ {\n            proxy_buffer_size 32k;\n            proxy_buffers 8 32k;\n        }\n    }\n}\n',
    errors: [
      {
        line: 3,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output: null,
  },
  {
    name: 'a snippet that two locations include: one finding, and no fix, which would change both',
    files: {
      'nginx.conf':
        'events {}\nhttp {\n    server {\n        location /a/ {\n            include buffers.conf;\n        }\n        location /b/ {\n            include buffers.conf;\n        }\n    }\n}\n',
      'buffers.conf': 'proxy_buffer_size 16k;\n',
    },
    errors: [
      {
        file: 'buffers.conf',
        line: 1,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output: null,
  },
  {
    name: 'each level with a culprit of its own is a finding of its own',
    files:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    server {\n        listen 8080;\n    }\n    server {\n        listen 8081;\n        proxy_buffers 4 4k;\n    }\n}\n',
    errors: [
      { line: 3, messageId: 'rejected', data: { nginxMessage: BUSY_ABOVE_LIMIT, remedy: 'Set proxy_busy_buffers_size 16k in http.' } },
      {
        line: 9,
        messageId: 'rejected',
        data: { nginxMessage: BUSY_ABOVE_LIMIT },
      },
    ],
    output:
      'events {}\nhttp {\n    proxy_buffer_size 16k;\n    proxy_busy_buffers_size 16k;\n    server {\n        listen 8080;\n    }\n    server {\n        listen 8081;\n        proxy_buffers 4 16k;\n    }\n}\n',
  },
];

testRule(rule, { valid: [...valid, streamProxy], invalid });

describe.skipIf(!nginxAvailable)('proxy-buffers-invalid agrees with nginx -t', () => {
  it.each(valid.map((testCase) => [testCase.name!, testCase] as const))('accepted: %s', (_, testCase) => {
    expect(nginxVerdict(testCase.files).message).toBeNull();
  });

  it.each(invalid.map((testCase) => [testCase.name!, testCase] as const))('rejected, and accepted once fixed: %s', (_, testCase) => {
    // nginx names the first failure it meets; each of ours carries nginx's words.
    const nginxWords = testCase.errors.map((error) => error.data?.nginxMessage);
    expect(nginxWords).toContain(nginxVerdict(testCase.files).message);
    if (testCase.output) expect(nginxVerdict(filesAfterFix(testCase)).message).toBeNull();
  });

  it('finds the same first failure as nginx for any combination', () => {
    fc.assert(
      fc.property(bufferValues, (values) => {
        const text = `events {}\nhttp {\n    server {\n${directives(values)}    }\n}\n`;
        const check = failedCheck(values);
        expect(nginxVerdict(text).message).toBe(check && nginxMessage('proxy', check));
      }),
      { numRuns: 60, seed: 5 },
    );
  });
});

/** Sizes in pages and half pages, where the checks' boundaries lie. */
const size = fc.integer({ min: 1, max: 24 }).map((halfPages) => halfPages * 2048);
const bufferValues: fc.Arbitrary<BufferValues> = fc.record({
  bufferSize: size,
  buffers: fc.record({ count: fc.integer({ min: 1, max: 10 }), size }),
  busyBuffersSize: fc.option(size),
  tempFileWriteSize: fc.option(size),
  maxTempFileSize: fc.oneof(fc.constant(1024 * 1024 * 1024), fc.constant(0), size),
});

function directives(values: BufferValues): string {
  const lines = [
    `proxy_buffer_size ${values.bufferSize};`,
    `proxy_buffers ${values.buffers.count} ${values.buffers.size};`,
    values.busyBuffersSize !== null ? `proxy_busy_buffers_size ${values.busyBuffersSize};` : '',
    values.tempFileWriteSize !== null ? `proxy_temp_file_write_size ${values.tempFileWriteSize};` : '',
    `proxy_max_temp_file_size ${values.maxTempFileSize};`,
  ];
  return lines
    .filter(Boolean)
    .map((line) => `        ${line}\n`)
    .join('');
}

describe('repairBuffers', () => {
  it('makes every combination pass, and changes none that passes', () => {
    fc.assert(
      fc.property(bufferValues, (values) => {
        const changes = repairBuffers(values);
        expect(failedCheck({ ...values, ...changes })).toBeNull();
        if (failedCheck(values) === null) expect(changes).toEqual({});
        expect(changes.bufferSize).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });
});
