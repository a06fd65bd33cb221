import { testRule } from '../test/rule-tester.js';
import rule from './compose-depends-on-unhealthy.js';

const NGINX_CONF = 'events {}\nhttp {\n    server {\n        location / {\n            proxy_pass http://api:8000;\n        }\n    }\n}\n';
const compose = (dependsOn: string, apiExtra = '') =>
  `services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n${dependsOn}  api:\n    image: python:3.12\n    expose: ["8000"]\n${apiExtra}  db:\n    image: postgres:16\n`;
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
  ],
  invalid: [
    {
      name: 'the short form waits for the start only, although api has a healthcheck: reported at the compose line',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose('    depends_on: [api]\n', HEALTHCHECK) },
      errors: [{ file: 'compose.yaml', line: 5, severity: 2, messageId: 'notHealthy', data: { service: 'api', healthcheckNote: '' } }],
    },
    {
      name: 'service_healthy on a service with no healthcheck',
      files: { 'nginx.conf': NGINX_CONF, 'compose.yaml': compose('    depends_on:\n      api:\n        condition: service_healthy\n') },
      errors: [{ file: 'compose.yaml', line: 6, messageId: 'noHealthcheck', data: { service: 'api' } }],
    },
  ],
});
