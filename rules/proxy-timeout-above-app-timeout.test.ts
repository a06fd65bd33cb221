import { testRule } from '../test/rule-tester.js';
import rule from './proxy-timeout-above-app-timeout.js';

const location = (lines: string) => `http {\n    server {\n        listen 80;\n        location / {\n${lines}        }\n    }\n}\n`;
const pass = (timeout: string) => location(`            proxy_pass http://web:8000;\n${timeout ? `            ${timeout}\n` : ''}`);
/** gunicorn with a bind, built on python: the sync worker, whose files nginx-lint sees (no gunicorn.conf.py). */
const compose = (command: string, extra = '') => `services:\n  web:\n    build: ./web\n    command: ${command}\n${extra}`;
const DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n';
const files = (nginx: string, command: string, more: Record<string, string> = {}) => ({
  'nginx.conf': nginx,
  'compose.yaml': compose(command),
  'web/Dockerfile': DOCKERFILE,
  ...more,
});

/** A Service and the Deployment behind it, running gunicorn with these arguments. */
const kubernetes = (args: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector:\n    app: web\n  ports:\n    - port: 8000\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    metadata:\n      labels:\n        app: web\n    spec:\n      containers:\n        - name: web\n          image: registry.example.com/web:1\n          args: [${args}]\n`;

testRule(rule, {
  valid: [
    { name: "nginx's default read timeout: every stock deployment", files: files(pass(''), 'gunicorn --bind 0.0.0.0:8000 app:app') },
    {
      name: 'a raised timeout with a gunicorn timeout raised to match',
      files: files(pass('proxy_read_timeout 300s;'), 'gunicorn --bind 0.0.0.0:8000 --timeout 300 app:app'),
    },
    { name: '--timeout 0 disables the kill', files: files(pass('proxy_read_timeout 300s;'), 'gunicorn --bind 0.0.0.0:8000 -t 0 app:app') },
    {
      name: 'the gthread worker sends heartbeats while a request runs: no kill',
      files: files(pass('proxy_read_timeout 300s;'), 'gunicorn --bind 0.0.0.0:8000 --threads 4 app:app'),
    },
    {
      name: 'a gunicorn.conf.py in its working directory may set the timeout',
      files: files(pass('proxy_read_timeout 300s;'), 'gunicorn --bind 0.0.0.0:8000 app:app', { 'web/gunicorn.conf.py': 'timeout = 300\n' }),
    },
    { name: "a timeout below the app's", files: files(pass('proxy_read_timeout 20s;'), 'gunicorn --bind 0.0.0.0:8000 app:app') },
    {
      name: 'uWSGI without harakiri lets a request run as long as it takes',
      files: {
        'nginx.conf': location('            include uwsgi_params;\n            uwsgi_pass web:8001;\n            uwsgi_read_timeout 600;\n'),
        'compose.yaml': 'services:\n  web:\n    image: python:3.12\n    command: uwsgi --socket 0.0.0.0:8001 --module app\n',
      },
    },
    {
      name: "Kubernetes: gunicorn's default 30 s is not assumed, since nothing lists the image's files (a gunicorn.conf.py may set another)",
      files: { 'nginx.conf': pass('proxy_read_timeout 300s;'), 'k8s.yaml': kubernetes('"gunicorn", "--bind", "0.0.0.0:8000", "app:app"') },
      config: { serviceFiles: ['k8s.yaml'] },
    },
  ],
  invalid: [
    {
      name: "proxy_read_timeout 300s to gunicorn's sync worker and its default 30 s",
      files: files(pass('proxy_read_timeout 300s;'), 'gunicorn --bind 0.0.0.0:8000 app:app'),
      errors: [
        {
          line: 6,
          column: 13,
          messageId: 'appKillsFirst',
          data: { timeout: 'proxy_read_timeout 300s', service: 'web', appTimeout: '30s', evidence: "compose.yaml:4 gunicorn's default (30s)" },
        },
      ],
      output: null,
    },
    {
      name: 'a timeout set for the whole server, to a --timeout written',
      files: files(
        'http {\n    server {\n        listen 80;\n        proxy_read_timeout 2m;\n        location / {\n            proxy_pass http://web:8000;\n        }\n    }\n}\n',
        'gunicorn --bind 0.0.0.0:8000 --timeout 60 app:app',
      ),
      errors: [
        {
          line: 4,
          messageId: 'appKillsFirst',
          data: { timeout: 'proxy_read_timeout 2m', appTimeout: '1m', evidence: 'compose.yaml:4 --timeout 60' },
        },
      ],
      output: null,
    },
    {
      name: 'Kubernetes: the --timeout of the Deployment behind the Service',
      files: {
        'nginx.conf': pass('proxy_read_timeout 300s;'),
        'k8s.yaml': kubernetes('"gunicorn", "--bind", "0.0.0.0:8000", "--timeout", "60", "app:app"'),
      },
      config: { serviceFiles: ['k8s.yaml'] },
      errors: [{ line: 6, messageId: 'appKillsFirst', data: { service: 'web', appTimeout: '1m', evidence: 'k8s.yaml:24 --timeout 60' } }],
      output: null,
    },
    {
      name: "uWSGI's harakiri, from the ini file the Compose service mounts, below uwsgi_read_timeout",
      files: {
        'nginx.conf': location('            include uwsgi_params;\n            uwsgi_pass web:8001;\n            uwsgi_read_timeout 600;\n'),
        'compose.yaml':
          'services:\n  web:\n    image: python:3.12\n    command: uwsgi --ini /etc/uwsgi/app.ini\n    volumes:\n      - ./app.ini:/etc/uwsgi/app.ini\n',
        'app.ini': '[uwsgi]\nbase = /opt/app\nchdir = %(base)\nsocket = 0.0.0.0:8001\nharakiri = 300\n',
      },
      errors: [
        {
          line: 7,
          messageId: 'appKillsFirst',
          data: { service: 'web', server: 'uWSGI', appTimeout: '5m', evidence: 'compose.yaml:4 app.ini:5 harakiri = 300' },
        },
      ],
      output: null,
    },
    {
      name: "PHP-FPM's request_terminate_timeout, from the pool file the image puts in place of the package's",
      files: {
        'nginx.conf': location('            include fastcgi_params;\n            fastcgi_pass app:9000;\n            fastcgi_read_timeout 300s;\n'),
        'compose.yaml': 'services:\n  app:\n    build: ./app\n',
        'app/Dockerfile':
          'FROM alpine:3.20\nRUN apk add --no-cache php83-fpm\nCOPY www.conf /etc/php83/php-fpm.d/www.conf\nCMD ["php-fpm83", "-F"]\n',
        'app/www.conf': '[www]\nlisten = 9000\nrequest_terminate_timeout = 60\n',
      },
      errors: [
        {
          line: 7,
          messageId: 'appKillsFirst',
          data: { service: 'app', server: 'PHP-FPM', appTimeout: '1m' },
          detail: /502 "recv\(\) failed \(104: Connection reset by peer\)/,
        },
      ],
      output: null,
    },
  ],
});
