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

/** PHP-FPM from the official image, run as the image runs it: no ports in Compose, the image listens on 9000. */
const PHP_FPM = 'services:\n  php:\n    image: php:8.3-fpm-alpine\n    volumes:\n      - ./src:/var/www/html\n';
const php = (pass: string) =>
  `http {\n    server {\n        listen 80;\n        location ~ \\.php$ {\n            include fastcgi_params;\n            ${pass}\n        }\n    }\n}\n`;

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
      name: "OpenResty's balancer_by_lua_block picks the peers: the upstream's server line is a placeholder (cdn-up-and-running), and its name is no service's",
      files: {
        'nginx.conf':
          'http {\n    upstream orders {\n        server 0.0.0.1;\n        balancer_by_lua_block {\n            require("ngx.balancer").set_current_peer("orders", 8080)\n        }\n    }\n    server {\n        listen 80;\n        location / { proxy_pass http://orders; }\n    }\n}\n',
        'compose.yaml': COMPOSE,
      },
    },
    {
      name: 'a variable that may be part of the address is not judged',
      files: {
        'nginx.conf': location('            resolver 127.0.0.11;\n            proxy_pass http://orders$target_port;\n'),
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
    {
      name: "fastcgi_pass to php-fpm on the php:*-fpm image's 9000",
      files: { 'nginx.conf': php('fastcgi_pass php:9000;'), 'compose.yaml': PHP_FPM },
    },
    {
      name: "a php-fpm pool configuration mounted over the image's may listen anywhere",
      files: {
        'nginx.conf': php('fastcgi_pass php:9001;'),
        'compose.yaml': `${PHP_FPM}      - ./php/www.conf:/usr/local/etc/php-fpm.d/zz-docker.conf:ro\n`,
      },
    },
    {
      name: 'php.ini mounted: the pool still listens on 9000, and 9000 is what nginx uses',
      files: { 'nginx.conf': php('fastcgi_pass php:9000;'), 'compose.yaml': `${PHP_FPM}      - ./php.ini:/usr/local/etc/php/conf.d/app.ini\n` },
    },
    {
      name: 'an image built from php:*-fpm may change listen (a COPY of zz-docker.conf, a sed)',
      files: { 'nginx.conf': php('fastcgi_pass php:9001;'), 'compose.yaml': 'services:\n  php:\n    build: ./php\n    image: php:8.3-fpm\n' },
    },
    {
      name: 'a command other than php-fpm may rewrite the configuration first',
      files: {
        'nginx.conf': php('fastcgi_pass php:8000;'),
        'compose.yaml':
          'services:\n  php:\n    image: php:8.3-fpm\n    command: sh -c "sed -i s/9000/8000/ /usr/local/etc/php-fpm.d/zz-docker.conf && php-fpm"\n',
      },
    },
    {
      name: 'a php-fpm that Compose says exposes 9001 is taken at its word',
      files: { 'nginx.conf': php('fastcgi_pass php:9001;'), 'compose.yaml': 'services:\n  php:\n    image: php:8.3-fpm\n    expose: ["9001"]\n' },
    },
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
      name: 'a variable only in the URI leaves the address as written (cortex: http://distributor…$request_uri): reported, fixed',
      files: {
        'nginx.conf': location('            resolver 127.0.0.11;\n            proxy_pass http://orders$request_uri;\n'),
        'compose.yaml': COMPOSE,
      },
      errors: [{ line: 6, column: 31, messageId: 'mismatch' }],
      output: { 'nginx.conf': location('            resolver 127.0.0.11;\n            proxy_pass http://orders:8080$request_uri;\n') },
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
      name: "fastcgi_pass to php-fpm on another port than the php:*-fpm image's 9000: a warning, nothing rewritten",
      files: { 'nginx.conf': php('fastcgi_pass php:9001;'), 'compose.yaml': PHP_FPM },
      errors: [
        {
          line: 6,
          column: 30,
          severity: 1,
          messageId: 'mismatch',
          data: {
            subject: 'fastcgi_pass to php:9001',
            listening: "php listens on 9000 (compose.yaml:3 PHP-FPM's listen = 9000 in the php:*-fpm image, assumed)",
            advice: 'use php:9000',
          },
        },
      ],
      output: null,
    },
    {
      name: 'php-fpm run as `php-fpm -F` by an upstream block',
      files: {
        'nginx.conf': 'http {\n    upstream php {\n        server php-fpm:80;\n    }\n}\n',
        'compose.yaml': 'services:\n  php-fpm:\n    image: docker.io/library/php:fpm\n    command: ["php-fpm", "-F"]\n',
      },
      errors: [{ line: 3, severity: 1, messageId: 'mismatch', data: { subject: 'server php-fpm:80 in upstream php' } }],
      output: null,
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
