import { testRule } from '../test/rule-tester.js';
import rule from './include-cycle.js';

testRule(rule, {
  valid: [
    {
      name: 'the same file included twice is no cycle',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include common.conf;\n    server {\n        include common.conf;\n    }\n}\n',
        'common.conf': 'gzip on;\n',
      },
    },
    {
      name: 'a chain of includes that does not come back',
      files: { 'nginx.conf': 'events {}\nhttp {\n    include a.conf;\n}\n', 'a.conf': 'include b.conf;\n', 'b.conf': 'gzip on;\n' },
    },
  ],
  invalid: [
    {
      name: 'a.conf and b.conf include each other: reported at the include that closes the cycle',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include a.conf;\n}\n',
        'a.conf': '# a\ninclude b.conf;\n',
        'b.conf': 'gzip on;\ninclude a.conf;\n',
      },
      errors: [
        {
          file: 'b.conf',
          line: 2,
          column: 1,
          messageId: 'cycle',
          message: new RegExp(
            `^include cycle: /\\S+/a\\.conf → /\\S+/b\\.conf → /\\S+/a\\.conf: break the cycle; nginx cannot load this configuration$`,
          ),
        },
      ],
      output: null,
    },
    {
      name: 'a file that includes itself',
      files: 'events {}\nhttp {\n    include nginx.conf;\n}\n',
      errors: [
        {
          line: 3,
          column: 5,
          messageId: 'cycle',
          message: new RegExp(`^include cycle: /\\S+/nginx\\.conf → /\\S+/nginx\\.conf: break the cycle; nginx cannot load this configuration$`),
        },
      ],
    },
    {
      name: 'a glob that matches the file holding it',
      files: { 'nginx.conf': 'events {}\nhttp {\n    include conf.d/*.conf;\n}\n', 'conf.d/loop.conf': 'include conf.d/*.conf;\n' },
      errors: [
        {
          file: 'conf.d/loop.conf',
          line: 1,
          column: 1,
          messageId: 'cycle',
          message: new RegExp(
            `^include cycle: /\\S+/conf\\.d/loop\\.conf → /\\S+/conf\\.d/loop\\.conf: break the cycle; nginx cannot load this configuration$`,
          ),
        },
      ],
    },
  ],
});
