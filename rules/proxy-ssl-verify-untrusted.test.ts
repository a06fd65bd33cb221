import { testRule } from '../test/rule-tester.js';
import rule from './proxy-ssl-verify-untrusted.js';

const config = (location: string, server = '') => `events {}\nhttp {\n    server {\n${server}        location / {\n${location}        }\n    }\n}\n`;

testRule(rule, {
  valid: [
    { name: 'verify off (the default)', files: config('            proxy_pass https://api.internal;\n') },
    {
      name: 'verify on with a trusted certificate inherited from the server',
      files: config(
        '            proxy_pass https://api.internal;\n            proxy_ssl_verify on;\n',
        '        proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;\n',
      ),
    },
    {
      name: 'verify on but plain http: nothing to verify',
      files: config('            proxy_pass http://api.internal;\n            proxy_ssl_verify on;\n'),
    },
  ],
  invalid: [
    {
      name: 'the lab: verify on, nothing trusted; reported where verify is set, in the server, once',
      files: config('            proxy_pass https://api.internal;\n', '        proxy_ssl_verify on;\n'),
      errors: [{ line: 4, column: 9, messageId: 'untrusted', data: { verify: 'proxy_ssl_verify on', trusted: 'proxy_ssl_trusted_certificate' } }],
      output: null,
    },
    {
      name: 'the grpc twin',
      files: config('            grpc_pass grpcs://api.internal:443;\n            grpc_ssl_verify on;\n'),
      errors: [{ line: 6, messageId: 'untrusted', data: { verify: 'grpc_ssl_verify on', trusted: 'grpc_ssl_trusted_certificate' } }],
    },
  ],
});
