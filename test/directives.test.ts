import { describe, expect, it } from 'vitest';
import {
  blockBodyOf,
  type BlockContext,
  checkStatement,
  childContext,
  closestDirectiveName,
  defaultOf,
  getDirective,
  isArrayDirective,
  isKnownStatement,
  removedDirective,
  sinceOf,
} from '../src/nginx/directives.js';

/** A one-line statement as `proxy_pass a b;` or `location /x {`: whitespace-separated, no quotes. */
function statementOf(context: BlockContext, text: string, nginxVersion?: string) {
  const hasBlock = text.endsWith('{');
  const [name, ...args] = text.slice(0, -1).trim().split(/\s+/);
  return { name: name!, context, argumentCount: args.length, argument: (index: number) => args[index]!, hasBlock, nginxVersion };
}

function messageOf(context: BlockContext, text: string, nginxVersion?: string): string | null {
  return checkStatement(statementOf(context, text, nginxVersion))?.message ?? null;
}

// Every expectation marked 1.22.1 was run through Debian's nginx 1.22.1 (`nginx -t`, with the stream, mail, lua
// and headers-more modules loaded); null means nginx got past the shape checks (it may fail later in the handler).
describe('checkStatement: nginx messages, word for word', () => {
  it.each<[BlockContext, string, string | null]>([
    ['http', 'foo on;', 'unknown directive "foo"'],
    ['http', 'listen 80;', '"listen" directive is not allowed here'],
    ['server', 'location /x;', 'directive "location" has no opening "{"'],
    ['server', 'gzip on {', 'directive "gzip" is not terminated by ";"'],
    ['location', 'proxy_pass a b;', 'invalid number of arguments in "proxy_pass" directive'],
    ['location', 'gzip maybe;', 'invalid value "maybe" in "gzip" directive, it must be "on" or "off"'],
    ['location', 'gzip ON;', null],
    ['events', 'worker_connections 1024;', null],
    ['main', 'worker_connections 1024;', '"worker_connections" directive is not allowed here'],
    ['http', 'events {', '"events" directive is not allowed here'],
  ])('1.22.1: in %s, `%s` → %s', (context, text, expected) => {
    expect(messageOf(context, text, '1.22.1')).toBe(expected);
  });

  it('classifies the outcomes as the three rules see them', () => {
    expect(checkStatement(statementOf('http', 'foo on;'))?.kind).toBe('unknown-directive');
    expect(checkStatement(statementOf('http', 'listen 80;'))?.kind).toBe('not-allowed-here');
    // Block form, argument count and on/off value are all checks of the statement against the matched command.
    expect(checkStatement(statementOf('server', 'location /x;'))?.kind).toBe('invalid-arguments');
    expect(checkStatement(statementOf('server', 'gzip on {'))?.kind).toBe('invalid-arguments');
    expect(checkStatement(statementOf('location', 'proxy_pass a b;'))?.kind).toBe('invalid-arguments');
    expect(checkStatement(statementOf('location', 'gzip maybe;'))?.kind).toBe('invalid-arguments');
  });

  it('1.22.1: tests the context before the block form, and the block form before the arguments', () => {
    expect(messageOf('location', 'server a b c {')).toBe('"server" directive is not allowed here');
    expect(messageOf('location', 'limit_except;')).toBe('directive "limit_except" has no opening "{"');
    expect(messageOf('location', 'gzip a b {')).toBe('directive "gzip" is not terminated by ";"');
  });
});

