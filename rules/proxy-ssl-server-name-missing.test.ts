import { describe, expect, it } from 'vitest';
import { nginxAvailable, nginxVerdict } from '../test/helpers/nginx.js';
import { filesAfterFix, type InvalidCase, type RuleTestCase, testRule } from '../test/rule-tester.js';
import rule from './proxy-ssl-server-name-missing.js';

/** A file of these lines: line N of a test is the N-th argument. */
const conf = (...lines: string[]) => `${lines.join('\n')}\n`;

/** `upstream` lines (from line 3), then a server whose `location /` holds `body`. */
const proxying = (upstream: readonly string[], body: readonly string[], serverLines: readonly string[] = []) =>
  conf(
    'events {}',
    'http {',
    ...upstream.map((line) => `    ${line}`),
    '    server {',
    ...serverLines.map((line) => `        ${line}`),
    '        location / {',
    ...body.map((line) => `            ${line}`),
    '        }',
    '    }',
    '}',
  );

const LAB_UPSTREAM = ['upstream app.internal { server 127.0.0.1:28091; }'];

const valid: RuleTestCase[] = [
  {
    name: 'lab scenario 8, fixed: on in the location',
    files: proxying(LAB_UPSTREAM, ['proxy_pass https://app.internal;', 'proxy_ssl_server_name on;']),
  },
  { name: 'on in the server is inherited', files: proxying(LAB_UPSTREAM, ['proxy_pass https://app.internal;'], ['proxy_ssl_server_name on;']) },
  {
    name: 'on at http level, in an included file, is inherited',
    files: {
      'nginx.conf': conf(
        'events {}',
        'http {',
        '    include tls.conf;',
        '    server {',
        '        location / {',
        '            proxy_pass https://api.example.com;',
        '        }',
        '    }',
        '}',
      ),
      'tls.conf': conf('proxy_ssl_server_name on;'),
    },
  },
  {
    name: 'off written out is a choice',
    files: proxying([], ['proxy_pass https://legacy.example.com;'], ['proxy_ssl_server_name off;  # the appliance resets handshakes with SNI']),
  },
  { name: 'an IP address is never sent as SNI', files: proxying([], ['proxy_pass https://10.0.0.5:8443;']) },
  {
    name: 'an upstream block of IP addresses named by an IP address',
    files: proxying(['upstream 10.0.0.5 { server 10.0.0.5:8443; }'], ['proxy_pass https://10.0.0.5;']),
  },
  {
    name: 'proxy_ssl_name set to an IP address sends nothing either',
    files: proxying([], ['proxy_pass https://api.example.com;', 'proxy_ssl_name 10.0.0.5;']),
  },
  { name: 'plain http', files: proxying([], ['proxy_pass http://api.example.com;']) },
  { name: 'grpcs with grpc_ssl_server_name on', files: proxying([], ['grpc_pass grpcs://orders.internal:50051;', 'grpc_ssl_server_name on;']) },
  {
    name: 'proxy_ssl_server_name is not grpc_ssl_server_name, but plain grpc needs neither',
    files: proxying([], ['grpc_pass grpc://orders.internal:50051;']),
  },
  { name: 'a variable holding an IP address', files: proxying([], ['set $b https://10.0.0.5;', 'proxy_pass $b;']) },
  {
    name: "a neighbour named by a single label (Harbor's internal TLS to its core service): an application with its own certificate",
    files: proxying(['upstream core { server core:8443; }'], ['proxy_pass https://core/api/;', 'proxy_ssl_verify on;']),
  },
  { name: 'a Compose service or localhost in the pass itself', files: proxying([], ['proxy_pass https://metrics:8070;']) },
];

