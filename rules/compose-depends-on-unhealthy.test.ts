import { testRule } from '../test/rule-tester.js';
import rule from './compose-depends-on-unhealthy.js';

const NGINX_CONF = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://api:8000;\n        }\n    }\n}\n';
const compose = (dependsOn: string, apiExtra = '', apiImage = '    image: python:3.12\n') =>
  `services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n${dependsOn}  api:\n${apiImage}    expose: ["8000"]\n${apiExtra}  db:\n    image: postgres:16\n`;
const BUILT = '    build: ./api\n';
const WAITS_HEALTHY = '    depends_on:\n      api:\n        condition: service_healthy\n';
const HEALTHCHECK = '    healthcheck:\n      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]\n';

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
  ],
  invalid: [
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