describe('checkStatement: argument counts', () => {
  const invalid = (name: string) => `invalid number of arguments in "${name}" directive`;

  it.each<[BlockContext, string, string | null]>([
    // TAKE12
    ['http', 'keepalive_timeout;', invalid('keepalive_timeout')],
    ['http', 'keepalive_timeout 5;', null],
    ['http', 'keepalive_timeout 5 6;', null],
    ['http', 'keepalive_timeout 5 6 7;', invalid('keepalive_timeout')],
    // TAKE3
    ['http', 'limit_req_zone a b;', invalid('limit_req_zone')],
    // TAKE23 with more than NGX_CONF_MAX_ARGS
    ['location', 'add_header a b c d e f g h;', invalid('add_header')],
    // FLAG
    ['location', 'gzip;', invalid('gzip')],
    ['location', 'gzip on off;', invalid('gzip')],
    // 1MORE
    ['location', 'index;', invalid('index')],
    ['location', 'index a b c d e f g h i;', null],
    // 2MORE
    ['location', 'try_files a;', invalid('try_files')],
    ['location', 'try_files a b;', null],
    ['location', 'try_files a b c d e f g h i j;', null],
    // NOARGS, and NOARGS|TAKE1
    ['upstream', 'ip_hash;', null],
    ['upstream', 'ip_hash x;', invalid('ip_hash')],
    ['server', 'stub_status;', null],
    ['server', 'stub_status a b;', invalid('stub_status')],
    // BLOCK|NOARGS
    ['main', 'http x {', invalid('http')],
  ])('1.22.1: in %s, `%s` → %s', (context, text, expected) => {
    expect(messageOf(context, text, '1.22.1')).toBe(expected);
  });

  it('accepts TAKE13 with one or three arguments but not two (njs js_import)', () => {
    expect(messageOf('http', 'js_import a.js;')).toBeNull();
    expect(messageOf('http', 'js_import a from a.js;')).toBeNull();
    expect(messageOf('http', 'js_import a a.js;')).toBe(invalid('js_import'));
  });

  it('accepts any count for ANY (njs js_periodic)', () => {
    expect(messageOf('location', 'js_periodic;')).toBeNull();
    expect(messageOf('location', 'js_periodic a b c d e f g h i;')).toBeNull();
  });

  it('lets 1MORE win over NOARGS in the same mask, as the order of the checks in nginx does', () => {
    expect(getDirective('vhost_traffic_status_measure_status_codes')[0]?.args).toEqual(['NOARGS', '1MORE']);
    expect(messageOf('http', 'vhost_traffic_status_measure_status_codes;')).toBe(invalid('vhost_traffic_status_measure_status_codes'));
  });

  it('leaves the value of FLAG directives whose handler is not the on/off slot to nginx (1.22.1)', () => {
    expect(messageOf('server', 'ssl_ocsp maybe;', '1.22.1')).toBeNull();
    expect(messageOf('http', 'lua_load_resty_core maybe;')).toBeNull();
  });
});

describe('checkStatement: names with several modules', () => {
  it.each<[BlockContext, string, string | null]>([
    ['upstream', 'server 127.0.0.1:80 weight=2;', null],
    ['upstream', 'server {', 'directive "server" is not terminated by ";"'],
    ['http', 'server;', 'directive "server" has no opening "{"'],
    ['http', 'server {', null],
    ['stream', 'server {', null],
    ['mail', 'server {', null],
    ['stream-upstream', 'server 127.0.0.1:2;', null],
    ['location', 'server {', '"server" directive is not allowed here'],
    ['stream-server', 'proxy_pass 127.0.0.1:80;', null],
    ['stream', 'proxy_pass 127.0.0.1:80;', '"proxy_pass" directive is not allowed here'],
    ['location', 'proxy_pass http://a;', null],
    ['server', 'proxy_pass http://a;', '"proxy_pass" directive is not allowed here'],
    ['mail-server', 'listen 25;', null],
  ])('1.22.1: in %s, `%s` → %s', (context, text, expected) => {
    expect(messageOf(context, text, '1.22.1')).toBe(expected);
  });

  it('keeps one spec per module', () => {
    expect(getDirective('server').map((spec) => spec.module)).toEqual([
      'ngx_http_core_module',
      'ngx_http_upstream_module',
      'ngx_mail_core_module',
      'ngx_stream_core_module',
      'ngx_stream_upstream_module',
    ]);
  });
});

