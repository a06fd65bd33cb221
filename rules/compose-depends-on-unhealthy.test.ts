import { testRule } from '../test/rule-tester.js';
import rule from './compose-depends-on-unhealthy.js';

const NGINX_CONF = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://api:8000;\n        }\n    }\n}\n';
const compose = (dependsOn: string, apiExtra = '', apiImage = '    image: python:3.12\n') =>
  `services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n${dependsOn}  api:\n${apiImage}    expose: ["8000"]\n${apiExtra}  db:\n    image: postgres:16\n`;
const BUILT = '    build: ./api\n';
const WAITS_HEALTHY = '    depends_on:\n      api:\n        condition: service_healthy\n';
const HEALTHCHECK = '    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n';

// No depends_on at all: `missing`, reported at the nginx service's name.
const PASS_TO = (target: string, extra = '') =>
  `events {}\nhttp {\n${extra}    server {\n        location / {\n            proxy_pass ${target};\n        }\n    }\n}\n`;
const TWO = (proxyExtra = '', apiExtra = '', more = '') =>
  `services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n${proxyExtra}  api:\n    image: python:3.12\n    expose: ["8000"]\n${apiExtra}${more}`;

testRule(rule, {
  valid: [
    {
      name: 'service_healthy with a healthcheck',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose('    depends_on:\n      api:\n        condition: service_healthy\n', HEALTHCHECK) },
    },
    {
      name: 'depending on a service nginx does not proxy to',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose('    depends_on: [db]\n') },
    },
    { name: 'no compose file', files: NGINX_CONF },
    {
      name: 'service_healthy on a ready-made image with no healthcheck here: the image may have one (else Compose refuses to start, no 502)',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose(WAITS_HEALTHY) },
    },
    {
      name: 'service_healthy on a service built from a Dockerfile with a HEALTHCHECK',
      files: {
        'nginx.conf': NGINX_CONF,
        'compose.yaml': compose(WAITS_HEALTHY, '', BUILT),
        'api/Dockerfile': 'FROM python:3.12\nHEALTHCHECK --interval=5s \\\n  CMD curl -f http://localhost:8000/health\n',
      },
    },
    {
      name: 'no depends_on, but links: [api] orders the start as depends_on does (an implicit service_started dependency)',
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO('    links: [api]\n') },
    },
    {
      name: 'no depends_on, but nginx depends on a worker that depends on api: Compose starts api first',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('    depends_on: [worker]\n', '', '  worker:\n    image: python:3.12\n    depends_on: [api]\n'),
      },
    },
    {
      name: 'a pass through a variable with a resolver: nginx looks api up per request and starts without it',
      files: {
        'nginx.conf': PASS_TO('http://api:8000$request_uri', '    resolver 127.0.0.11 valid=10s;\n'),
        'compose.yaml': TWO(),
      },
    },
    {
      name: 'an upstream server marked resolve (nginx 1.27.3): looked up at run time',
      files: {
        'nginx.conf': PASS_TO('http://app', '    resolver 127.0.0.11;\n    upstream app { zone app 64k; server api:8000 resolve; }\n'),
        'compose.yaml': TWO(),
      },
    },
    {
      name: 'api has profiles: it may not run at all, another problem than the order',
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO('', '    profiles: [backend]\n') },
    },
    {
      name: "nginx on the host network: Docker's DNS does not serve it the service names at all",
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO('    network_mode: host\n') },
    },
    {
      name: "no network in common: api's name does not resolve for nginx whatever the order",
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('    networks: [front]\n', '    networks: [back]\n', 'networks:\n  front:\n  back:\n'),
      },
    },
    {
      name: 'nginx waits for a health check of db while api starts at once: api runs long before nginx looks it up',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO(
          '    depends_on:\n      db:\n        condition: service_healthy\n',
          '',
          '  db:\n    image: postgres:16\n    healthcheck:\n      test: ["CMD", "pg_isready"]\n',
        ),
      },
    },
    {
      name: 'nginx extends a service of the file, which may hold its depends_on: not judged',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('    extends: { service: base }\n', '', '  base:\n    image: busybox\n    depends_on: [api]\n'),
      },
    },
    {
      name: 'a swarm stack (an overlay network): docker stack deploy ignores depends_on and names services its own way',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('', '', 'networks:\n  default:\n    driver: overlay\n'),
      },
    },
    {
      name: 'the service mounting the config most specifically does not run nginx (the repository at /app; nginx names its file through a variable)',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml':
          'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./${NGINX_CONF}:/etc/nginx/nginx.conf"]\n    depends_on:\n      api:\n        condition: service_healthy\n  web:\n    image: python:3.12\n    volumes: [".:/app"]\n  api:\n    image: python:3.12\n    expose: ["8000"]\n' +
          HEALTHCHECK,
      },
    },
    {
      name: 'api scaled to zero: it does not run at all',
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO('', '    deploy:\n      replicas: 0\n') },
    },
    {
      name: 'extra_hosts gives nginx the address of api in /etc/hosts',
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO('    extra_hosts: ["api:10.0.0.5"]\n') },
    },
    {
      name: 'a service nginx does not proxy to (db) has no depends_on: nothing to claim',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('    depends_on:\n      api:\n        condition: service_healthy\n', HEALTHCHECK, '  db:\n    image: postgres:16\n'),
      },
    },
  ],
  invalid: [
    {
      name: 'no depends_on: Compose starts nginx and api in the same moment; no restart policy, so nginx stays down',
      files: { 'nginx.conf': PASS_TO('http://api:8000'), 'compose.yaml': TWO() },
      errors: [
        {
          file: 'compose.yaml',
          line: 2,
          column: 3,
          messageId: 'missing',
          data: {
            service: 'api',
            nginx: 'service proxy',
            address: 'api:8000',
            where: 'nginx.conf:5',
            order: 'docker compose up starts both in the same moment, in no set order',
            resolverNote: '',
          },
        },
      ],
    },
    {
      name: 'a resolver in effect does not help a name written without variables; restart: always loops until it resolves',
      files: {
        'nginx.conf': PASS_TO('http://api:8000', '    resolver 127.0.0.11 valid=10s;\n'),
        'compose.yaml': TWO('    restart: always\n'),
      },
      errors: [
        {
          file: 'compose.yaml',
          line: 2,
          messageId: 'missing',
          data: {
            resolverNote:
              ' (the resolver in effect, nginx.conf:3, does not change that: nginx uses it only for names in variables and servers marked resolve)',
            afterExit:
              "With restart: always, Docker starts it again after a growing delay (100 ms, doubled each time) until the name resolves; until then nothing answers on nginx's ports.",
          },
        },
      ],
    },
    {
      name: 'an upstream server without resolve, in a block no pass uses: nginx resolves it at start all the same',
      files: {
        'nginx.conf': PASS_TO('http://127.0.0.1:9000', '    upstream spare { server api:8000; }\n'),
        'compose.yaml': TWO(),
      },
      errors: [{ file: 'compose.yaml', line: 2, messageId: 'missing', data: { service: 'api', where: 'nginx.conf:3' } }],
    },
    {
      name: "a config written by the nginx service's own entrypoint (a here-document): the pass is at the Compose file's line",
      files: {
        'compose.yaml':
          'services:\n  api:\n    image: python:3.12\n  gateway:\n    image: nginx:1.27\n    entrypoint:\n      - sh\n      - -euc\n      - |\n' +
          '        cat <<EOF > /etc/nginx/nginx.conf\n        events {}\n        http {\n          server {\n            location / {\n' +
          '              proxy_pass http://api:8000;\n            }\n          }\n        }\n        EOF\n' +
          '        /docker-entrypoint.sh nginx -g "daemon off;"\n',
      },
      entry: 'compose.yaml',
      errors: [{ file: 'compose.yaml', line: 4, messageId: 'missing', data: { service: 'api', nginx: 'service gateway', where: 'compose.yaml:15' } }],
    },
    {
      name: 'api waits for its database to start and nginx waits for nothing: nginx usually starts first',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO('', '    depends_on: [db]\n', '  db:\n    image: postgres:16\n'),
      },
      errors: [
        {
          file: 'compose.yaml',
          line: 2,
          messageId: 'missing',
          data: {
            service: 'api',
            order: 'Compose starts api only after its own dependencies, so nginx, which waits for no more than that, will usually start first',
          },
        },
      ],
    },
    {
      name: 'replicas mounting the same config with no depends_on (edge1, edge2): each is reported at its own name',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml':
          'services:\n  edge1:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n  edge2:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n  api:\n    image: python:3.12\n',
      },
      errors: [
        { file: 'compose.yaml', line: 2, messageId: 'missing', data: { service: 'api', nginx: 'service edge1' } },
        { file: 'compose.yaml', line: 5, messageId: 'missing', data: { service: 'api', nginx: 'service edge2' } },
      ],
    },
    {
      name: 'a main file and a variant it overlays (docker-compose.prod.yml): the variant adds no depends_on',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'docker-compose.yml': 'services:\n  api:\n    image: python:3.12\n    expose: ["8000"]\n',
        'docker-compose.prod.yml':
          'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n  api:\n    command: gunicorn app:app\n',
      },
      errors: [{ file: 'docker-compose.prod.yml', line: 2, messageId: 'missing', data: { service: 'api' } }],
    },
    {
      name: "nginx config written by the service's own entrypoint (a here-document, Grafana Loki's gateway): its pass is read, the address before $request_uri",
      files: {
        'compose.yaml':
          'services:\n  read:\n    image: grafana/loki:3.4\n' +
          HEALTHCHECK +
          '  gateway:\n    image: nginx:1.27\n    depends_on:\n      - read\n    entrypoint:\n      - sh\n      - -euc\n      - |\n' +
          '        cat <<EOF > /etc/nginx/nginx.conf\n        events {}\n        http {\n          resolver 127.0.0.11;\n          server {\n            listen 3100;\n' +
          '            location / {\n              proxy_pass http://read:3100\\$$request_uri;\n            }\n          }\n        }\n        EOF\n' +
          '        /docker-entrypoint.sh nginx -g "daemon off;"\n',
      },
      entry: 'compose.yaml',
      errors: [
        {
          file: 'compose.yaml',
          line: 9,
          severity: 2,
          messageId: 'notHealthy',
          data: { service: 'read', remedy: 'read has a healthcheck already: write depends_on: read: condition: service_healthy.' },
        },
      ],
    },
    {
      name: 'the override file adds depends_on: [api], read over the main file as docker compose does: ordered, but only until api starts',
      files: {
        'nginx.conf': PASS_TO('http://api:8000'),
        'compose.yaml': TWO(),
        'compose.override.yaml': 'services:\n  proxy:\n    depends_on: [api]\n',
      },
      errors: [{ file: 'compose.override.yaml', line: 3, messageId: 'notHealthy', data: { service: 'api' } }],
    },
    {
      name: 'the short form waits for the start only, although api has a healthcheck: reported at the compose line',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose('    depends_on: [api]\n', HEALTHCHECK) },
      errors: [
        {
          file: 'compose.yaml',
          line: 5,
          severity: 2,
          messageId: 'notHealthy',
          data: { service: 'api', remedy: 'api has a healthcheck already: write depends_on: api: condition: service_healthy.' },
        },
      ],
    },
    {
      name: "a pass through a variable `set` to the service's name, looked up per request (JeecgBoot's resolver 127.0.0.11 and set $jeecg_system)",
      files: {
        'nginx.conf':
          'events {}\nhttp {\n    server {\n        resolver 127.0.0.11 valid=10s;\n        location / {\n            set $backend api;\n            proxy_pass http://$backend:8000;\n        }\n    }\n}\n',
        'compose.yaml': compose('    depends_on: [api]\n'),
      },
      errors: [{ file: 'compose.yaml', line: 5, messageId: 'notHealthy', data: { service: 'api' } }],
    },
    {
      name: "a pass through a variable `set` to an upstream block's name (lemmy's $proxpass): the block's servers",
      files: {
        'nginx.conf':
          'events {}\nhttp {\n    upstream ui {\n        server api:8000;\n    }\n    server {\n        location / {\n            set $proxpass "http://ui";\n            if ($request_method = POST) {\n                set $proxpass "http://other";\n            }\n            proxy_pass $proxpass;\n        }\n    }\n}\n',
        'compose.yaml': compose('    depends_on: [api]\n'),
      },
      errors: [{ file: 'compose.yaml', line: 5, messageId: 'notHealthy', data: { service: 'api' } }],
    },
    {
      name: 'service_healthy on a service built from a Dockerfile without HEALTHCHECK',
      files: {
        'nginx.conf': NGINX_CONF,
        'compose.yaml': compose(WAITS_HEALTHY, '', BUILT),
        'api/Dockerfile': 'FROM python:3.12\nCMD ["python", "app.py"]\n',
      },
      errors: [{ file: 'compose.yaml', line: 6, messageId: 'noHealthcheck', data: { service: 'api' } }],
    },
    {
      name: 'replicas mounting the same config (edge1, edge2): each one that waits only for the start is reported',
      files: {
        'nginx.conf': NGINX_CONF,
        'compose.yaml':
          'services:\n  edge1:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n    depends_on: [api]\n  edge2:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n    depends_on: [api]\n  api:\n    image: python:3.12\n    expose: ["8000"]\n',
      },
      errors: [
        {
          file: 'compose.yaml',
          line: 5,
          messageId: 'notHealthy',
          data: {
            service: 'api',
            nginx: 'service edge1',
            remedy: 'Give api a healthcheck (it has none yet) and write depends_on: api: condition: service_healthy.',
          },
        },
        { file: 'compose.yaml', line: 9, messageId: 'notHealthy', data: { service: 'api', nginx: 'service edge2' } },
      ],
    },
  ],
});
