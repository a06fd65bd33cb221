/**
 * The handler checks (invalid-value, unknown-variable, undefined-reference, duplicate-definition) against real
 * nginx: every case is a whole nginx.conf; nginx-lint must report nginx's first error with nginx's words at nginx's
 * line (or, where nginx names no line, at the statement given), and a valid case must be accepted by both. With
 * nginx installed (CI installs it), each case also runs through `nginx -t`, so the expectations are nginx's, not
 * ours. Cases need nothing from the host: no host names to resolve, no files to open.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { NGINX_T_RULES, nginxAvailable, nginxVerdict } from './helpers/nginx.js';

const RULES = NGINX_T_RULES;

/** nginx 1.22.1 is what CI installs (Debian bookworm); the cases hold for it. */
const NGINX_VERSION = '1.22.1';

interface Case {
  readonly name: string;
  /** The body of `http { … }` (or the whole file with `main`). */
  readonly http?: string;
  readonly main?: string;
  /** nginx's message and the line (in the whole file) nginx-lint reports it at; null: accepted. */
  readonly error: { readonly rule: string; readonly message: string; readonly line: number; readonly nginxLine?: number | null } | null;
}

const head = 'events {}\nhttp {\n';
/** Lines before the http body: `events {}` and `http {`. */
const H = 2;

