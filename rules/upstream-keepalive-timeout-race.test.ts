import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../src/load/program.js';
import { buildModel } from '../src/model/index.js';
import type { Report } from '../src/lint/rule.js';
import { loadServiceCatalog } from '../src/context/index.js';
import { buildTree } from '../src/load/tree.js';
import { DEFAULT_NGINX_VERSION } from '../src/nginx/version.js';
import { temporaryTrees } from '../test/helpers/files.js';
import { testRule } from '../test/rule-tester.js';
import { keepaliveTimeoutBelow } from '../src/model/keepalive.js';
import rule from './upstream-keepalive-timeout-race.js';

/** The backend of `pooled()`, declared in the linter config. */
function backend(keepAliveTimeout: string) {
  return { services: { app: { hosts: ['127.0.0.1'], port: 8080, keepAliveTimeout } } };
}

/** Lab scenario 1: an upstream with `upstreamBody` (keepalive on line 4) and a location that reuses connections. */
function pooled(upstreamBody = '        keepalive 16;\n', locationBody = ''): string {
  return `http {
    upstream app {
        server 127.0.0.1:8080;
${upstreamBody}    }
    server {
        location / {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
${locationBody}        }
    }
}
`;
}

const COMPOSE = `services:
  api:
    expose:
      - "3000"
    x-nginx-lint:
      keepAliveTimeout: 5s
`;