describe('checkStatement: nginx versions', () => {
  it.each<[BlockContext, string, string, string | null]>([
    // keepalive was TAKE1 from 1.7.5 until 1.29.7 made it TAKE12 again.
    ['upstream', 'keepalive 16 local;', '1.22.1', 'invalid number of arguments in "keepalive" directive'],
    ['upstream', 'keepalive 16 local;', '1.29.7', null],
    // sendfile was TAKE1 in 1.1.0-1.1.3: no on/off check then.
    ['location', 'sendfile maybe;', '1.1.0', null],
    ['location', 'sendfile maybe;', '1.22.1', 'invalid value "maybe" in "sendfile" directive, it must be "on" or "off"'],
    // log_format left server and location in 1.7.8.
    ['server', 'log_format a b;', '1.7.7', null],
    ['server', 'log_format a b;', '1.22.1', '"log_format" directive is not allowed here'],
    // The upstream resolver is 1.27.3; before that only the http one exists, so the name is found but not allowed.
    ['upstream', 'resolver 127.0.0.1;', '1.22.1', '"resolver" directive is not allowed here'],
    ['upstream', 'resolver 127.0.0.1;', '1.27.3', null],
    ['http', 'keepalive_time 1h;', '1.22.1', null],
  ])('in %s, `%s` at %s → %s', (context, text, version, expected) => {
    expect(messageOf(context, text, version)).toBe(expected);
  });

  it('calls a directive newer than the release unknown and says since when', () => {
    expect(checkStatement(statementOf('http', 'keepalive_time 1h;', '1.18.0'))).toEqual({
      kind: 'unknown-directive',
      message: 'unknown directive "keepalive_time"',
      addedIn: '1.19.10',
    });
  });

  it('counts a stable-branch backport as present (least_conn: 1.2.2, mainline 1.3.1)', () => {
    expect(messageOf('upstream', 'least_conn;', '1.2.2')).toBeNull();
    expect(checkStatement(statementOf('upstream', 'least_conn;', '1.2.1'))?.addedIn).toBe('1.2.2');
  });

  it('calls a removed directive unknown after its removal, and does not judge it before (1.22.1)', () => {
    expect(checkStatement(statementOf('http', 'spdy_chunk_size 8k;', '1.22.1'))).toEqual({
      kind: 'unknown-directive',
      message: 'unknown directive "spdy_chunk_size"',
      removedIn: '1.19.7',
    });
    expect(messageOf('http', 'spdy_chunk_size 8k;', '1.18.0')).toBeNull();
    expect(messageOf('server', 'ssl on;', '1.22.1')).toBeNull();
    expect(checkStatement(statementOf('server', 'ssl on;'))).toEqual({
      kind: 'unknown-directive',
      message: 'unknown directive "ssl"',
      removedIn: '1.25.1',
    });
    expect(removedDirective('ssl').map((removal) => removal.family)).toEqual(['http', 'mail']);
  });

  it('checks against nginx HEAD without a version', () => {
    expect(messageOf('upstream', 'keepalive 16 local;')).toBeNull();
    expect(messageOf('http', 'client_body_early_read on;')).toBeNull();
    expect(messageOf('http', 'client_body_early_read on;', '1.31.4')).toBe('unknown directive "client_body_early_read"');
  });

  it('rejects a version that is not major.minor.patch', () => {
    expect(() => checkStatement(statementOf('upstream', 'keepalive 16;', 'nginx/1.22.1'))).toThrow(RangeError);
  });
});

