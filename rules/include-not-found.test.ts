import { testRule } from '../test/rule-tester.js';
import rule from './include-not-found.js';

/** The message ends with the paths of a temporary directory, so only its shape can be fixed in advance. */
function notFound(relativeTarget: string): RegExp {
  const escaped = relativeTarget.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(
    `^open\\(\\) "/.+/${escaped}" failed \\(no such file\\): nginx refuses to start$`,
  );
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
      files: 'events {}\nhttp {\n    include conf.d/*.conf;\n    include /nonexistent-nginx-lint-dir/*.conf;\n}\n',
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
      name: 'an absolute path that does not exist',
      files: 'events {}\nhttp {\n    include /nonexistent-nginx-lint-dir/absent.conf;\n}\n',
      errors: [
        {
          line: 3,
          column: 5,
          messageId: 'notFound',
          data: { nginxMessage: 'open() "/nonexistent-nginx-lint-dir/absent.conf" failed (no such file)' },
        },
      ],
    },
  ],
});