testRule(rule, {
  valid: [
    { name: 'keepalive_timeout below the backend', files: pooled('        keepalive 16;\n        keepalive_timeout 4s;\n'), config: backend('5s') },
    { name: 'the backend outlasts the 60s default', files: pooled(), config: backend('65s') },
    { name: 'nothing is known about the backend', files: pooled() },
    { name: 'a backend that never closes idle connections (keepAliveTimeout 0)', files: pooled(), config: backend('0s') },
    { name: 'no keepalive before 1.29.7: nothing is pooled', files: pooled(''), config: backend('5s'), nginxVersion: '1.29.6' },
    { name: 'keepalive 0 turns the 1.29.7 default off', files: pooled('        keepalive 0;\n'), config: backend('5s'), nginxVersion: '1.29.7' },
    {
      name: 'an upstream no proxy_pass uses',
      files: 'http { upstream app { server 127.0.0.1:8080; keepalive 16; } server { location / { return 204; } } }\n',
      config: backend('5s'),
    },
    {
      name: 'a down server gets no requests',
      files: pooled('        server 127.0.0.2:8080 down;\n        keepalive 16;\n'),
      config: {
        services: {
          app: { hosts: ['127.0.0.1'], port: 8080, keepAliveTimeout: '65s' },
          old: { hosts: ['127.0.0.2'], port: 8080, keepAliveTimeout: '5s' },
        },
      },
    },
  ],
  invalid: [
    {
      name: 'lab scenario 1: the default 60s against a 1s backend, reported at keepalive',
      files: pooled(),
      config: backend('1s'),
      errors: [
        {
          line: 4,
          column: 9,
          severity: 2,
          messageId: 'race',
        },
      ],
      output: pooled('        keepalive 16;\n        keepalive_timeout 500ms;\n'),
    },
    {
      name: 'an explicit keepalive_timeout is reported and replaced; the fact comes from compose.yaml',
      files: {
        'nginx.conf':
          'http {\n    upstream api {\n        server api:3000;\n        keepalive 32;\n        keepalive_timeout 75s;\n    }\n    server { location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
        'compose.yaml': COMPOSE,
      },
      errors: [
        {
          line: 5,
          messageId: 'race',
          detail:
            /^upstream api keeps cached connections idle for 75s, not less than the 5s after which the backend closes them \(compose\.yaml:6 says keepAliveTimeout 5s for api\), .* Set keepalive_timeout 4s in upstream api, or raise the backend's keepAliveTimeout above 75s\.?$/,
        },
      ],
      output: {
        'nginx.conf':
          'http {\n    upstream api {\n        server api:3000;\n        keepalive 32;\n        keepalive_timeout 4s;\n    }\n    server { location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
      },
    },
    {
      name: 'nothing declared: the timeout comes from the uvicorn flag in the compose command, an error',
      files: {
        'nginx.conf':
          'http {\n    upstream api {\n        server api:8000;\n        keepalive 32;\n    }\n    server { location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
        'compose.yaml':
          'services:\n  api:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8000 --timeout-keep-alive 5\n',
      },
      errors: [
        {
          line: 4,
          severity: 2,
          messageId: 'race',
          data: { service: 'api', backendTimeout: '5s', assumed: '', target: '4s' },
          detail: /compose\.yaml:4 --timeout-keep-alive 5 says keepAliveTimeout 5s for api/,
        },
      ],
      output: {
        'nginx.conf':
          'http {\n    upstream api {\n        server api:8000;\n        keepalive 32;\n        keepalive_timeout 4s;\n    }\n    server { location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
      },
    },
    {
      name: "nothing declared: node's documented 5s default is assumed, so only a warning that says so",
      files: {
        'nginx.conf':
          'http {\n    upstream web {\n        server web:3000;\n        keepalive 8;\n    }\n    server { location / { proxy_pass http://web; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
        'compose.yaml': 'services:\n  web:\n    image: node:20-alpine\n    command: node server.js\n    expose: ["3000"]\n',
      },
      errors: [{ line: 4, severity: 1, messageId: 'race', data: { service: 'web', assumed: " (Node.js's default, assumed)" } }],
    },
    {
      name: 'nothing declared, Kubernetes: the gunicorn args of the Deployment behind the Service give 2s',
      files: {
        'nginx.conf':
          'http {\n    upstream api {\n        server api.shop.svc.cluster.local:80;\n        keepalive 16;\n    }\n    server { location / { proxy_pass http://api; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
        'k8s.yaml':
          'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  selector:\n    app: api\n  ports:\n    - port: 80\n      targetPort: 8000\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n        - name: api\n          image: python:3.12\n          command: ["gunicorn"]\n          args: ["-k", "uvicorn.workers.UvicornWorker", "--keep-alive", "2", "-b", "0.0.0.0:8000", "main:app"]\n',
      },
      config: { serviceFiles: ['k8s.yaml'] },
      errors: [
        {
          line: 4,
          messageId: 'race',
          data: { service: 'api', backendTimeout: '2s', assumed: '', target: '1s' },
          detail: /k8s\.yaml:28 --keep-alive 2/,
        },
      ],
    },
    {
      name: 'equal is not below',
      files: pooled('        keepalive 16;\n        keepalive_timeout 5s;\n'),
      config: backend('5s'),
      errors: [{ line: 5, messageId: 'race', detail: /idle for 5s, not less than the 5s/ }],
      output: pooled('        keepalive 16;\n        keepalive_timeout 4s;\n'),
    },
    {
      name: 'nginx 1.29.7 pools by default: reported at the upstream block, the timeout added at its end',
      files: pooled(''),
      config: backend('5s'),
      nginxVersion: '1.29.7',
      errors: [
        {
          line: 2,
          severity: 2,
          messageId: 'race',
          detail:
            /^nginx 1\.29\.7 caches connections to upstream app by default \(keepalive 32 local since 1\.29\.7\) and keeps them idle for 60s \(the keepalive_timeout default\), not less than the 5s/,
        },
      ],
      output: pooled('        keepalive_timeout 4s;\n'),
    },
    {
      name: 'proxy_next_upstream off keeps GETs from being retried too',
      files: pooled(undefined, '            proxy_next_upstream off;\n'),
      config: backend('5s'),
      errors: [
        {
          line: 4,
          severity: 2,
          messageId: 'race',
          detail: /; so do GETs, which proxy_next_upstream off at nginx\.conf:11 keeps from being retried\. Set keepalive_timeout 4s/,
        },
      ],
      output: pooled('        keepalive 16;\n        keepalive_timeout 4s;\n', '            proxy_next_upstream off;\n'),
    },
    {
      name: 'retried with non_idempotent, clients see no 502: a warning',
      files: pooled(undefined, '            proxy_next_upstream error timeout non_idempotent;\n'),
      config: backend('5s'),
      errors: [
        {
          line: 4,
          severity: 1,
          messageId: 'race',
          detail:
            /: nginx writes error_log "recv\(\) failed .* and retries the request on a new connection \(proxy_next_upstream … non_idempotent\), so clients get no 502\./,
        },
      ],
      output: pooled('        keepalive 16;\n        keepalive_timeout 4s;\n', '            proxy_next_upstream error timeout non_idempotent;\n'),
    },
    {
      name: 'no location reuses connections yet (HTTP/1.0): a warning about the 502s to come',
      files: 'http {\n    upstream app { server 127.0.0.1:8080; keepalive 16; }\n    server { location / { proxy_pass http://app; } }\n}\n',
      config: backend('5s'),
      errors: [
        {
          line: 2,
          column: 43,
          severity: 1,
          messageId: 'race',
          detail:
            /, so once its locations keep connections alive \(none does yet: see proxy-keepalive-disabled\), app will close pooled connections as nginx reuses them: POST and PATCH requests get 502/,
        },
      ],
      output:
        'http {\n    upstream app {\n        server 127.0.0.1:8080;\n        keepalive 16;\n        keepalive_timeout 4s;\n    }\n    server { location / { proxy_pass http://app; } }\n}\n',
    },
    {
      name: 'the backend that closes first decides, through an included file',
      files: {
        'nginx.conf':
          'http {\n    include upstreams.conf;\n    server { location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }\n}\n',
        'upstreams.conf':
          'upstream app {\n    server 127.0.0.1:8080;\n    server 127.0.0.2:8080;\n    keepalive 16;\n    keepalive_timeout 10s;\n}\n',
      },
      config: {
        services: {
          slow: { hosts: ['127.0.0.1'], port: 8080, keepAliveTimeout: '30s' },
          fast: { hosts: ['127.0.0.2'], port: 8080, keepAliveTimeout: '2.5s' },
        },
      },
      errors: [
        {
          file: 'upstreams.conf',
          line: 5,
          messageId: 'race',
          detail:
            /not less than the 2\.5s after which the backend closes them \(\.nginx-lint\.json services\.fast\.keepAliveTimeout says keepAliveTimeout 2\.5s for fast\), so fast closes/,
        },
      ],
      output: {
        'upstreams.conf': 'upstream app {\n    server 127.0.0.1:8080;\n    server 127.0.0.2:8080;\n    keepalive 16;\n    keepalive_timeout 1s;\n}\n',
      },
    },
  ],
});

