import { testRule } from '../test/rule-tester.js';
import rule from './backend-listens-on-loopback.js';

const location = (pass: string) => `http {\n    server {\n        listen 80;\n        location / {\n            ${pass}\n        }\n    }\n}\n`;
const compose = (command: string, extra = '') => `services:\n  api:\n    image: python:3.12-slim\n    command: ${command}\n${extra}`;
/** gunicorn with no bind, in an image built on python whose working directory holds what the build copies. */
const BUILT_GUNICORN = 'services:\n  api:\n    build: ./api\n    command: gunicorn app:app\n';
const GUNICORN_DOCKERFILE = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n';
const UPSTREAM = 'http {\n    upstream api {\n        server api:8000;\n        server api-2:8000;\n    }\n}\n';

testRule(rule, {
  valid: [
    {
      name: 'uvicorn --host 0.0.0.0',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('uvicorn app:app --host 0.0.0.0') },
    },
    {
      name: 'UVICORN_HOST set to every address',
      files: {
        'nginx.conf': location('proxy_pass http://api:8000;'),
        'compose.yaml': compose('uvicorn app:app', '    environment:\n      UVICORN_HOST: "::"\n'),
      },
    },
    {
      name: 'uvicorn on a unix socket binds no TCP port',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('uvicorn app:app --uds /run/app.sock') },
    },
    {
      name: 'runserver 0.0.0.0:8000',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('python manage.py runserver 0.0.0.0:8000') },
    },
    {
      name: 'runserver 0:8000 (0 is 0.0.0.0)',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('python manage.py runserver 0:8000') },
    },
    {
      name: 'flask run --host=0.0.0.0',
      files: { 'nginx.conf': location('proxy_pass http://api:5000;'), 'compose.yaml': compose('flask run --host=0.0.0.0') },
    },
    {
      name: 'gunicorn without --bind in an image nginx-lint does not know: a gunicorn.conf.py in its working directory may bind elsewhere',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('gunicorn app:app') },
    },
    {
      name: 'gunicorn without --bind, built on python: the gunicorn.conf.py the build copies into its working directory binds',
      files: {
        'nginx.conf': location('proxy_pass http://api:8000;'),
        'compose.yaml': BUILT_GUNICORN,
        'api/Dockerfile': GUNICORN_DOCKERFILE,
        'api/gunicorn.conf.py': 'bind = "0.0.0.0:8000"\n',
      },
    },
    {
      name: 'gunicorn without --bind but with PORT: it binds 0.0.0.0:$PORT',
      files: {
        'nginx.conf': location('proxy_pass http://api:8000;'),
        'compose.yaml': `${BUILT_GUNICORN}    environment:\n      PORT: "8000"\n`,
        'api/Dockerfile': GUNICORN_DOCKERFILE,
      },
    },
    {
      name: 'gunicorn without --bind, the working directory in a named volume whose files nginx-lint cannot see',
      files: {
        'nginx.conf': location('proxy_pass http://api:8000;'),
        'compose.yaml': `${BUILT_GUNICORN}    volumes:\n      - code:/app\nvolumes:\n  code:\n`,
        'api/Dockerfile': GUNICORN_DOCKERFILE,
      },
    },
    {
      name: 'gunicorn bound to every address',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('gunicorn --bind 0.0.0.0:8000 app:app') },
    },
    {
      name: 'hypercorn with a --config file that may bind elsewhere',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('hypercorn --config hypercorn.toml app:app') },
    },
    {
      name: "another service shares the app's network namespace and may listen for it",
      files: {
        'nginx.conf': location('proxy_pass http://api:8000;'),
        'compose.yaml': compose('uvicorn app:app', '  tls-proxy:\n    image: ghostunnel/ghostunnel\n    network_mode: service:api\n'),
      },
    },
    {
      name: 'a host no service answers to',
      files: { 'nginx.conf': location('proxy_pass http://other:8000;'), 'compose.yaml': compose('uvicorn app:app') },
    },
    { name: 'no Compose file: nothing is known', files: location('proxy_pass http://api:8000;') },
  ],
  invalid: [
    {
      name: "uvicorn's default --host 127.0.0.1",
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('uvicorn app:app --port 8000') },
      errors: [
        {
          line: 5,
          column: 13,
          severity: 2,
          messageId: 'loopback',
          data: { subject: 'proxy_pass to api:8000', service: 'api', evidence: "compose.yaml:4 uvicorn's default --host 127.0.0.1" },
        },
      ],
      output: null,
    },
    {
      name: 'runserver with a port alone keeps 127.0.0.1',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('python manage.py runserver 8000') },
      errors: [{ line: 5, messageId: 'loopback', data: { evidence: "compose.yaml:4 runserver's default address 127.0.0.1" } }],
      output: null,
    },
    {
      name: 'flask run without --host, through python -m',
      files: { 'nginx.conf': location('proxy_pass http://api:5000;'), 'compose.yaml': compose('python -m flask run --port 5000') },
      errors: [{ line: 5, messageId: 'loopback', data: { evidence: "compose.yaml:4 flask run's default --host 127.0.0.1" } }],
      output: null,
    },
    {
      name: 'gunicorn --bind 127.0.0.1:8000 written out',
      files: { 'nginx.conf': location('uwsgi_pass api:8000;'), 'compose.yaml': compose('gunicorn --bind 127.0.0.1:8000 app:app') },
      errors: [{ line: 5, messageId: 'loopback', data: { subject: 'uwsgi_pass to api:8000', evidence: 'compose.yaml:4 --bind 127.0.0.1:8000' } }],
      output: null,
    },
    {
      name: "hypercorn's default bind, reached through an upstream whose other server serves: a warning on that server",
      files: {
        'nginx.conf': UPSTREAM,
        'compose.yaml': `${compose('hypercorn app:app')}  api-2:\n    image: python:3.12-slim\n    command: hypercorn --bind 0.0.0.0:8000 app:app\n`,
      },
      errors: [
        {
          line: 3,
          severity: 1,
          messageId: 'loopbackRetried',
          data: { subject: 'server api:8000 in upstream api', evidence: "compose.yaml:4 hypercorn's default --bind 127.0.0.1:8000" },
        },
      ],
      output: null,
    },
    {
      name: "gunicorn without --bind, built on python with no gunicorn.conf.py: gunicorn's default 127.0.0.1:8000",
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': BUILT_GUNICORN, 'api/Dockerfile': GUNICORN_DOCKERFILE },
      errors: [{ line: 5, messageId: 'loopback', data: { evidence: "compose.yaml:4 gunicorn's default --bind 127.0.0.1:8000" } }],
      output: null,
    },
    {
      name: 'php artisan serve without --host',
      files: { 'nginx.conf': location('proxy_pass http://api:8000;'), 'compose.yaml': compose('php artisan serve --port=8000') },
      errors: [{ line: 5, messageId: 'loopback', data: { evidence: "compose.yaml:4 artisan serve's default --host 127.0.0.1" } }],
      output: null,
    },
  ],
});
