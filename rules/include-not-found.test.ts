import { testRule } from '../test/rule-tester.js';
import rule from './include-not-found.js';

/** The message ends with the paths of a temporary directory, so only its shape can be fixed in advance. */
function notFound(relativeTarget: string): RegExp {
  const escaped = relativeTarget.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^open\\(\\) "/.+/${escaped}" failed \\(no such file\\): nginx refuses to start$`);
}

testRule(rule, {
  valid: [
    {
      name: 'a relative include resolves against the prefix, even from a file in a subdirectory',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include conf.d/site.conf;\n}\n',
        'conf.d/site.conf': 'server {\n    listen 80;\n    include snippets/common.conf;\n}\n',
        'snippets/common.conf': 'root /srv;\n',
      },
    },
    {
      name: 'a glob that matches nothing is fine',
      files: 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n',
    },
    {
      name: "a glob over a container folder nothing maps and the repository has no such files for (Debian's modules-enabled): nginx accepts it, nothing to say",
      files: {
        'compose.yaml': 'services:\n  web:\n    build: .\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
        Dockerfile: 'FROM debian:bookworm-slim\nRUN apt-get update && apt-get install -y nginx\n',
        'nginx.conf':
          'include /etc/nginx/modules-enabled/*.conf;\nevents {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/sites-enabled/*;\n}\n',
        'conf/site.conf': 'server { listen 80; }\n',
      },
    },
    {
      name: 'files that ship in the nginx image are known without reading this machine: mime.types, fastcgi_params, /etc/nginx/uwsgi_params',
      files:
        'events {}\nhttp {\n    include mime.types;\n    include /etc/nginx/uwsgi_params;\n    server { location ~ \\.php$ { include fastcgi_params; fastcgi_pass php:9000; } }\n}\n',
    },
    {
      name: 'a Compose volume maps /etc/nginx/conf.d to the repository folder the include then reads',
      files: {
        'compose.yaml':
          'services:\n  proxy:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/sites:/etc/nginx/conf.d\n',
        'nginx/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n    include snippets/common.conf;\n}\n',
        'nginx/sites/app.conf': 'server { listen 80; }\n',
        'nginx/snippets/common.conf': 'gzip on;\n',
      },
      entry: 'nginx/nginx.conf',
    },
    {
      name: '--path-map / pathMap covers what no volume says',
      files: {
        '.nginx-lint.json': '{}',
        'nginx.conf': 'events {}\nhttp {\n    include /srv/shared/proxy.conf;\n}\n',
        'shared/proxy.conf': 'proxy_http_version 1.1;\n',
      },
      config: { pathMap: { '/srv/shared': './shared' } },
    },
    {
      name: "a mount from a folder the repository does not hold is filled at run time (certbot's /etc/letsencrypt): nothing to say",
      files: {
        'compose.yaml': 'services:\n  proxy:\n    image: nginx:1.25\n    volumes: ["./data/certbot:/etc/letsencrypt"]\n',
        'nginx.conf': 'events {}\nhttp {\n    include /etc/letsencrypt/options-ssl-nginx.conf;\n}\n',
      },
    },
  ],
  invalid: [
    {
      name: 'a plain file that does not exist',
      files: 'events {}\nhttp {\n    include mime.typess;\n}\n',
      errors: [{ line: 3, column: 5, message: notFound('mime.typess') }],
      output: null,
    },
    {
      name: 'relative to the including file is not where nginx looks: reported in the including file',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include conf.d/site.conf;\n}\n',
        'conf.d/site.conf': 'server {\n    listen 80;\n    include common.conf;\n}\n',
        'conf.d/common.conf': 'root /srv;\n',
      },
      errors: [{ file: 'conf.d/site.conf', line: 3, column: 5, message: notFound('common.conf') }],
    },
    {
      name: 'an absolute path nothing in the repository maps: a warning that says how to map it, not a guess',
      files: 'events {}\nhttp {\n    include /nonexistent-nginx-lint-dir/absent.conf;\n}\n',
      errors: [{ line: 3, column: 5, severity: 1, messageId: 'unmapped', data: { path: '/nonexistent-nginx-lint-dir/absent.conf' } }],
    },
    {
      name: 'a glob nothing maps, over a folder whose matching files the repository holds: a mount is likely missing',
      files: {
        'compose.yaml': 'services:\n  proxy:\n    image: nginx:1.27\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
        'nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/sites-enabled/*.conf;\n}\n',
        'deploy/sites-enabled/app.conf': 'server { listen 80; }\n',
      },
      errors: [{ file: 'nginx.conf', line: 3, column: 5, severity: 1, messageId: 'unmapped', data: { path: '/etc/nginx/sites-enabled/*.conf' } }],
    },
    {
      name: "a template a start script renders where the repository does not say (wodby's vhost.conf.tmpl): its relative includes are not checked, and one whose path is a placeholder names nothing",
      files: {
        'templates/vhost.conf':
          'include upstream.conf;\nserver {\n    listen {{ getenv "PORT" "80" }};\n    include preset.conf;\n    include {{ getenv "EXTRA_CONF" }};\n}\n',
      },
      entry: 'templates/vhost.conf',
      errors: [
        { line: 1, column: 1, severity: 1, messageId: 'renderedElsewhere', data: { path: 'upstream.conf' } },
        { line: 4, column: 5, severity: 1, messageId: 'renderedElsewhere', data: { path: 'preset.conf' } },
      ],
    },
    {
      name: "a template an app renders (nginx-proxy-manager's backend/templates): its relative includes, and those of the files it includes, are read from the repository's copy of /etc/nginx, where nginx resolves them",
      files: {
        'backend/templates/proxy_host.conf':
          'server {\n    listen 80;\n{% if enabled %}\n    include conf.d/include/assets.conf;\n{% endif %}\n    include conf.d/include/absent.conf;\n}\n',
        'docker/rootfs/etc/nginx/conf.d/include/assets.conf': 'location /assets {\n    include conf.d/include/proxy.conf;\n}\n',
        'docker/rootfs/etc/nginx/conf.d/include/proxy.conf': 'proxy_set_header Host $host;\n',
      },
      entry: 'backend/templates/proxy_host.conf',
      errors: [{ line: 6, column: 5, severity: 1, messageId: 'renderedElsewhere', data: { path: 'conf.d/include/absent.conf' } }],
    },
    {
      name: 'a mounted folder that lacks the included file: nginx fails, an error',
      files: {
        'compose.yaml': 'services:\n  proxy:\n    image: nginx:1.25\n    volumes: ["./conf:/etc/nginx/conf.d"]\n',
        'nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/site.conf;\n}\n',
        'conf/other.conf': 'gzip on;\n',
      },
      errors: [{ line: 3, column: 5, severity: 2, messageId: 'notFound' }],
    },
  ],
});