describe('checkStatement: third-party and documentation-only directives', () => {
  it.each<[BlockContext, string, string | null]>([
    ['location', 'content_by_lua_block {', null],
    ['server', 'content_by_lua_block {', '"content_by_lua_block" directive is not allowed here'],
    ['http', 'lua_shared_dict d;', 'invalid number of arguments in "lua_shared_dict" directive'],
    ['if-in-location', 'more_set_headers X-A:b;', null],
    ['upstream', 'more_set_headers X-A:b;', '"more_set_headers" directive is not allowed here'],
  ])('1.22.1 with lua and headers-more: in %s, `%s` → %s', (context, text, expected) => {
    expect(messageOf(context, text, '1.22.1')).toBe(expected);
  });

  it.each<[BlockContext, string, string | null]>([
    ['stream-server', 'content_by_lua_block {', null],
    ['http', 'geoip2 /x.mmdb {', null],
    ['server', 'geoip2 /x.mmdb {', '"geoip2" directive is not allowed here'],
    ['location', 'js_content main.handler;', null],
    ['location', 'set_md5 $a b;', null],
    ['http', 'vhost_traffic_status_zone;', null],
  ])('in %s, `%s` → %s', (context, text, expected) => {
    expect(messageOf(context, text)).toBe(expected);
  });

  it('knows NGINX Plus and separate-module directives, names their origin, and does not judge their shape', () => {
    expect(isKnownStatement('api', false)).toBe(true);
    expect(messageOf('location', 'api write=on;')).toBeNull();
    expect(getDirective('api')).toMatchObject([{ source: 'reference-lib', availability: 'nginx-plus', args: null }]);
    expect(getDirective('otel_trace')[0]).toMatchObject({ availability: 'external-module', note: expect.stringContaining('nginx-otel') });
  });

  it('calls njs js_include unknown: njs dropped it and the docs are the only trace', () => {
    expect(getDirective('js_include')[0]?.availability).toBe('removed');
    expect(messageOf('http', 'js_include a.js;')).toBe('unknown directive "js_include"');
  });

  it('tells where each spec comes from', () => {
    expect(getDirective('content_by_lua_block').map((spec) => spec.source)).toEqual(['lua', 'stream-lua']);
    expect(getDirective('more_set_headers')[0]?.source).toBe('headers-more');
    expect(getDirective('proxy_pass').map((spec) => spec.source)).toEqual(['nginx', 'nginx']);
  });
});

describe('did you mean', () => {
  it.each<[BlockContext, string, string]>([
    ['location', 'proxy_pas', 'proxy_pass'],
    ['location', 'Proxy_Pass', 'proxy_pass'],
    ['server', 'listn', 'listen'],
    ['http', 'keepalive_timout', 'keepalive_timeout'],
    ['location', 'proxy_set_headers', 'proxy_set_header'],
    ['http', 'upsteam', 'upstream'],
  ])('in %s, %s → %s', (context, typo, suggestion) => {
    expect(checkStatement(statementOf(context, `${typo} x;`))).toEqual({
      kind: 'unknown-directive',
      message: `unknown directive "${typo}"`,
      suggestion,
    });
  });

  it('suggests nothing for names far from every directive', () => {
    expect(checkStatement(statementOf('http', 'x;'))?.suggestion).toBeUndefined();
    expect(checkStatement(statementOf('location', 'index.html;'))?.suggestion).toBeUndefined();
  });

  it('prefers a directive allowed in the context among equally near names', () => {
    // proxy_buffer is mail's, proxy_buffers http's: both one edit away.
    expect(closestDirectiveName('proxy_buffer_', 'mail')).toBe('proxy_buffer');
    expect(closestDirectiveName('proxy_buffer_', 'location')).toBe('proxy_buffers');
  });
});

