import { testRule } from '../test/rule-tester.js';
import rule from './header-inheritance-lost.js';

const PROXY_HEADERS = '    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n';
const FORWARDING = '    proxy_set_header X-Real-IP $remote_addr;\n    proxy_set_header X-Forwarded-Proto $scheme;\n';

/** bookwyrm's Anubis location: its own list drops the server's X-Forwarded-Proto. */
const ANUBIS_NGINX =
  'events {}\nhttp {\n    upstream anubis {\n        server anubis:8000;\n    }\n    server {\n        listen 443 ssl;\n        proxy_set_header X-Forwarded-Proto https;\n        location /.within.website/ {\n            proxy_pass http://anubis;\n            proxy_set_header X-Real-IP $remote_addr;\n        }\n    }\n}\n';

function anubisCompose(environment: string): string {
  return `services:\n  nginx:\n    image: nginx:1.30.1\n    depends_on: [anubis]\n  anubis:\n    image: ghcr.io/techarohq/anubis:latest\n    environment:\n${environment}`;
}

testRule(rule, {
  valid: [
    {
      name: 'a lost X-Forwarded-Proto behind Anubis answering only auth_request checks (TARGET blank, no PUBLIC_URL), which never reads it (bookwyrm)',
      files: { 'nginx.conf': ANUBIS_NGINX, 'compose.yaml': anubisCompose('      TARGET: " "\n      BIND: ":8000"\n') },
    },
    {
      name: 'a location with none of its own inherits them all',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location / {\n            proxy_pass http://app;\n        }\n    }\n}\n`,
    },
    {
      name: 'a location that repeats every inherited header',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location / {\n            proxy_pass http://app;\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n`,
    },
    {
      name: 'only Connection "" lost: that is proxy-keepalive-disabled\'s finding',
      files:
        'events {}\nhttp {\n    proxy_set_header Connection "";\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n',
    },
    {
      name: 'add_header_inherit merge (1.29.3) keeps the outer add_headers',
      files:
        'events {}\nhttp {\n    add_header Strict-Transport-Security "max-age=31536000" always;\n    server {\n        location / {\n            add_header_inherit merge;\n            add_header Cache-Control no-store;\n        }\n    }\n}\n',
      nginxVersion: '1.29.3',
    },
    {
      name: 'a location that sends its own Host naming another site withholds the client headers on purpose (penpot and Google Fonts)',
      files: `events {}\nhttp {\n${FORWARDING}    server {\n        listen 443 ssl;\n        location /fonts/ {\n            proxy_pass https://fonts.gstatic.com/s/;\n            proxy_set_header Host "fonts.gstatic.com";\n            proxy_ssl_server_name on;\n        }\n    }\n}\n`,
    },
    {
      name: 'a lost X-Forwarded-Proto $scheme in a server with no TLS listener: always http, which the backend assumes anyway',
      files:
        'events {}\nhttp {\n    server {\n        listen 80;\n        proxy_set_header X-Forwarded-Proto $scheme;\n        location /admin/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n',
    },
    {
      name: 'a lost Accept-Encoding "" where nothing reads the body: a compressed response passes through (nginx-proxy-manager)',
      files:
        'events {}\nhttp {\n    proxy_set_header Accept-Encoding "";\n    server {\n        listen 80;\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header Host $host;\n        }\n    }\n}\n',
    },
    {
      name: 'an inherited Permissions-Policy that only opts out of FLoC (interest-cohort, gone since Chrome 93): losing it loses nothing (bigbluebutton)',
      files:
        'events {}\nhttp {\n    server {\n        add_header Permissions-Policy "interest-cohort=()";\n        location /bigbluebutton {\n            add_header P3P \'CP="No P3P policy available"\';\n        }\n    }\n}\n',
    },
    {
      name: "an inherited add_header with an empty value adds nothing (Accept-Ranges ''): losing it loses nothing",
      files:
        "events {}\nhttp {\n    server {\n        location /assets/ {\n            add_header Accept-Ranges '';\n            location ~ \\.css$ {\n                add_header Cache-Control immutable;\n            }\n        }\n    }\n}\n",
    },
  ],
  invalid: [
    {
      name: 'the same location behind Anubis with PUBLIC_URL, which builds redirect URLs from X-Forwarded-Proto',
      files: {
        'nginx.conf': ANUBIS_NGINX,
        'compose.yaml': anubisCompose('      TARGET: " "\n      PUBLIC_URL: https://anubis.example.com\n'),
      },
      errors: [{ line: 11, messageId: 'lost', data: { lost: 'X-Forwarded-Proto' } }],
    },
    {
      name: 'and behind an Anubis that proxies to a target, which it passes the header on to',
      files: { 'nginx.conf': ANUBIS_NGINX, 'compose.yaml': anubisCompose('      TARGET: http://web:8000\n') },
      errors: [{ line: 11, messageId: 'lost', data: { lost: 'X-Forwarded-Proto' } }],
    },
    {
      name: 'a Permissions-Policy that also restricts a live feature (camera) is a loss, interest-cohort or not',
      files:
        'events {}\nhttp {\n    server {\n        add_header Permissions-Policy "interest-cohort=(), camera=()";\n        location /app {\n            add_header Cache-Control no-store;\n        }\n    }\n}\n',
      errors: [{ line: 6, messageId: 'lost', data: { lost: 'Permissions-Policy' } }],
    },
    {
      name: "a Host that still carries the client's host ($http_host) is the same site: the forwarding headers are lost",
      files: `events {}\nhttp {\n${FORWARDING}    server {\n        listen 443 ssl;\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header Host $http_host;\n        }\n    }\n}\n`,
      errors: [{ line: 9, messageId: 'lost', data: { lost: 'X-Real-IP and X-Forwarded-Proto' } }],
    },
    {
      name: 'in a server with a TLS listener, X-Forwarded-Proto $scheme says https: losing it is a loss',
      files:
        'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        proxy_set_header X-Forwarded-Proto $scheme;\n        location /admin/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n',
      errors: [{ line: 8, messageId: 'lost', data: { lost: 'X-Forwarded-Proto' } }],
    },
    {
      name: 'one proxy_set_header in the location drops Host and X-Forwarded-For; --fix-unsafe carries them in',
      files: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n        }\n    }\n}\n`,
      errors: [{ line: 8, column: 13, messageId: 'lost', data: { block: 'location /api/', lost: 'Host and X-Forwarded-For' } }],
      fixUnsafe: true,
      output: `events {}\nhttp {\n${PROXY_HEADERS}    server {\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header X-Request-Id $request_id;\n            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n        }\n    }\n}\n`,
    },
    {
      name: 'a location inside a location inherits from it, and loses what it does not repeat',
      files:
        'events {}\nhttp {\n    server {\n        location / {\n            proxy_set_header Host $host;\n            proxy_pass http://app;\n            location /inner/ {\n                proxy_pass http://app;\n                proxy_set_header X-Request-Id $request_id;\n            }\n        }\n    }\n}\n',
      errors: [{ line: 9, messageId: 'lost', data: { block: 'location /inner/', lost: 'Host' } }],
    },
    {
      name: 'a lost Accept-Encoding "" where sub_filter rewrites the body: the backend compresses it, and sub_filter cannot read it',
      files:
        'events {}\nhttp {\n    proxy_set_header Accept-Encoding "";\n    server {\n        listen 80;\n        location /api/ {\n            proxy_pass http://app;\n            proxy_set_header Host $host;\n            sub_filter "http://app" "https://example.com";\n        }\n    }\n}\n',
      errors: [{ line: 8, messageId: 'lost', data: { lost: 'Accept-Encoding' } }],
    },
    {
      name: 'a lost Accept-Encoding "" in a server whose inner location turns ssi on',
      files:
        'events {}\nhttp {\n    proxy_set_header Accept-Encoding "";\n    server {\n        listen 80;\n        proxy_set_header Host $host;\n        location / {\n            proxy_pass http://app;\n            ssi on;\n        }\n    }\n}\n',
      errors: [{ line: 6, messageId: 'lost', data: { block: 'server', lost: 'Accept-Encoding' } }],
    },
    {
      name: "add_header ETag '' removes the file's ETag: an inner location that sets its own add_header sends it again (wodby's drupal presets)",
      files:
        "events {}\nhttp {\n    server {\n        location /assets/ {\n            add_header ETag '';\n            add_header Accept-Ranges '';\n            location ~ \\.css$ {\n                add_header Cache-Control immutable;\n            }\n        }\n    }\n}\n",
      errors: [{ line: 8, messageId: 'lost', data: { directive: 'add_header', lost: 'ETag' } }],
    },
    {
      name: "an add_header in the location drops the server's security headers",
      files:
        'events {}\nhttp {\n    server {\n        add_header Strict-Transport-Security "max-age=31536000" always;\n        add_header X-Frame-Options DENY;\n        location /download/ {\n            add_header Content-Disposition attachment;\n        }\n    }\n}\n',
      errors: [{ line: 7, messageId: 'lost', data: { directive: 'add_header', lost: 'Strict-Transport-Security and X-Frame-Options' } }],
    },
  ],
});
