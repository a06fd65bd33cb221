import { testRule } from '../test/rule-tester.js';
import rule from './proxy-pass-scheme-mismatch.js';

const location = (pass: string, http = '') =>
  `events {}\nhttp {\n${http}    server {\n        location / {\n            ${pass}\n        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    { name: 'https to 443', files: location('proxy_pass https://api.internal:443;') },
    { name: 'http to 80', files: location('proxy_pass http://api.internal:80;') },
    { name: 'a port that says nothing', files: location('proxy_pass https://api.internal:9000;') },
    { name: 'https without a port is 443 by default: consistent', files: location('proxy_pass https://api.internal;') },
    { name: 'grpc and fastcgi have their own schemes', files: location('grpc_pass grpc://api:443;') },
    {
      name: 'a down server gets no requests',
      files: location('proxy_pass http://app;', '    upstream app { server 10.0.0.1:8080; server 10.0.0.2:443 down; }\n'),
    },
  ],
  invalid: [
    {
      name: 'http:// to 443',
      files: location('proxy_pass http://api.internal:443/v1/;'),
      errors: [{ line: 5, column: 24, messageId: 'httpToTls', data: { where: 'api.internal:443' } }],
      fixUnsafe: true,
      output: location('proxy_pass https://api.internal:443/v1/;'),
    },
    {
      name: 'https:// to 8080, and --fix alone leaves the guess to a person',
      files: location('proxy_pass https://10.0.2.16:8080;'),
      errors: [{ line: 5, column: 24, messageId: 'httpsToPlain', data: { where: '10.0.2.16:8080' } }],
      output: null,
    },
    {
      name: 'http:// to an upstream whose server is on 443, in an included file',
      files: {
        'nginx.conf': 'events {}\nhttp {\n    include upstreams.conf;\n    server { location / { proxy_pass http://billing; } }\n}\n',
        'upstreams.conf': 'upstream billing {\n    server billing.internal:443;\n}\n',
      },
      errors: [{ line: 4, messageId: 'httpToTls', data: { where: 'server billing.internal:443 in upstream billing' } }],
    },
  ],
});