describe('blocks', () => {
  it.each<[string, BlockContext, ReturnType<typeof blockBodyOf>]>([
    ['http', 'main', 'directives'],
    ['server', 'http', 'directives'],
    ['location', 'location', 'directives'],
    ['map', 'http', 'custom'],
    ['map', 'stream', 'custom'],
    ['geo', 'http', 'custom'],
    ['types', 'location', 'custom'],
    ['split_clients', 'http', 'custom'],
    ['charset_map', 'http', 'custom'],
    ['geoip2', 'stream', 'custom'],
    ['content_by_lua_block', 'location', 'lua'],
    ['init_by_lua_block', 'stream', 'lua'],
    ['server', 'upstream', null],
    ['map', 'server', null],
    ['no_such_block', 'http', null],
  ])('blockBodyOf(%s, %s) → %s', (name, context, expected) => {
    expect(blockBodyOf(name, context)).toBe(expected);
  });

  it.each<[string, BlockContext, BlockContext | null]>([
    ['events', 'main', 'events'],
    ['http', 'main', 'http'],
    ['mail', 'main', 'mail'],
    ['stream', 'main', 'stream'],
    ['server', 'http', 'server'],
    ['server', 'stream', 'stream-server'],
    ['server', 'mail', 'mail-server'],
    ['server', 'upstream', null],
    ['upstream', 'http', 'upstream'],
    ['upstream', 'stream', 'stream-upstream'],
    ['location', 'server', 'location'],
    ['location', 'location', 'location'],
    ['location', 'if-in-location', null],
    ['if', 'server', 'if-in-server'],
    ['if', 'location', 'if-in-location'],
    ['limit_except', 'location', 'limit_except'],
    ['map', 'http', null],
    ['content_by_lua_block', 'location', null],
    ['match', 'http', null],
  ])('childContext(%s, %s) → %s', (name, parent, expected) => {
    expect(childContext(name, parent)).toBe(expected);
  });
});

describe('table data', () => {
  it('gives documented defaults per context', () => {
    expect(defaultOf('keepalive_timeout', 'http')).toBe('75s');
    expect(defaultOf('proxy_buffering', 'location')).toBe('on');
    expect(defaultOf('proxy_buffering', 'upstream')).toBeNull();
    expect(defaultOf('proxy_pass', 'location')).toBeNull();
  });

  it('gives the first nginx release, per context when the modules differ', () => {
    expect(sinceOf('keepalive_time')).toBe('1.19.10');
    expect(sinceOf('resolver')).toBe('0.6.18');
    expect(sinceOf('resolver', 'upstream')).toBe('1.27.3');
    expect(sinceOf('content_by_lua_block')).toBeNull();
    expect(getDirective('content_by_lua_block')[0]?.sinceModule).toMatch(/^v0\./);
  });

  it('carries deprecation notes, build options and documentation links', () => {
    expect(getDirective('http2_idle_timeout')[0]?.deprecated).toBe('obsolete, use "keepalive_timeout" instead');
    expect(getDirective('proxy_pass')[1]?.configure).toBe('--with-stream');
    expect(getDirective('proxy_pass')[0]?.docUrl).toBe('https://nginx.org/en/docs/http/ngx_http_proxy_module.html#proxy_pass');
  });

  it('knows code, third-party and docs-only names in their shape (a block or a `;`), and nothing else', () => {
    for (const [name, opensBlock] of [
      ['proxy_pass', false],
      ['content_by_lua_block', true],
      ['more_set_headers', false],
      ['geoip2', true],
      ['js_content', false],
      ['set_md5', false],
      ['vhost_traffic_status_zone', false],
      ['api', false],
      ['location', true],
    ] as const) {
      expect(isKnownStatement(name, opensBlock), name).toBe(true);
      expect(isKnownStatement(name, !opensBlock), `${name} in the other shape`).toBe(false);
    }
    // Sphinx's `index name {` is no nginx statement: nginx's index never opens a block.
    expect(isKnownStatement('index', true)).toBe(false);
    expect(isKnownStatement('proxy_pas', false)).toBe(false);
    expect(getDirective('proxy_pas')).toEqual([]);
  });

  it('marks the directives whose set a lower level replaces as a whole', () => {
    const arrays = [
      'proxy_set_header',
      'add_header',
      'fastcgi_param',
      'uwsgi_param',
      'scgi_param',
      'grpc_set_header',
      'proxy_hide_header',
      'proxy_pass_header',
      'error_page',
      'add_trailer',
      'allow',
      'limit_req',
    ];
    for (const name of arrays) {
      expect(isArrayDirective(name), name).toBe(true);
      expect(isKnownStatement(name, false), name).toBe(true);
    }
    expect(isArrayDirective('proxy_pass')).toBe(false);
    expect(isArrayDirective('proxy_read_timeout')).toBe(false);
  });
});
