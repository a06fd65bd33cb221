import { testRule } from '../test/rule-tester.js';
import rule from './proxy-pass-stale-dns.js';

const conf = (location: string, http = '') => `http {\n${http}    server {\n        location / {\n            ${location}\n        }\n    }\n}\n`;
const COMPOSE =
  'services:\n  proxy:\n    image: nginx:1.22\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n  api:\n    image: python:3.12\n    expose: ["8000"]\n';
const FIXED_ADDRESS = `${COMPOSE}    networks:\n      backend:\n        ipv4_address: 172.20.0.10\n`;
const SERVICE = (spec: string) =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: search\n  namespace: shop\nspec:\n${spec}  selector:\n    app: search\n  ports:\n    - port: 9200\n`;
const k8s = { serviceFiles: ['k8s.yaml'] };

testRule(rule, {
  valid: [
    {
      name: 'a variable with a resolver is looked up again',
      files: {
        'nginx.conf': conf('set $api http://api:8000;\n            proxy_pass $api;', '    resolver 127.0.0.11 valid=10s;\n'),
        'compose.yaml': COMPOSE,
      },
    },
    {
      name: 'server … resolve in an upstream with a zone (nginx 1.27.3)',
      files: {
        'nginx.conf': conf(
          'proxy_pass http://api;',
          '    resolver 127.0.0.11 valid=10s;\n    upstream api {\n        zone api 64k;\n        server api:8000 resolve;\n    }\n',
        ),
        'compose.yaml': COMPOSE,
      },
      nginxVersion: '1.27.3',
    },
    { name: 'a Compose service with a fixed address', files: { 'nginx.conf': conf('proxy_pass http://api:8000;'), 'compose.yaml': FIXED_ADDRESS } },
    { name: 'an IP address', files: { 'nginx.conf': conf('proxy_pass http://172.18.0.5:8000;'), 'compose.yaml': COMPOSE } },
    {
      name: 'an upstream block named like the service, with an IP address in it',
      files: {
        'nginx.conf': conf('proxy_pass http://api;', '    upstream api {\n        server 172.18.0.5:8000;\n    }\n'),
        'compose.yaml': COMPOSE,
      },
    },
    {
      name: 'an ordinary Kubernetes Service: its cluster IP does not change when the pods do',
      files: { 'nginx.conf': conf('proxy_pass http://search.shop:9200;'), 'k8s.yaml': SERVICE('') },
      config: k8s,
    },
    { name: 'a name the repository says nothing about', files: conf('proxy_pass https://api.example.com;') },
  ],
  invalid: [
    {
      name: 'a Compose service in proxy_pass, nginx 1.22: the variable with its costs',
      files: { 'nginx.conf': conf('proxy_pass http://api:8000;'), 'compose.yaml': COMPOSE },
      nginxVersion: '1.22.1',
      errors: [
        {
          line: 4,
          column: 24,
          messageId: 'resolvedOnce',
          data: { host: 'api', service: 'api', origin: 'compose.yaml:5' },
          detail: /set \$backend http:\/\/api:8000; proxy_pass \$backend;.*extra_hosts/,
        },
      ],
    },
    {
      name: 'an upstream server in an included file, nginx 1.27.3: server … resolve',
      files: {
        'nginx.conf': conf('proxy_pass http://app;', '    include upstreams.conf;\n'),
        'upstreams.conf': 'upstream app {\n    server web:80;\n    server api:8000;\n}\n',
        'compose.yaml': COMPOSE,
      },
      nginxVersion: '1.27.3',
      errors: [{ file: 'upstreams.conf', line: 3, column: 12, data: { host: 'api' }, detail: /"server api:8000 resolve;"/ }],
    },
    {
      name: 'a resolver in effect does not change a name written without a variable',
      files: { 'nginx.conf': conf('proxy_pass http://api:8000;', '    resolver 127.0.0.11;\n'), 'compose.yaml': COMPOSE },
      errors: [{ line: 5, data: { host: 'api' } }],
    },
    {
      name: 'a headless Kubernetes Service resolves to its pods',
      files: { 'nginx.conf': conf('proxy_pass http://search.shop:9200;'), 'k8s.yaml': SERVICE('  clusterIP: None\n') },
      config: k8s,
      errors: [{ line: 4, data: { host: 'search.shop', service: 'search', origin: 'k8s.yaml:7' }, detail: /headless Service/ }],
    },
    {
      name: 'an ExternalName Service',
      files: {
        'nginx.conf': conf('proxy_pass http://search:9200;'),
        'k8s.yaml': SERVICE('  type: ExternalName\n  externalName: search.example.com\n'),
      },
      config: k8s,
      errors: [{ line: 4, detail: /ExternalName/ }],
    },
  ],
});
