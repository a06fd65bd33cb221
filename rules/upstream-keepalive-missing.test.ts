import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { temporaryTrees } from '../test/helpers/files.js';
import { testRule } from '../test/rule-tester.js';
import rule from './upstream-keepalive-missing.js';

/** An upstream with `upstreamBody` after its server line, used by one location. */
function upstream(upstreamBody = '', locationBody = ''): string {
  return `http {
    upstream app {
        server 127.0.0.1:8080;
${upstreamBody}    }
    server {
        location / {
            proxy_pass http://app;
${locationBody}        }
    }
}
`;
}

const COMPOSE = `services:
  app:
    expose:
      - "8080"
    x-nginx-lint:
      keepAliveTimeout: 5s
`;

/** An upstream of the Compose service `web`, proxied to by one location. */
const GUNICORN_NGINX =
  'http {\n    upstream web {\n        server web:8000;\n    }\n    server {\n        location / {\n            proxy_pass http://web;\n        }\n    }\n}\n';

function gunicornCompose(command: string): string {
  return `services:\n  web:\n    image: python:3.12\n    command: ${command}\n    expose: ["8000"]\n`;
}

testRule(rule, {
  valid: [
    { name: 'keepalive is set', files: upstream('        keepalive 16;\n') },
    { name: 'nginx 1.29.7 pools without keepalive: the rule does not apply', files: upstream(), nginxVersion: '1.29.7' },
    { name: 'nor to later releases', files: upstream(), nginxVersion: '1.30.0' },
    {
      name: 'an upstream no proxy_pass uses',
      files: 'http { upstream php { server 127.0.0.1:9000; } server { location / { fastcgi_pass php; } } }\n',
    },
    {
      name: 'an implicit upstream has no block to add keepalive to',
      files: 'http { server { location / { proxy_pass http://127.0.0.1:8080; } } }\n',
    },
    {
      name: 'an upstream only websocket locations use: upgraded connections are never pooled',
      files: upstream(
        '',
        '            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n',
      ),
    },
    {
      name: "gunicorn's sync worker behind it closes every connection after its response: a pool would stay empty",
      files: { 'nginx.conf': GUNICORN_NGINX, 'compose.yaml': gunicornCompose('gunicorn -b 0.0.0.0:8000 app:app') },
      nginxVersion: '1.29.6',
    },
  ],
  invalid: [
    {
      name: 'gunicorn with --threads 4 runs the gthread worker, which keeps connections',
      files: { 'nginx.conf': GUNICORN_NGINX, 'compose.yaml': gunicornCompose('gunicorn --threads 4 -b 0.0.0.0:8000 app:app') },
      nginxVersion: '1.29.6',
      errors: [{ line: 2, messageId: 'noKeepalive' }],
    },
    {
      name: 'a sync worker behind one server, an unknown backend behind the other: reported',
      files: {
        // Named otherwise than the service, so that the second server is not taken for it.
        'nginx.conf': GUNICORN_NGINX.replaceAll('web;', 'pool;')
          .replace('upstream web', 'upstream pool')
          .replace('server web:8000;', 'server web:8000;\n        server 10.0.0.9:9000;'),
        'compose.yaml': gunicornCompose('gunicorn -b 0.0.0.0:8000 app:app'),
      },
      nginxVersion: '1.29.6',
      errors: [{ line: 2, messageId: 'noKeepalive' }],
    },
    {
      name: 'nothing known about the backend: keepalive with a 1s timeout, below common application servers',
      files: upstream(),
      nginxVersion: '1.29.6',
      errors: [
        {
          line: 2,
          column: 5,
          messageId: 'noKeepalive',
        },
      ],
      output: upstream('        keepalive 32;\n        keepalive_timeout 1s;\n'),
    },
    {
      name: "the backend's keepAliveTimeout from compose.yaml sets the timeout",
      files: { 'nginx.conf': upstream(), 'compose.yaml': COMPOSE },
      errors: [
        {
          line: 2,
          messageId: 'noKeepalive',
          detail:
            /Add keepalive 32 and keepalive_timeout 4s, below the 5s after which app closes idle connections \(compose\.yaml:6 says keepAliveTimeout 5s\);/,
        },
      ],
      output: { 'nginx.conf': upstream('        keepalive 32;\n        keepalive_timeout 4s;\n') },
    },
    {
      name: 'a keepalive_timeout of its own is left to upstream-keepalive-timeout-race',
      files: upstream('        keepalive_timeout 30s;\n'),
      errors: [
        {
          line: 2,
          messageId: 'noKeepalive',
          detail:
            /Add keepalive 32 and keep the block's keepalive_timeout below the backend's idle timeout \(upstream-keepalive-timeout-race checks it\);/,
        },
      ],
      output: upstream('        keepalive_timeout 30s;\n        keepalive 32;\n'),
    },
    {
      name: 'a one-line upstream in an included file',
      files: {
        'nginx.conf': 'http {\n    include upstreams.conf;\n    server { location / { proxy_pass http://app; } }\n}\n',
        'upstreams.conf': 'upstream app { server 127.0.0.1:8080; }\n',
      },
      errors: [{ file: 'upstreams.conf', line: 1, column: 1 }],
      output: { 'upstreams.conf': 'upstream app {\n    server 127.0.0.1:8080;\n    keepalive 32;\n    keepalive_timeout 1s;\n}\n' },
    },
  ],
});

describe('--fix with the other keepalive rules', () => {
  const tree = temporaryTrees();

  it('ends with a pool the locations use and a timeout below the backend', async () => {
    const root = tree({ '.git/HEAD': '', 'nginx.conf': upstream(), 'compose.yaml': COMPOSE });
    const rules = { 'upstream-keepalive-missing': 'warn', 'proxy-keepalive-disabled': 'warn', 'upstream-keepalive-timeout-race': 'error' };
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ rules }));
    const run = await lint([path.join(root, 'nginx.conf')], { cwd: root, nginxVersion: '1.22.1', fix: true });

    expect(run.fixedFiles.map((file) => file.after)).toEqual([
      upstream(
        '        keepalive 32;\n        keepalive_timeout 4s;\n',
        '            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n',
      ),
    ]);
    expect(run.results.flatMap((result) => result.messages)).toEqual([]);
  });
});