const CASES: readonly Case[] = [
  {
    name: 'upstream server weight must be a positive number',
    http: 'upstream a {\n  server 10.0.0.6:8000 weight=two;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid parameter "weight=two"', line: H + 2 },
  },
  {
    name: 'an unknown upstream server parameter',
    http: 'upstream a {\n  server 10.0.0.7:8000 bogus=1;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid parameter "bogus=1"', line: H + 2 },
  },
  {
    name: 'resolve is not in nginx 1.22',
    http: 'upstream a {\n  server 10.0.0.7:8000 resolve;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid parameter "resolve"', line: H + 2 },
  },
  {
    name: 'backup after hash',
    http: 'upstream a {\n  hash $request_uri;\n  server 10.0.0.7:8000;\n  server 10.0.0.8:8000 backup;\n}\n',
    error: { rule: 'invalid-value', message: 'balancing method does not support parameter "backup"', line: H + 4 },
  },
  {
    name: 'valid upstream server parameters',
    http: 'upstream a {\n  server 10.0.0.7:8000 weight=2 max_fails=3 fail_timeout=10s max_conns=5;\n  server 10.0.0.8:8000 backup;\n}\n',
    error: null,
  },
  {
    name: 'an upstream without servers, at its closing brace',
    http: 'upstream a {\n  keepalive 4;\n}\n',
    error: { rule: 'invalid-value', message: 'no servers are inside upstream', line: H + 3 },
  },
  {
    name: 'an upstream of backup servers only: no primary for round robin, at the upstream line',
    http: 'upstream a {\n  server 10.0.0.7:8000 backup;\n  server 10.0.0.8:8000 backup;\n}\n',
    error: { rule: 'invalid-value', message: 'no servers in upstream "a"', line: H + 1 },
  },
  {
    name: 'a down server is a primary too',
    http: 'upstream a {\n  server 10.0.0.7:8000 backup;\n  server 10.0.0.8:8000 down;\n}\n',
    error: null,
  },
  {
    name: 'an invalid listen parameter',
    http: 'server {\n  listen 8080 spdy;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid parameter "spdy"', line: H + 2 },
  },
  {
    name: 'an invalid listen port',
    http: 'server {\n  listen 127.0.0.1:99999;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid port in "127.0.0.1:99999" of the "listen" directive', line: H + 2 },
  },
  {
    name: 'duplicate listen options across servers',
    http: 'server {\n  listen 127.0.0.1:8080 backlog=10;\n}\nserver {\n  listen 127.0.0.1:8080 backlog=20;\n}\n',
    error: { rule: 'duplicate-definition', message: 'duplicate listen options for 127.0.0.1:8080', line: H + 5 },
  },
  {
    name: 'default_server twice on one address',
    http: 'server {\n  listen 8080 default_server;\n}\nserver {\n  listen 8080 default_server;\n}\n',
    error: { rule: 'duplicate-definition', message: 'a duplicate default server for 0.0.0.0:8080', line: H + 5 },
  },
  {
    name: 'the same listen twice in one server',
    http: 'server {\n  listen 8080;\n  listen 8080;\n}\n',
    error: { rule: 'duplicate-definition', message: 'a duplicate listen 0.0.0.0:8080', line: H + 3 },
  },
  {
    name: 'one address in two servers is fine',
    http: 'server {\n  listen 8080 default_server;\n}\nserver {\n  listen 8080;\n  server_name b;\n}\n',
    error: null,
  },
  {
    name: 'proxy_pass without a scheme',
    http: 'server {\n  location / {\n    proxy_pass 127.0.0.1:8080;\n  }\n}\n',
    error: { rule: 'invalid-value', message: 'invalid URL prefix', line: H + 3 },
  },
  {
    name: 'proxy_pass with a URI in a regex location',
    http: 'server {\n  location ~ ^/a {\n    proxy_pass http://127.0.0.1:8080/b;\n  }\n}\n',
    error: {
      rule: 'invalid-value',
      message:
        '"proxy_pass" cannot have URI part in location given by regular expression, or inside named location, or inside "if" statement, or inside "limit_except" block',
      line: H + 3,
    },
  },
  {
    name: 'fastcgi_pass with an invalid port',
    http: 'server {\n  location / {\n    fastcgi_pass 127.0.0.1:PORT;\n  }\n}\n',
    error: { rule: 'invalid-value', message: 'invalid port in upstream "127.0.0.1:PORT"', line: H + 3 },
  },
  {
    name: 'fastcgi_pass without a port',
    http: 'server {\n  location / {\n    fastcgi_pass 127.0.0.1;\n  }\n}\n',
    error: { rule: 'undefined-reference', message: 'no port in upstream "127.0.0.1"', line: H + 3 },
  },
  {
    name: 'a time with an unknown unit',
    http: 'proxy_read_timeout 10x;\n',
    error: { rule: 'invalid-value', message: '"proxy_read_timeout" directive invalid value', line: H + 1 },
  },
  {
    name: 'a fractional time',
    http: 'proxy_read_timeout 1.5s;\n',
    error: { rule: 'invalid-value', message: '"proxy_read_timeout" directive invalid value', line: H + 1 },
  },
  {
    name: 'a size with an unknown unit',
    http: 'client_body_buffer_size 10q;\n',
    error: { rule: 'invalid-value', message: '"client_body_buffer_size" directive invalid value', line: H + 1 },
  },
  {
    name: 'a setter twice in one block',
    http: 'proxy_read_timeout 10s;\nproxy_read_timeout 20s;\n',
    error: { rule: 'duplicate-definition', message: '"proxy_read_timeout" directive is duplicate', line: H + 2 },
  },
  {
    name: 'a return code above 999',
    http: 'server {\n  return 1000;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid return code "1000"', line: H + 2 },
  },
  {
    name: 'a return text without a code',
    http: 'server {\n  return ok;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid return code "ok"', line: H + 2 },
  },
  { name: 'return with a URL', http: 'server {\n  return https://example.com$request_uri;\n}\n', error: null },
  {
    name: 'an unknown log format',
    http: 'access_log /dev/null main;\n',
    error: { rule: 'undefined-reference', message: 'unknown log format "main"', line: H + 1 },
  },
  { name: 'a log format defined before use', http: "log_format main '$remote_addr';\naccess_log /dev/null main;\n", error: null },
  {
    name: 'a limit_req zone nothing defines',
    http: 'server {\n  location / {\n    limit_req zone=one;\n  }\n}\n',
    error: { rule: 'undefined-reference', message: 'zero size shared memory zone "one"', line: H + 3, nginxLine: null },
  },
  {
    name: 'a nested location outside its parent',
    http: 'server {\n  location /y {\n    location /x {\n    }\n  }\n}\n',
    error: { rule: 'invalid-value', message: 'location "/x" is outside location "/y"', line: H + 3 },
  },
  {
    name: 'an invalid if condition',
    http: 'server {\n  if (1) {\n    return 404;\n  }\n}\n',
    error: { rule: 'invalid-value', message: 'invalid condition "1"', line: H + 2 },
  },
  {
    name: 'an unknown variable: nginx names no line',
    http: 'server {\n  return 200 $hots;\n}\n',
    error: { rule: 'unknown-variable', message: 'unknown "hots" variable', line: H + 2, nginxLine: null },
  },
  {
    name: 'variables from set, map, captures and prefix families',
    http: 'map $uri $m {\n  default 1;\n}\nserver {\n  set $s 1;\n  location ~ ^/(?<named>.+)$ {\n    return 200 "$m $s $named $1 $http_x_foo $arg_q $cookie_c";\n  }\n}\n',
    error: null,
  },
  {
    name: 'map over a built-in variable',
    http: 'map $scheme $https {\n  default "";\n}\n',
    error: { rule: 'duplicate-definition', message: 'the duplicate "https" variable', line: H + 1 },
  },
  {
    name: 'listen ssl without a certificate: nginx names the server',
    http: 'server {\n  listen 8443 ssl;\n}\n',
    error: { rule: 'undefined-reference', message: 'no "ssl_certificate" is defined for the "listen ... ssl" directive', line: H + 1 },
  },
  {
    name: 'an invalid allow address',
    http: 'allow localhost;\n',
    error: { rule: 'invalid-value', message: 'invalid parameter "localhost"', line: H + 1 },
  },
  {
    name: 'a resolver address with an IPv6 address unbracketed',
    http: 'resolver ::1;\n',
    error: { rule: 'invalid-value', message: 'invalid port in resolver "::1"', line: H + 1 },
  },
  {
    name: 'a geo network that is not one',
    http: 'geo $g {\n  default 0;\n  value 1;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid network "value"', line: H + 3 },
  },
  {
    name: 'an event method Linux does not have',
    main: 'events {\n  use kqueue;\n}\n',
    error: { rule: 'invalid-value', message: 'invalid event type "kqueue"', line: 2 },
  },
  {
    name: 'worker_processes in upper case: only "auto" is',
    main: 'worker_processes AUTO;\nevents {}\n',
    error: { rule: 'invalid-value', message: '"worker_processes" directive invalid value', line: 1 },
  },
  {
    name: 'worker_processes with a unit',
    main: 'worker_processes 4k;\nevents {}\n',
    error: { rule: 'invalid-value', message: '"worker_processes" directive invalid value', line: 1 },
  },
  { name: 'worker_processes auto', main: 'worker_processes auto;\nevents {}\n', error: null },
  { name: 'worker_processes 0', main: 'worker_processes 0;\nevents {}\n', error: null },
];

