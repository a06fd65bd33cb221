import { testRule } from '../test/rule-tester.js';
import rule from './proxy-pass-port-mismatch.js';

/** orders listens on 8080 (published as 9000) on line 5; api on 3000 (line 9); api-replica, alias api-2, on 3000 (line 13). */
const COMPOSE = `services:
  orders:
    image: orders
    ports:
      - "9000:8080"
  api:
    image: api
    expose:
      - "3000"
  api-replica:
    image: api
    expose:
      - "3000"
    networks:
      default:
        aliases: [api-2]
`;

const server = (body: string) => `http {\n    server {\n        listen 80;\n${body}    }\n}\n`;
const location = (directives: string) => server(`        location / {\n${directives}        }\n`);

testRule(rule, {
  valid: [
    {
      name: 'the container port of a mapping',
      files: { 'nginx.conf': location('            proxy_pass http://orders:8080;\n'), 'compose.yaml': COMPOSE },
    },
    {
      name: 'exposed ports, through an upstream and a network alias',
      files: {
        'nginx.conf': 'http {\n    upstream api {\n        server api:3000;\n        server api-2:3000;\n    }\n}\n',
        'compose.yaml': COMPOSE,
      },
    },
    {
      name: 'a host no service answers to',
      files: { 'nginx.conf': location('            proxy_pass http://example.com:8000;\n'), 'compose.yaml': COMPOSE },
    },
    {
      name: 'a service with no known ports gets the benefit of the doubt',
      files: { 'nginx.conf': location('            proxy_pass http://worker:7000;\n'), 'compose.yaml': 'services:\n  worker:\n    image: worker\n' },
    },
    {
      name: 'a port behind a Compose variable may be anything',
      files: {
        'nginx.conf': location('            proxy_pass http://orders:8000;\n'),
        'compose.yaml': 'services:\n  orders:\n    ports:\n      - "9000:8080"\n      - "${ADMIN_PORT}"\n',
      },
    },
    {
      name: 'a port inside a range',
      files: {
        'nginx.conf': location('            proxy_pass http://search:9203;\n'),
        'compose.yaml': 'services:\n  search:\n    expose: ["9200-9205"]\n',
      },
    },
    {
      name: 'a down server never receives a request',
      files: {
        'nginx.conf': 'http {\n    upstream api {\n        server api:3000;\n        server api-2:3001 down;\n    }\n}\n',
        'compose.yaml': COMPOSE,
      },
    },
    {
      name: 'ports declared in the linter config replace those of Compose',
      files: { 'nginx.conf': location('            proxy_pass http://orders:9100;\n'), 'compose.yaml': COMPOSE },
      config: { services: { orders: { port: 9100 } } },
    },
    { name: 'no service facts at all', files: location('            proxy_pass http://orders:8000;\n') },
  ],
  invalid: [
    {
      name: 'proxy_pass to a port the service does not listen on: reported on the port, fixed',
      files: { 'nginx.conf': location('            proxy_pass http://orders:8000/api/;\n'), 'compose.yaml': COMPOSE },
      errors: [
        {
          line: 5,
          column: 38,
          severity: 2,
          messageId: 'mismatch',
        },
      ],
      output: { 'nginx.conf': location('            proxy_pass http://orders:8080/api/;\n') },
    },
    {
      name: 'the port published on the Docker host is not the one inside the network',
      files: { 'nginx.conf': location('            proxy_pass http://orders:9000;\n'), 'compose.yaml': COMPOSE },
      errors: [
        {
          line: 5,
          messageId: 'mismatch',
        },
      ],
      output: { 'nginx.conf': location('            proxy_pass http://orders:8080;\n') },
    },
    {
      name: 'no port written means 80: the fix adds one',
      files: { 'nginx.conf': location('            proxy_pass http://orders/api/;\n'), 'compose.yaml': COMPOSE },
      errors: [
        {
          line: 5,
          column: 31,
          messageId: 'mismatch',
        },
      ],
      output: { 'nginx.conf': location('            proxy_pass http://orders:8080/api/;\n') },
    },
    {
      name: 'an upstream server in an included file, the only server: reported there',
      files: {
        'nginx.conf': `http {\n    include conf.d/*.conf;\n    server {\n        location / {\n            proxy_pass http://orders;\n        }\n    }\n}\n`,
        'conf.d/upstreams.conf': 'upstream orders {\n    server orders:8000 max_fails=3;\n}\n',
        'compose.yaml': COMPOSE,
      },
      errors: [
        {
          file: 'conf.d/upstreams.conf',
          line: 2,
          column: 19,
          severity: 2,
          messageId: 'mismatch',
        },
      ],
      output: { 'conf.d/upstreams.conf': 'upstream orders {\n    server orders:8080 max_fails=3;\n}\n' },
    },
    {
      name: 'one wrong server of two: nginx retries on the other, so a warning',
      files: {
        'nginx.conf': 'http {\n    upstream api {\n        server api:3000;\n        server api-2:3001;\n    }\n}\n',
        'compose.yaml': COMPOSE,
      },
      errors: [
        {
          line: 4,
          severity: 1,
          messageId: 'mismatch',
        },
      ],
      output: 'http {\n    upstream api {\n        server api:3000;\n        server api-2:3000;\n    }\n}\n',
    },
    {
      name: 'an upstream named like a service counts, whatever its servers are called',
      files: 'http {\n    upstream api {\n        server 10.0.0.5;\n    }\n}\n',
      config: { services: { api: { port: 3000 } } },
      errors: [
        {
          line: 3,
          column: 16,
          messageId: 'mismatch',
        },
      ],
      output: 'http {\n    upstream api {\n        server 10.0.0.5:3000;\n    }\n}\n',
    },
    {
      name: 'several ports fit: no fix',
      files: location('            grpc_pass grpc://search:9300;\n'),
      config: { services: { search: { ports: [9200, '9400-9401'] } } },
      errors: [
        {
          line: 5,
          messageId: 'mismatch',
        },
      ],
      output: null,
    },
    {
      name: 'two services share the host name: both are named',
      files: location('            proxy_pass http://app:5000;\n'),
      config: { services: { blue: { hosts: ['app'], port: 3000 }, green: { hosts: ['app'], port: 4000 } } },
      errors: [
        {
          line: 5,
          messageId: 'mismatch',
        },
      ],
      output: null,
    },
  ],
});
