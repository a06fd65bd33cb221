import { testRule } from '../test/rule-tester.js';
import rule from './heredoc-variable-expanded.js';

/** A Compose file whose nginx service writes `body` (lines at 10 spaces) with a here-document opened by `opener`. */
const compose = (body: string, opener = 'cat <<EOF > /etc/nginx/conf.d/default.conf') =>
  'services:\n  app:\n    image: node:20\n  gateway:\n    image: nginx:1.27\n    entrypoint:\n      - sh\n      - -c\n      - |\n' +
  `        ${opener}\n` +
  body
    .split('\n')
    .map((line) => `        ${line}\n`)
    .join('') +
  '        EOF\n        nginx -g "daemon off;"\n';

testRule(rule, {
  valid: [
    {
      name: 'nginx variables escaped for Compose and the shell, and a variable meant for the shell',
      files: {
        'compose.yaml': compose(
          'server {\n  listen $$PORT;\n  location / {\n    proxy_set_header Host \\$$host;\n    proxy_pass http://app:8000\\$$request_uri;\n  }\n}',
        ),
      },
      entry: 'compose.yaml',
    },
    {
      name: "a quoted delimiter: the shell expands nothing, $$host is nginx's $host",
      files: {
        'compose.yaml': compose(
          'server {\n  listen 80;\n  location / {\n    proxy_set_header Host $$host;\n    proxy_pass http://app:8000;\n  }\n}',
          "cat <<'EOF' > /etc/nginx/conf.d/default.conf",
        ),
      },
      entry: 'compose.yaml',
    },
  ],
  invalid: [
    {
      name: 'expanded by the shell ($$host) and by Compose ($request_uri), each at the line it is written on',
      files: {
        'compose.yaml': compose(
          'server {\n  listen 80;\n  location / {\n    proxy_set_header Host $$host;\n    proxy_pass http://app:8000$request_uri;\n  }\n}',
        ),
      },
      entry: 'compose.yaml',
      errors: [
        { line: 14, messageId: 'expanded', data: { written: '$$host', name: 'host', expander: 'the shell' } },
        { line: 15, messageId: 'expanded', data: { written: '$request_uri', name: 'request_uri', expander: 'Compose' } },
      ],
    },
  ],
});
