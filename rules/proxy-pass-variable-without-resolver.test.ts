import { testRule } from '../test/rule-tester.js';
import rule from './proxy-pass-variable-without-resolver.js';

/** A file of these lines: line N of a test is the N-th argument. */
const conf = (...lines: string[]) => `${lines.join('\n')}\n`;

/** `location / { … }` holding `body`, in a server in http; the body starts on line 5. */
const inLocation = (...body: string[]) =>
  conf('events {}', 'http {', '    server {', '        location / {', ...body.map((line) => `            ${line}`), '        }', '    }', '}');

/** `location /` holding `first` (from line 5) and `location /health` holding `second` (from line 5 + lines of `first` + 2). */
const twoLocations = (first: string, second: string) =>
  conf(
    'events {}',
    'http {',
    '    server {',
    '        location / {',
    `            ${first}`,
    '        }',
    '        location /health {',
    `            ${second}`,
    '        }',
    '    }',
    '}',
  );

testRule(rule, {
  valid: [
    {
      name: 'lab scenario 7, fixed: a resolver in the server',
      files: conf(
        'events {}',
        'http {',
        '    server {',
        '        resolver 127.0.0.1:28053 valid=30s;',
        '        location / {',
        '            set $b http://app.internal:28081;',
        '            proxy_pass $b;',
        '        }',
        '    }',
        '}',
      ),
    },
    {
      name: 'a resolver at http level, in the main file, is inherited by a server in an included file',
      files: {
        'nginx.conf': conf('events {}', 'http {', '    resolver 127.0.0.11 valid=10s;', '    include conf.d/*.conf;', '}'),
        'conf.d/app.conf': conf('server {', '    location / {', '        set $b http://app:3000;', '        proxy_pass $b;', '    }', '}'),
      },
    },
    {
      name: 'lab scenario 7, fixed: the upstream block named in the variable without a port',
      files: {
        'nginx.conf': conf(
          'events {}',
          'http {',
          '    include upstreams.conf;',
          '    server {',
          '        location / {',
          '            set $b http://app.internal;',
          '            proxy_pass $b;',
          '        }',
          '    }',
          '}',
        ),
        'upstreams.conf': conf('upstream app.internal {', '    server 127.0.0.1:28081;', '}'),
      },
    },
    { name: 'lab scenario 7, fixed: an IP address in the variable', files: inLocation('set $b http://127.0.0.1:28081;', 'proxy_pass $b;') },
    { name: 'an IPv6 address', files: inLocation('set $b http://[::1]:28081;', 'proxy_pass $b;') },
    { name: 'an IP address with the port in a variable', files: inLocation('set $port 28081;', 'proxy_pass http://127.0.0.1:$port;') },
    {
      name: 'a map whose values are upstream blocks, compared ignoring case',
      files: conf(
        'events {}',
        'http {',
        '    map $http_x_canary $pool {',
        '        default blue;',
        '        1       GREEN;',
        '    }',
        '    upstream blue { server 10.0.0.1:8080; }',
        '    upstream green { server 10.0.0.2:8080; }',
        '    server {',
        '        location / {',
        '            proxy_pass http://$pool;',
        '        }',
        '    }',
        '}',
      ),
    },
    {
      name: 'a host and port that a proxy_pass without variables also names: nginx resolved it at start-up',
      files: twoLocations('proxy_pass http://app.internal:8080$request_uri;', 'proxy_pass http://app.internal:8080;'),
    },
    {
      name: 'no port written means port 80 for that match',
      files: twoLocations('set $b http://app.internal:80;\n            proxy_pass $b;', 'proxy_pass http://app.internal;'),
    },
    {
      name: 'a scheme held in a variable is http or https, so port 80 or 443',
      files: twoLocations('proxy_pass $scheme://app.internal;', 'proxy_pass https://app.internal;'),
    },
    { name: 'a host taken from the request is not known here', files: inLocation('proxy_pass http://$http_x_backend$request_uri;') },
    { name: 'a host that is partly a variable', files: inLocation('proxy_pass https://$bucket.s3.amazonaws.com;') },
    { name: 'a unix socket', files: inLocation('fastcgi_pass unix:/run/php/php$php_version-fpm.sock;') },
    { name: 'no variable: nginx resolves the name at start-up', files: inLocation('proxy_pass http://app.internal:8080;') },
    {
      name: 'a value proxy_pass refuses for lack of a scheme is another problem',
      files: inLocation('set $b app.internal:8080;', 'proxy_pass $b;'),
    },
  ],
  invalid: [
    {
      name: 'lab scenario 7: a name in a set variable, no resolver anywhere',
      files: inLocation('set $b http://app.internal:28081;', 'proxy_pass $b;'),
      errors: [
        {
          line: 6,
          column: 24,
          severity: 2,
          messageId: 'noResolver',
        },
      ],
      output: null,
    },
    {
      name: 'the host written out, a variable after it',
      files: inLocation('proxy_pass http://app.internal:8080$request_uri;'),
      errors: [
        {
          line: 5,
          messageId: 'noResolver',
        },
      ],
    },
    {
      name: 'an upstream block with a port after its name is not that block',
      files: conf(
        'events {}',
        'http {',
        '    upstream app { server 127.0.0.1:28081; }',
        '    server {',
        '        location / {',
        '            set $b http://app:28081;',
        '            proxy_pass $b;',
        '        }',
        '    }',
        '}',
      ),
      errors: [
        {
          line: 7,
          messageId: 'noResolver',
        },
      ],
    },
    {
      name: 'localhost too: /etc/hosts is read only at start-up',
      files: inLocation('proxy_pass http://localhost:3000$request_uri;'),
      errors: [
        {
          line: 5,
          messageId: 'noResolver',
          detail: /^proxy_pass http:\/\/localhost:3000\$request_uri holds a variable, so nginx looks up localhost for each request/,
        },
      ],
    },
    {
      name: 'the port of the start-up upstream differs',
      files: twoLocations('proxy_pass https://app.internal$request_uri;', 'proxy_pass http://app.internal;'),
      errors: [{ line: 5, messageId: 'noResolver', detail: /nginx looks up app\.internal for each request/ }],
    },
    {
      name: 'a resolver in another server does not count; the finding is in the included file',
      files: {
        'nginx.conf': conf('events {}', 'http {', '    server {', '        resolver 127.0.0.11;', '    }', '    include sites/*.conf;', '}'),
        'sites/api.conf': conf(
          'server {',
          '    listen 8081;',
          '    location / {',
          '        set $api http://api:3000;',
          '        proxy_pass $api;',
          '    }',
          '}',
        ),
      },
      errors: [
        {
          file: 'sites/api.conf',
          line: 5,
          column: 20,
          messageId: 'noResolver',
        },
      ],
    },
    {
      name: 'a map with a name among IP addresses: only those requests fail',
      files: conf(
        'events {}',
        'http {',
        '    map $http_x_region $backend {',
        '        default 10.0.0.1:8080;',
        '        eu      10.0.1.1:8080;',
        '        us      api-us.internal:8080;',
        '    }',
        '    server {',
        '        location / {',
        '            proxy_pass http://$backend;',
        '        }',
        '    }',
        '}',
      ),
      errors: [
        {
          line: 10,
          messageId: 'noResolver',
        },
      ],
    },
    {
      name: 'several names',
      files: inLocation(
        'set $b http://blue.internal:8080;',
        'if ($http_x_canary) {',
        '    set $b http://green.internal:8080;',
        '}',
        'proxy_pass $b;',
      ),
      errors: [
        {
          line: 9,
          messageId: 'noResolver',
        },
      ],
    },
    {
      name: 'fastcgi_pass and grpc_pass read their values the same way',
      files: twoLocations('set $php php-fpm:9000;\n            fastcgi_pass $php;', 'set $svc orders;\n            grpc_pass grpc://$svc:50051;'),
      errors: [
        { line: 6, messageId: 'noResolver', detail: /^fastcgi_pass \$php proxies to php-fpm:9000, so nginx looks up php-fpm for each request/ },
        {
          line: 10,
          messageId: 'noResolver',
          detail: /^grpc_pass grpc:\/\/\$svc:50051 proxies to grpc:\/\/orders:50051, so nginx looks up orders for each request/,
        },
      ],
    },
    {
      name: 'a scheme held in a variable leaves the host known',
      files: inLocation('proxy_pass $scheme://app.internal:8080$request_uri;'),
      errors: [
        {
          line: 5,
          column: 24,
          messageId: 'noResolver',
          detail: /^proxy_pass \$scheme:\/\/app\.internal:8080\$request_uri holds a variable, so nginx looks up app\.internal for each request/,
        },
      ],
    },
    {
      name: 'a port held in a variable leaves the host known',
      files: inLocation('proxy_pass http://app.internal:$app_port;'),
      errors: [
        {
          line: 5,
          messageId: 'noResolver',
          detail: /^proxy_pass http:\/\/app\.internal:\$app_port holds a variable, so nginx looks up app\.internal for each request/,
        },
      ],
    },
  ],
});
