import { testRule } from '../test/rule-tester.js';
import rule from './proxy-keepalive-disabled.js';

/** An upstream with `keepalive 16` on line 4 and one location proxying to it, with `body` after its proxy_pass. */
function pooled(body: string, http = ''): string {
  return `http {
${http}    upstream app {
        server 127.0.0.1:8080;
        keepalive 16;
    }
    server {
        listen 80;
        location / {
            proxy_pass http://app;
${body}        }
    }
}
`;
}

/** `pooled` after a fix that turns reuse on: the block also gets a keepalive_timeout below any backend's (1s). */
function pooledFixed(body: string, http = ''): string {
  return pooled(body, http).replace('keepalive 16;\n', 'keepalive 16;\n        keepalive_timeout 1s;\n');
}

testRule(rule, {
  valid: [
    {
      name: 'a websocket location keeps its Connection "upgrade": ordinary requests still reuse connections (measured: 10 requests, 1 backend connection)',
      files:
        'http {\n    upstream chat { server 127.0.0.1:3000; keepalive 16; }\n    server {\n        location /ws/ {\n            proxy_pass http://chat;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection "upgrade";\n        }\n    }\n}\n',
    },
    {
      name: "a websocket map whose '' case is '' sends no Connection header to ordinary requests",
      files:
        "http {\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' '';\n    }\n    upstream chat { server 127.0.0.1:3000; keepalive 16; }\n    server {\n        location / {\n            proxy_pass http://chat;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n        }\n    }\n}\n",
    },
    {
      name: 'HTTP/1.1 and Connection "" in the location',
      files: pooled('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n'),
    },
    {
      name: 'both inherited from http',
      files: pooled('', '    proxy_http_version 1.1;\n    proxy_set_header Connection "";\n'),
    },
    {
      name: 'Connection: keep-alive keeps the connection too',
      files: pooled('            proxy_http_version 1.1;\n            proxy_set_header Connection keep-alive;\n'),
    },
    {
      name: 'a Connection built from a variable is not judged',
      files: pooled('            proxy_http_version 1.1;\n            proxy_set_header Connection $connection_upgrade;\n'),
    },
    {
      name: 'an upstream without keepalive before 1.29.7 keeps nothing to lose (upstream-keepalive-missing)',
      files: 'http { upstream app { server 127.0.0.1:8080; } server { location / { proxy_pass http://app; } } }\n',
    },
    {
      name: 'an implicit upstream never keeps connections',
      files: 'http { server { location / { proxy_pass http://127.0.0.1:8080; } } }\n',
    },
    {
      name: 'nginx 1.29.7 defaults: keepalive, HTTP/1.1 and no Connection: close',
      files: 'http { upstream app { server 127.0.0.1:8080; } server { location / { proxy_pass http://app; } } }\n',
      nginxVersion: '1.29.7',
    },
    {
      name: 'nginx 1.29.7: a location dropping an inherited Connection "" falls back to the built-in empty one',
      files: pooled('            proxy_set_header X-Request-Id $request_id;\n', '    proxy_set_header Connection "";\n'),
      nginxVersion: '1.29.7',
    },
    {
      name: 'nginx 1.29.7: keepalive 0 turns the pool off',
      files:
        'http { upstream app { server 127.0.0.1:8080; keepalive 0; } server { location / { proxy_pass http://app; proxy_http_version 1.0; } } }\n',
      nginxVersion: '1.29.7',
    },
    {
      name: 'before 1.29.7 the same proxy_http_version 1.0 costs nothing: the upstream keeps no connections',
      files:
        'http {\n    upstream app { server 127.0.0.1:8080; }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.0;\n        }\n    }\n}\n',
      nginxVersion: '1.29.6',
    },
    {
      name: 'FastCGI is not HTTP proxying',
      files: 'http { upstream php { server 127.0.0.1:9000; keepalive 8; } server { location / { fastcgi_pass php; } } }\n',
    },
  ],
  invalid: [
    {
      name: "the nginx docs' websocket map: '' close sends Connection: close to every ordinary request; reported at the map, fixed to ''",
      files:
        "http {\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' close;\n    }\n    upstream chat { server 127.0.0.1:3000; keepalive 16; }\n    server {\n        location / {\n            proxy_pass http://chat;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n        }\n    }\n}\n",
      errors: [{ line: 4, column: 12, messageId: 'mapCloses', data: { variable: '$connection_upgrade', upstreams: 'upstream chat' } }],
      output:
        "http {\n    map $http_upgrade $connection_upgrade {\n        default upgrade;\n        '' '';\n    }\n    upstream chat {\n        server 127.0.0.1:3000;\n        keepalive 16;\n        keepalive_timeout 1s;\n    }\n    server {\n        location / {\n            proxy_pass http://chat;\n            proxy_http_version 1.1;\n            proxy_set_header Upgrade $http_upgrade;\n            proxy_set_header Connection $connection_upgrade;\n        }\n    }\n}\n",
    },
    {
      name: 'keepalive alone: HTTP/1.0 and Connection: close by default, reported at the proxy_pass',
      files: pooled(''),
      errors: [
        {
          line: 9,
          column: 13,
          messageId: 'closes',
        },
      ],
      output: pooledFixed('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n'),
    },
    {
      name: 'proxy_http_version 1.1 alone still sends Connection: close',
      files: pooled('            proxy_http_version 1.1;\n'),
      errors: [
        {
          line: 9,
          messageId: 'closes',
          detail:
            /^location \/ sends "Connection: close" \(nginx's default before 1\.29\.7 .*; use proxy_set_header Connection "" in location \/\.?$/,
        },
      ],
      output: pooledFixed('            proxy_set_header Connection "";\n            proxy_http_version 1.1;\n'),
    },
    {
      name: 'Connection "" alone still speaks HTTP/1.0',
      files: pooled('            proxy_set_header Connection "";\n'),
      errors: [
        {
          line: 9,
          messageId: 'closes',
          detail:
            /^location \/ speaks HTTP\/1\.0 \(the proxy_http_version default before nginx 1\.29\.7\) to upstream app, .*; use proxy_http_version 1\.1 in location \/\.?$/,
        },
      ],
      output: pooledFixed('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n'),
    },
    {
      name: 'an explicit proxy_http_version 1.0 in the location is reported and corrected where it is',
      files: pooled('            proxy_http_version 1.0;\n', '    proxy_set_header Connection "";\n'),
      errors: [
        {
          line: 11,
          column: 13,
          messageId: 'closes',
          detail:
            /^location \/ speaks HTTP\/1\.0 \(proxy_http_version 1\.0 here\) to upstream app, .* which leaves keepalive 16 \(nginx\.conf:5\) unused\./,
        },
      ],
      output: pooledFixed('            proxy_http_version 1.1;\n', '    proxy_set_header Connection "";\n'),
    },
    {
      name: 'an inherited proxy_http_version 1.0 is reported where it is set and overridden in the location',
      files: pooled('            proxy_set_header Connection "";\n', '    proxy_http_version 1.0;\n'),
      errors: [
        { line: 2, column: 5, messageId: 'closes', detail: /^location \/ speaks HTTP\/1\.0 \(proxy_http_version 1\.0 here\) to upstream app,/ },
      ],
      output: pooledFixed('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n', '    proxy_http_version 1.0;\n'),
    },
    {
      name: 'one shared cause, two locations: one finding per location, each fixed in place',
      files: `http {
    proxy_http_version 1.0;
    proxy_set_header Connection "";
    upstream app { server 127.0.0.1:8080; keepalive 16; }
    server {
        location /a { proxy_pass http://app; }
        location /b { proxy_pass http://app; }
    }
}
`,
      errors: [
        { line: 2, messageId: 'closes', detail: /^location \/a speaks HTTP\/1\.0 \(proxy_http_version 1\.0 here\)/ },
        { line: 2, messageId: 'closes', detail: /^location \/b speaks HTTP\/1\.0 \(proxy_http_version 1\.0 here\)/ },
      ],
      output: `http {
    proxy_http_version 1.0;
    proxy_set_header Connection "";
    upstream app {
        server 127.0.0.1:8080;
        keepalive 16;
        keepalive_timeout 1s;
    }
    server {
        location /a {
            proxy_pass http://app;
            proxy_http_version 1.1;
        }
        location /b {
            proxy_pass http://app;
            proxy_http_version 1.1;
        }
    }
}
`,
    },
    {
      name: 'a location proxy_set_header drops the inherited Connection "": reported at it, in the included file',
      files: {
        'nginx.conf': `http {
    proxy_set_header Host $host;
    proxy_set_header Connection "";
    proxy_http_version 1.1;
    upstream api { server 127.0.0.1:3000; keepalive 32; }
    include conf.d/*.conf;
}
`,
        'conf.d/shop.conf': `server {
    location /api/ {
        proxy_pass http://api;
        proxy_set_header X-Request-Id $request_id;
    }
}
`,
      },
      errors: [
        {
          file: 'conf.d/shop.conf',
          line: 4,
          column: 9,
          messageId: 'closes',
        },
      ],
      // The upstream is in another file, so its keepalive_timeout cannot come in the same fix: unsafe.
      fixUnsafe: true,
      output: {
        'conf.d/shop.conf': `server {
    location /api/ {
        proxy_pass http://api;
        proxy_set_header Connection "";
        proxy_set_header X-Request-Id $request_id;
    }
}
`,
      },
    },
    {
      name: 'a location with no proxy_set_header of its own gets the inherited ones along with Connection ""',
      files: pooled(
        '',
        '    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n',
      ),
      errors: [{ line: 12, messageId: 'closes', detail: /^location \/ sends "Connection: close" \(nginx's default before 1\.29\.7/ }],
      output: pooledFixed(
        '            proxy_set_header Host $host;\n            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n            proxy_set_header Connection "";\n',
        '    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n',
      ),
    },
    {
      name: 'an inherited Connection: close is reported where it is set; the location gets the list with it cleared',
      files: pooled('', '    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    proxy_set_header Connection close;\n'),
      errors: [
        {
          line: 4,
          messageId: 'closes',
          detail: /^location \/ sends "Connection: close" \(proxy_set_header Connection close here\) to upstream app,/,
        },
      ],
      output: pooledFixed(
        '            proxy_set_header Host $host;\n            proxy_set_header Connection "";\n',
        '    proxy_http_version 1.1;\n    proxy_set_header Host $host;\n    proxy_set_header Connection close;\n',
      ),
    },
    {
      name: 'the location own Connection: close is cleared in place',
      files: pooled('            proxy_http_version 1.1;\n            proxy_set_header Connection "close";\n'),
      errors: [{ line: 11, messageId: 'closes', detail: /^location \/ sends "Connection: close" \(proxy_set_header Connection "close" here\)/ }],
      output: pooledFixed('            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n'),
    },
    {
      name: 'both causes set by statements elsewhere: reported at the proxy_pass, naming both',
      files: pooled('', '    proxy_http_version 1.0;\n    proxy_set_header Connection close;\n'),
      errors: [
        {
          line: 11,
          messageId: 'closes',
          detail:
            /^location \/ speaks HTTP\/1\.0 \(proxy_http_version 1\.0 at nginx\.conf:2\) and sends "Connection: close" \(proxy_set_header Connection close at nginx\.conf:3\) to upstream app,/,
        },
      ],
      output: pooledFixed(
        '            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n',
        '    proxy_http_version 1.0;\n    proxy_set_header Connection close;\n',
      ),
    },
    {
      name: 'a nested location inherits the outer location list that dropped Connection ""',
      files: `http {
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    upstream app { server 127.0.0.1:8080; keepalive 16; }
    server {
        location /a/ {
            proxy_set_header X-Area a;
            location /a/b/ {
                proxy_pass http://app;
            }
        }
    }
}
`,
      errors: [
        {
          line: 7,
          messageId: 'closes',
          detail:
            /^location \/a\/b\/ sends "Connection: close" \(the proxy_set_header here replaces every inherited one, Connection "" at nginx\.conf:3 included\)/,
        },
      ],
      output: `http {
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    upstream app {
        server 127.0.0.1:8080;
        keepalive 16;
        keepalive_timeout 1s;
    }
    server {
        location /a/ {
            proxy_set_header X-Area a;
            location /a/b/ {
                proxy_pass http://app;
                proxy_set_header X-Area a;
                proxy_set_header Connection "";
            }
        }
    }
}
`,
    },
    {
      name: 'a proxy_pass inside if: the directives go into the location, where nginx allows them',
      files: `http {
    upstream app { server 127.0.0.1:8080; keepalive 16; }
    server {
        location / {
            if ($request_method = POST) {
                proxy_pass http://app;
            }
        }
    }
}
`,
      errors: [{ line: 6, messageId: 'closes', detail: /^location \/ speaks HTTP\/1\.0/ }],
      output: `http {
    upstream app {
        server 127.0.0.1:8080;
        keepalive 16;
        keepalive_timeout 1s;
    }
    server {
        location / {
            if ($request_method = POST) {
                proxy_pass http://app;
            }
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
`,
    },
    {
      name: 'a one-line location is spread over lines',
      files:
        'http {\n    upstream app { server 127.0.0.1:8080; keepalive 16; }\n    server { location / { proxy_pass http://app; proxy_http_version 1.1; } }\n}\n',
      errors: [{ line: 3, column: 27 }],
      output:
        'http {\n    upstream app {\n        server 127.0.0.1:8080;\n        keepalive 16;\n        keepalive_timeout 1s;\n    }\n    server { location / {\n            proxy_pass http://app;\n            proxy_set_header Connection "";\n            proxy_http_version 1.1;\n        } }\n}\n',
    },
    {
      name: 'nginx 1.29.7: the default keepalive is lost to an explicit proxy_http_version 1.0',
      files:
        'http {\n    upstream app { server 127.0.0.1:8080; }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.0;\n        }\n    }\n}\n',
      nginxVersion: '1.29.7',
      errors: [
        {
          line: 6,
          messageId: 'closes',
          detail: new RegExp(
            String.raw`^location / speaks HTTP/1\.0 \(proxy_http_version 1\.0 here\) to upstream app, so the backend closes each connection after one response, ` +
              String.raw`which leaves the keepalive 32 local nginx gives upstream app by default since 1\.29\.7 unused\.`,
          ),
        },
      ],
      output:
        'http {\n    upstream app {\n        server 127.0.0.1:8080;\n        keepalive_timeout 1s;\n    }\n    server {\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n        }\n    }\n}\n',
    },
    {
      name: 'CRLF files keep their line breaks',
      files: pooled('            proxy_http_version 1.1;\n').replace(/\n/g, '\r\n'),
      errors: [{ line: 9 }],
      output: pooledFixed('            proxy_set_header Connection "";\n            proxy_http_version 1.1;\n').replace(/\n/g, '\r\n'),
    },
  ],
});