describe('keepaliveTimeoutBelow', () => {
  it('leaves a second, or half of a short timeout, rounded down to whole seconds from 1s up', () => {
    expect([65_000, 5_000, 5_500, 2_500, 2_000, 1_500, 1_000, 1].map(keepaliveTimeoutBelow)).toEqual([
      64_000, 4_000, 4_000, 1_000, 1_000, 750, 500, 1,
    ]);
  });
});

describe('without a configured or installed nginx', () => {
  const tree = temporaryTrees();

  it('says the default keepalive comes from the assumed version, and only warns', () => {
    const root = tree();
    const confPath = path.join(root, 'nginx.conf');
    writeFileSync(confPath, pooled(''));
    const services = loadServiceCatalog({ nginxConfigDir: root, repoRoot: root, declared: backend('5s').services });
    // The rule tester always names a version; the model asks the installed nginx only through this hook.
    const model = buildModel(buildTree(loadProgram(confPath), 'main'), { services, detectNginxVersion: () => null });
    const reports: Report[] = [];
    rule.check({ model, options: {}, report: (found) => reports.push(found) });

    expect(reports.map((found) => [found.severity, found.data?.pooling])).toEqual([
      [
        'warn',
        `nginx ${DEFAULT_NGINX_VERSION} caches connections to upstream app by default (keepalive 32 local since 1.29.7; nginx ${DEFAULT_NGINX_VERSION} is assumed, set nginxVersion to yours) and keeps them idle for 60s (the keepalive_timeout default)`,
      ],
    ]);
  });
});