const labScenario8: InvalidCase = {
  name: 'lab scenario 8: an upstream block named like the backend, reported at the proxy_pass',
  files: proxying(LAB_UPSTREAM, ['proxy_pass https://app.internal;']),
  errors: [
    {
      line: 6,
      column: 13,
      messageId: 'noSni',
    },
  ],
  output: proxying(LAB_UPSTREAM, ['proxy_pass https://app.internal;', 'proxy_ssl_server_name on;']),
};

const labScenario8OneLine: InvalidCase = {
  name: 'lab scenario 8 as written there, on one line: the block is spread over lines',
  files: conf(
    'events {}',
    'http {',
    '    upstream app.internal { server 127.0.0.1:28091; }',
    '    server { listen 127.0.0.1:28080; location / { proxy_pass https://app.internal; } }',
    '}',
  ),
  errors: [{ line: 4, column: 51 }],
  output: conf(
    'events {}',
    'http {',
    '    upstream app.internal { server 127.0.0.1:28091; }',
    '    server { listen 127.0.0.1:28080; location / {',
    '            proxy_pass https://app.internal;',
    '            proxy_ssl_server_name on;',
    '        } }',
    '}',
  ),
};

const upstreamOfOneName: InvalidCase = {
  name: "an upstream block whose servers share another name: the fix sends theirs, not the block's",
  files: proxying(['upstream backend.example {', '    server localhost:8443;', '    keepalive 8;', '}'], ['proxy_pass https://backend.example;']),
  errors: [
    {
      line: 9,
      messageId: 'noSni',
    },
  ],
  output: proxying(
    ['upstream backend.example {', '    server localhost:8443;', '    keepalive 8;', '}'],
    ['proxy_pass https://backend.example;', 'proxy_ssl_server_name on;', 'proxy_ssl_name localhost;'],
  ),
};

const sslNameOnIpAddress: InvalidCase = {
  name: 'proxy_ssl_name names a host for an IP address: without the directive it is not sent',
  files: proxying([], ['proxy_pass https://127.0.0.1:8443;', 'proxy_ssl_name app.internal;']),
  errors: [
    {
      line: 5,
      messageId: 'noSni',
    },
  ],
  output: proxying([], ['proxy_pass https://127.0.0.1:8443;', 'proxy_ssl_server_name on;', 'proxy_ssl_name app.internal;']),
};

const passInIf: InvalidCase = {
  name: 'two passes in one location, one in an if: both reported, one fix at the end of the location',
  files: proxying(LAB_UPSTREAM, [
    'if ($request_method = POST) {',
    '    proxy_pass https://app.internal;',
    '}',
    'proxy_pass https://app.internal;',
    'proxy_read_timeout 30s;',
  ]),
  errors: [{ line: 7 }, { line: 9 }],
  output: proxying(LAB_UPSTREAM, [
    'if ($request_method = POST) {',
    '    proxy_pass https://app.internal;',
    '}',
    'proxy_pass https://app.internal;',
    'proxy_read_timeout 30s;',
    'proxy_ssl_server_name on;',
  ]),
};

const grpcs: InvalidCase = {
  name: 'grpc_pass grpcs:// needs grpc_ssl_server_name',
  files: proxying(['upstream orders.internal { server 127.0.0.1:50051; }'], ['grpc_pass grpcs://orders.internal;']),
  errors: [
    {
      line: 6,
      messageId: 'noSni',
    },
  ],
  output: proxying(['upstream orders.internal { server 127.0.0.1:50051; }'], ['grpc_pass grpcs://orders.internal;', 'grpc_ssl_server_name on;']),
};

