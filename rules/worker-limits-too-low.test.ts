import { testRule } from '../test/rule-tester.js';
import rule from './worker-limits-too-low.js';

/** A main context with `main` on line 1, `events` on line 2, and an http block from line 3. */
const config = (main: string, events: string, http = '    server { location / { proxy_pass http://127.0.0.1:3000; } }\n') =>
  `${main}\nevents { ${events} }\nhttp {\n${http}}\n`;

/** Two upstream blocks with keepalive pools of `a` and `b`, each used by a location. */
const pooled = (a: string, b: string) =>
  `    upstream a { server 10.0.0.1:80; ${a} }\n    upstream b { server 10.0.0.2:80; ${b} }\n    server {\n        location /a/ { proxy_pass http://a; }\n        location /b/ { fastcgi_pass b; }\n    }\n`;

testRule(rule, {
  valid: [
    { name: 'twice worker_connections', files: config('worker_rlimit_nofile 2048;', 'worker_connections 1024;') },
    { name: 'more than twice', files: config('worker_rlimit_nofile 65535;', 'worker_connections 4096;') },
    {
      name: 'no worker_rlimit_nofile: the limit is the system one, not known here',
      files: config('worker_processes auto;', 'worker_connections 4096;'),
    },
    { name: 'twice the default 512', files: config('worker_rlimit_nofile 1024;', '') },
    { name: 'a site file without main or events context', files: 'server { location / { proxy_pass http://127.0.0.1:3000; } }\n' },
    { name: 'pools well below worker_connections', files: config('', 'worker_connections 1024;', pooled('keepalive 32;', 'keepalive 64;')) },
    {
      name: 'a pool no pass uses never fills',
      files: config('', 'worker_connections 64;', '    upstream idle { server 10.0.0.1:80; keepalive 128; }\n'),
    },
    {
      name: 'before nginx 1.29.7 a block without keepalive keeps no pool',
      files: config('', 'worker_connections 32;', pooled('', '')),
      nginxVersion: '1.29.6',
    },
    { name: 'pools under the default 512 when worker_connections is not written', files: config('', '', pooled('keepalive 300;', 'keepalive 300;')) },
  ],
  invalid: [
    {
      name: 'a config that passes nothing to a backend runs out on the files it serves: open() failed, not socket() (ArchiveBox)',
      files: config('worker_rlimit_nofile 40000;', 'worker_connections 40000;', '    server { location /archive { root /var/www/archive; } }\n'),
      errors: [{ line: 1, severity: 2, messageId: 'rlimitBelowConnectionsFiles', data: { needed: '80000' } }],
    },
    {
      name: 'but a wildcard include may bring passes nginx-lint cannot see (laradock mounts its sites from a path a variable names)',
      files: config('worker_rlimit_nofile 4096;', 'worker_connections 4096;', '    include /etc/nginx/sites-available/*.conf;\n'),
      errors: [{ line: 1, severity: 2, messageId: 'rlimitBelowConnections' }],
    },
    {
      name: 'below worker_connections: an error, fixed (unsafely) to twice',
      files: config('worker_rlimit_nofile 1024;', 'worker_connections 4096;'),
      fixUnsafe: true,
      errors: [
        {
          line: 1,
          column: 1,
          severity: 2,
          messageId: 'rlimitBelowConnections',
          data: { rlimit: 1024, connections: 4096, needed: '8192' },
        },
      ],
      output: config('worker_rlimit_nofile 8192;', 'worker_connections 4096;'),
    },
    {
      name: 'equal to worker_connections is below: the worker holds other descriptors too',
      files: config('worker_rlimit_nofile 1024;', 'worker_connections 1024;'),
      errors: [{ line: 1, severity: 2, messageId: 'rlimitBelowConnections' }],
      output: null,
    },
    {
      name: 'between one and two times: a warning',
      files: config('worker_rlimit_nofile 1500;', 'worker_connections 1024;'),
      fixUnsafe: true,
      errors: [{ line: 1, severity: 1, messageId: 'rlimitBelowTwiceConnections', data: { needed: '2048' } }],
      output: config('worker_rlimit_nofile 2048;', 'worker_connections 1024;'),
    },
    {
      // The one finding on the accepted corpus files (h5bp/server-configs-nginx): "Should be > worker_connections"
      // is met, but a server of static files holds a file per connection, more than 8192 descriptors at 8000.
      name: 'just above worker_connections, as h5bp ships it: a warning',
      files: config('worker_rlimit_nofile 8192;', 'worker_connections 8000;'),
      errors: [{ line: 1, severity: 1, messageId: 'rlimitBelowTwiceConnections', data: { needed: '16000' } }],
      output: null,
    },
    {
      name: 'against the default worker_connections 512',
      files: config('worker_rlimit_nofile 600;', ''),
      errors: [{ line: 1, severity: 1, messageId: 'rlimitBelowTwiceConnections', data: { connections: 512, needed: '1024' } }],
      output: null,
    },
    {
      name: 'in included files: the main context and the events block each from their own file',
      files: {
        'nginx.conf':
          'include main.d/*.conf;\nevents {\n    include events.conf;\n}\nhttp {\n    server { location / { proxy_pass http://127.0.0.1:3000; } }\n}\n',
        'main.d/limits.conf': 'worker_processes auto;\nworker_rlimit_nofile 100;\n',
        'events.conf': 'worker_connections 200;\n',
      },
      errors: [{ file: 'main.d/limits.conf', line: 2, messageId: 'rlimitBelowConnections' }],
      output: null,
    },
    {
      name: 'pools of two upstreams (proxy and FastCGI) fill worker_connections',
      files: config('', 'worker_connections 64;', pooled('keepalive 32;', 'keepalive 32;')),
      errors: [
        {
          line: 2,
          column: 10,
          severity: 1,
          messageId: 'poolsFillConnections',
          data: { statement: 'worker_connections 64', pooled: 64, upstreams: 'a (32), b (32)' },
        },
      ],
      output: null,
    },
    {
      name: 'from nginx 1.29.7 every upstream block keeps 32 by default',
      files: config('', 'worker_connections 48;', pooled('', 'keepalive 16;')),
      nginxVersion: '1.29.7',
      errors: [{ line: 2, messageId: 'poolsFillConnections', data: { pooled: 48, upstreams: 'a (32), b (16)' } }],
      output: null,
    },
  ],
});