function textOf(testCase: Case): string {
  return testCase.main ?? `${head}${testCase.http}}\n`;
}

const roots: string[] = [];
afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

async function lintText(text: string, nginxVersion = NGINX_VERSION) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-handlers-'));
  roots.push(root);
  mkdirSync(path.join(root, '.git'));
  writeFileSync(path.join(root, 'nginx.conf'), text);
  writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ extends: [], rules: Object.fromEntries(RULES.map((id) => [id, 'error'])) }));
  const run = await lint([path.join(root, 'nginx.conf')], { cwd: root, nginxVersion });
  return run.results.flatMap((result) => result.messages);
}

describe('handler checks', () => {
  for (const testCase of CASES) {
    it(testCase.name, async () => {
      const messages = await lintText(textOf(testCase));
      if (testCase.error === null) {
        expect(messages.map((message) => `${message.line}: ${message.message}`)).toEqual([]);
      } else {
        const { rule, message, line } = testCase.error;
        expect(messages.map((found) => ({ ruleId: found.ruleId, line: found.line, nginx: found.message.startsWith(`${message}:`) }))).toEqual([
          { ruleId: rule, line, nginx: true },
        ]);
      }
    });
  }
});

describe.skipIf(!nginxAvailable)('handler checks: the expectations are real nginx -t', () => {
  for (const testCase of CASES) {
    it(testCase.name, () => {
      const verdict = nginxVerdict(textOf(testCase));
      if (testCase.error === null) {
        expect(verdict.message).toBeNull();
        return;
      }
      expect(verdict.message).toBe(testCase.error.message);
      expect(verdict.line).toBe(testCase.error.nginxLine === undefined ? testCase.error.line : testCase.error.nginxLine);
    });
  }
});

// HTTP/3 came in nginx 1.25.0, after the nginx these cases run through: the expectations are nginx's HTTP/3 page
// (its example pairs `listen 8443 quic reuseport;` with `listen 8443 ssl;`) and macbre/docker-nginx-http3, whose CI
// starts its image with tests/https.conf mounted (`listen 443 quic reuseport;` and `listen 443 ssl;`) and curls it.
describe('listen … quic is a UDP socket of its own', () => {
  const server = (listens: string) => `${head}server {\n${listens}  ssl_certificate /etc/ssl/a.crt;\n  ssl_certificate_key /etc/ssl/a.key;\n}\n}\n`;

  it('is no duplicate of a TCP listen of the same address', async () => {
    const messages = await lintText(server('  listen 443 quic reuseport;\n  listen 443 ssl;\n'), '1.25.1');
    expect(messages.filter((message) => message.ruleId === 'duplicate-definition').map((message) => message.message)).toEqual([]);
  });

  it('is a duplicate of another quic listen of the same address', async () => {
    const messages = await lintText(server('  listen 443 quic reuseport;\n  listen 443 quic;\n'), '1.25.1');
    expect(messages.filter((message) => message.ruleId === 'duplicate-definition').map((message) => message.line)).toEqual([H + 3]);
  });
});

describe('a snippet read without the main config that includes it', () => {
  const snippet =
    'server {\n  listen 80;\n  access_log /dev/stdout main;\n  location / {\n    limit_req zone=one;\n    proxy_set_header X-Real-IP $real_ip;\n    proxy_pass http://127.0.0.1:8080;\n  }\n}\n';

  it('makes no claim about names the main config may define (log formats, zones, map variables)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-handlers-'));
    roots.push(root);
    mkdirSync(path.join(root, '.git'));
    mkdirSync(path.join(root, 'conf.d'));
    writeFileSync(path.join(root, 'conf.d', 'site.conf'), snippet);
    writeFileSync(path.join(root, '.nginx-lint.json'), JSON.stringify({ extends: [], rules: Object.fromEntries(RULES.map((id) => [id, 'error'])) }));
    const run = await lint([path.join(root, 'conf.d', 'site.conf')], { cwd: root, nginxVersion: NGINX_VERSION });
    expect(run.results.flatMap((result) => result.messages).map((message) => message.ruleId)).toEqual([]);
  });

  it('still reports the same names once the file is a whole nginx.conf that defines none of them', async () => {
    const messages = await lintText(`events {}\nhttp {\n${snippet}}\n`);
    expect(messages.map((message) => `${message.ruleId} ${message.line}`).sort()).toEqual([
      'undefined-reference 5',
      'undefined-reference 7',
      'unknown-variable 8',
    ]);
  });
});