const invalid: InvalidCase[] = [
  labScenario8,
  labScenario8OneLine,
  {
    name: 'a host name in the pass itself',
    files: proxying([], ['proxy_pass https://api.example.com/v1/;  # payments API']),
    errors: [{ line: 5, messageId: 'noSni' }],
    output: proxying([], ['proxy_pass https://api.example.com/v1/;  # payments API', 'proxy_ssl_server_name on;']),
  },
  upstreamOfOneName,
  {
    name: 'servers of several names: no name to choose, so no fix',
    files: proxying(
      ['upstream payments {', '    server eu.pay.example:443;', '    server us.pay.example:443 backup;', '}'],
      ['proxy_pass https://payments;'],
    ),
    errors: [
      {
        line: 9,
        messageId: 'noSni',
      },
    ],
    output: null,
  },
  sslNameOnIpAddress,
  {
    name: 'a single-label name with a *_ssl_name naming the host to send: SNI was meant to be sent',
    files: proxying([], ['proxy_pass https://gateway:8443;', 'proxy_ssl_name api.example.com;']),
    errors: [{ line: 5, messageId: 'noSni' }],
    output: proxying([], ['proxy_pass https://gateway:8443;', 'proxy_ssl_server_name on;', 'proxy_ssl_name api.example.com;']),
  },
  {
    name: 'an upstream block named by a single label whose servers are hosts elsewhere',
    files: proxying(['upstream cdn { server static.example.net:443; }'], ['proxy_pass https://cdn;']),
    errors: [{ line: 6, messageId: 'noSni' }],
    output: proxying(
      ['upstream cdn { server static.example.net:443; }'],
      ['proxy_pass https://cdn;', 'proxy_ssl_server_name on;', 'proxy_ssl_name static.example.net;'],
    ),
  },
  passInIf,
  grpcs,
  {
    name: 'a variable holding an https URL',
    files: proxying([], ['resolver 127.0.0.11;', 'set $b https://api.example.com;', 'proxy_pass $b;']),
    errors: [{ line: 7, messageId: 'noSni' }],
    output: proxying([], ['resolver 127.0.0.11;', 'set $b https://api.example.com;', 'proxy_pass $b;', 'proxy_ssl_server_name on;']),
  },
  {
    name: 'on in another server does not count; the pass in an included file is fixed in its location',
    files: {
      'nginx.conf': conf(
        'events {}',
        'http {',
        '    server {',
        '        listen 8081;',
        '        proxy_ssl_server_name on;',
        '    }',
        '    server {',
        '        location / {',
        '            include proxy.conf;',
        '        }',
        '    }',
        '}',
      ),
      'proxy.conf': conf('proxy_pass https://api.example.com;'),
    },
    errors: [{ file: 'proxy.conf', line: 1, messageId: 'noSni' }],
    output: {
      'nginx.conf': conf(
        'events {}',
        'http {',
        '    server {',
        '        listen 8081;',
        '        proxy_ssl_server_name on;',
        '    }',
        '    server {',
        '        location / {',
        '            include proxy.conf;',
        '            proxy_ssl_server_name on;',
        '        }',
        '    }',
        '}',
      ),
    },
  },
  {
    name: 'a snippet several servers include: reported once, fixed in neither',
    files: {
      'nginx.conf': conf(
        'events {}',
        'http {',
        '    server {',
        '        include api.conf;',
        '    }',
        '    server {',
        '        listen 8081;',
        '        include api.conf;',
        '    }',
        '}',
      ),
      'api.conf': conf('location /api/ {', '    proxy_pass https://api.example.com;', '}'),
    },
    errors: [{ file: 'api.conf', line: 2 }],
    output: null,
  },
];

testRule(rule, { valid, invalid });

describe.skipIf(!nginxAvailable)('proxy-ssl-server-name-missing fixes pass nginx -t', () => {
  // The others name hosts nginx would have to resolve at start-up, which a machine without DNS cannot.
  const resolvable = [labScenario8, labScenario8OneLine, upstreamOfOneName, sslNameOnIpAddress, passInIf, grpcs];
  it.each(resolvable.map((testCase) => [testCase.name!, testCase] as const))('%s', (_, testCase) => {
    expect(nginxVerdict(testCase.files).message).toBeNull();
    expect(nginxVerdict(filesAfterFix(testCase)).message).toBeNull();
  });
});
