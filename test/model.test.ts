import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { positionAt } from '../src/syntax/ast.js';
import type { BlockContext } from '../src/nginx/directives.js';
import { loadProgram } from '../src/load/program.js';
import { buildModel, type Model, type ModelOptions, type PassTarget, type TextRange } from '../src/model/index.js';
import { loadServiceCatalog } from '../src/context/index.js';
import { buildTree, type ConfigNode } from '../src/load/tree.js';
import { DEFAULT_NGINX_VERSION } from '../src/nginx/version.js';

const temporaryDirectories: string[] = [];

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

interface Loaded {
  readonly model: Model;
  readonly directory: string;
}

/**
 * Writes the files (the first is the entry) to a fresh directory and builds the model. The installed nginx is
 * never asked: without `nginxVersion` the documented default applies.
 */
function load(files: Record<string, string>, options: ModelOptions = {}, rootContext: BlockContext = 'main'): Loaded {
  const directory = mkdtempSync(path.join(tmpdir(), 'nginx-lint-model-'));
  temporaryDirectories.push(directory);
  for (const [name, text] of Object.entries(files)) {
    const target = path.join(directory, name);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  const program = loadProgram(path.join(directory, Object.keys(files)[0]!));
  const model = buildModel(buildTree(program, rootContext), { detectNginxVersion: () => null, ...options });
  return { model, directory };
}

function modelOf(text: string, options: ModelOptions = {}): Model {
  return load({ 'nginx.conf': text }, options).model;
}

/** The single block `name` whose arguments, joined by spaces, are `args`. */
function block(model: Model, name: string, args: string): ConfigNode {
  const matches = model.nodes(name).filter((node) => node.directive.args.map((arg) => arg.value).join(' ') === args);
  if (matches.length !== 1) throw new Error(`expected one "${name} ${args}", found ${matches.length}`);
  return matches[0]!;
}

function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected one item, found ${items.length}`);
  return items[0]!;
}

function lineOf(node: ConfigNode): number {
  return positionAt(node.directive.file, node.directive.start).line;
}

function textAt(node: ConfigNode, range: TextRange | null): string | null {
  return range && node.directive.file.text.slice(range.start, range.end);
}

describe('effective values', () => {
  const timeouts = modelOf(`http {
    proxy_read_timeout 30s;
    server {
        proxy_read_timeout 40s;
        location / { }
        location /slow { proxy_read_timeout 90s; }
    }
    server {
        location / { }
    }
}
`);

  it('takes a value set at the queried level itself', () => {
    const effective = timeouts.effective(block(timeouts, 'location', '/slow'), 'proxy_read_timeout');
    expect(effective.source).toBe('here');
    expect(effective.values).toEqual([['90s']]);
    expect(lineOf(only(effective.nodes))).toBe(6);
  });

  it('lets a server-level value override the http-level one', () => {
    const [first] = timeouts.nodes('server');
    const effective = timeouts.effective(
      first!.children.find((child) => child.directive.name === 'location')!,
      'proxy_read_timeout',
    );
    expect(effective.source).toBe('inherited');
    expect(effective.values).toEqual([['40s']]);
    expect(lineOf(only(effective.nodes))).toBe(4);
  });

  it('inherits from http where the server sets nothing', () => {
    const second = timeouts.nodes('server')[1]!;
    const effective = timeouts.effective(second.children[0]!, 'proxy_read_timeout');
    expect(effective.source).toBe('inherited');
    expect(lineOf(only(effective.nodes))).toBe(2);
  });

  it('accepts a statement as the scope and answers for its block', () => {
    const statement = only(block(timeouts, 'location', '/slow').children);
    expect(timeouts.effective(statement, 'proxy_read_timeout').source).toBe('here');
  });

  it('reports the table default when no level sets the directive', () => {
    const effective = timeouts.effective(block(timeouts, 'location', '/slow'), 'proxy_connect_timeout');
    expect(effective).toEqual({ nodes: [], values: [], source: 'default', default: '60s' });
  });

  it('gives the default of the context around a block where the directive may not stand', () => {
    const model = modelOf('http { server { location / { if ($slow) { } } } }');
    expect(model.effective(only(model.nodes('if')), 'proxy_connect_timeout').default).toBe('60s');
  });

  it('starts afresh in an upstream block: the client-side keepalive_timeout of http does not reach it', () => {
    const model = modelOf('http { keepalive_timeout 5s; upstream app { server 127.0.0.1:8080; } }');
    const effective = model.effective(block(model, 'upstream', 'app'), 'keepalive_timeout');
    expect(effective.source).toBe('default');
    expect(effective.default).toBe('60s');
  });
});

describe('array directives', () => {
  const headers = modelOf(`http {
    proxy_set_header X-Request-Id $request_id;
    proxy_set_header Connection "";
    server {
        location /keeps { }
        location /drops { proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }
    }
}
`);

  it('are inherited whole where the level sets none', () => {
    const effective = headers.effective(block(headers, 'location', '/keeps'), 'proxy_set_header');
    expect(effective.source).toBe('inherited');
    expect(effective.values).toEqual([
      ['X-Request-Id', '$request_id'],
      ['Connection', ''],
    ]);
  });

  it('are replaced wholesale by a single statement at a lower level', () => {
    const effective = headers.effective(block(headers, 'location', '/drops'), 'proxy_set_header');
    expect(effective.source).toBe('here');
    expect(effective.values).toEqual([['X-Forwarded-For', '$proxy_add_x_forwarded_for']]);
  });

  it('lose an inherited Connection "" to the built-in Connection: close before nginx 1.29.7', () => {
    const model = modelOf(headers.tree.program.entry.text, { nginxVersion: '1.28.0' });
    const kept = model.effectiveHeader(block(model, 'location', '/keeps'), 'proxy_set_header', 'connection');
    expect(kept.value).toBe('');
    expect(kept.source).toBe('inherited');
    expect(lineOf(kept.node!)).toBe(3);

    const dropped = model.effectiveHeader(block(model, 'location', '/drops'), 'proxy_set_header', 'Connection');
    expect(dropped).toEqual({ node: null, value: 'close', source: 'default' });
  });

  it('give nothing for a header neither the configuration nor nginx sets', () => {
    const effective = headers.effectiveHeader(block(headers, 'location', '/drops'), 'proxy_set_header', 'X-Request-Id');
    expect(effective).toEqual({ node: null, value: null, source: 'default' });
  });

  it('include the built-in Host and the dropped hop-by-hop Upgrade', () => {
    const location = block(headers, 'location', '/drops');
    expect(headers.effectiveHeader(location, 'proxy_set_header', 'Host').value).toBe('$proxy_host');
    expect(headers.effectiveHeader(location, 'proxy_set_header', 'Upgrade').value).toBe('');
  });

  it('match FastCGI parameters exactly, as CGI variables are case-sensitive', () => {
    const model = modelOf('http { server { location / { fastcgi_param SCRIPT_FILENAME $request_filename; } } }');
    const location = block(model, 'location', '/');
    expect(model.effectiveHeader(location, 'fastcgi_param', 'SCRIPT_FILENAME').value).toBe('$request_filename');
    expect(model.effectiveHeader(location, 'fastcgi_param', 'script_filename').value).toBeNull();
  });

  it('treat allow and deny as one rule list', () => {
    const model = modelOf('http { server { allow 10.0.0.0/8; deny all; location / { deny 10.6.6.6; } } }');
    const effective = model.effective(block(model, 'location', '/'), 'allow');
    expect(effective.source).toBe('here');
    expect(effective.nodes.map((node) => node.directive.name)).toEqual(['deny']);
  });
});

describe('add_header_inherit', () => {
  const model = modelOf(`http {
    server {
        add_header X-Frame-Options DENY;
        location /own { add_header Cache-Control no-store; }
        location /merged { add_header_inherit merge; add_header Cache-Control no-store; }
        location /none { add_header_inherit off; }
    }
}
`);

  it('drops the parent headers by default when a level adds its own', () => {
    expect(model.effective(block(model, 'location', '/own'), 'add_header').values).toEqual([['Cache-Control', 'no-store']]);
  });

  it('appends the parent headers after the own ones with merge', () => {
    const effective = model.effective(block(model, 'location', '/merged'), 'add_header');
    expect(effective.values).toEqual([
      ['Cache-Control', 'no-store'],
      ['X-Frame-Options', 'DENY'],
    ]);
    expect(effective.source).toBe('here');
    expect(model.effectiveHeader(block(model, 'location', '/merged'), 'add_header', 'x-frame-options').source).toBe('inherited');
  });

  it('inherits nothing with off', () => {
    expect(model.effective(block(model, 'location', '/none'), 'add_header').source).toBe('default');
  });
});

describe('inheritance into if, limit_except and nested locations', () => {
  const model = modelOf(`http {
    server {
        proxy_buffer_size 8k;
        if ($bot) { }
        location /api {
            proxy_read_timeout 5s;
            proxy_pass http://127.0.0.1:8080;
            if ($slow) { proxy_read_timeout 60s; }
            if ($fast) { }
            limit_except GET { deny all; }
            location /api/nested { }
        }
    }
}
`);
  const [slow, fast, serverIf] = [block(model, 'if', '($slow)'), block(model, 'if', '($fast)'), block(model, 'if', '($bot)')];

  it('lets an if in a location inherit from it, or override it', () => {
    expect(model.effective(fast, 'proxy_read_timeout')).toMatchObject({ source: 'inherited', values: [['5s']] });
    expect(model.effective(slow, 'proxy_read_timeout')).toMatchObject({ source: 'here', values: [['60s']] });
  });

  it('lets an if in a server inherit from the server', () => {
    expect(model.effective(serverIf, 'proxy_buffer_size')).toMatchObject({ source: 'inherited', values: [['8k']] });
  });

  it('lets a nested location inherit from the outer one', () => {
    expect(model.effective(block(model, 'location', '/api/nested'), 'proxy_read_timeout').values).toEqual([['5s']]);
    expect(model.effective(block(model, 'location', '/api/nested'), 'proxy_buffer_size').values).toEqual([['8k']]);
  });

  it('lets limit_except inherit from its location', () => {
    expect(model.effective(block(model, 'limit_except', 'GET'), 'proxy_read_timeout').values).toEqual([['5s']]);
  });

  it('hands the content handler to if and limit_except, but not to a nested location', () => {
    expect(model.effective(fast, 'proxy_pass').source).toBe('inherited');
    expect(model.effective(block(model, 'limit_except', 'GET'), 'proxy_pass').source).toBe('inherited');
    expect(model.effective(block(model, 'location', '/api/nested'), 'proxy_pass').source).toBe('default');
  });

  it('keeps rewrite-module statements to their own level', () => {
    const redirects = modelOf('http { server { return 301 https://example.com; location / { } } }');
    expect(redirects.effective(block(redirects, 'location', '/'), 'return').source).toBe('default');
  });
});

describe('includes', () => {
  const { model, directory } = load({
    'nginx.conf': 'http {\n    include conf.d/*.conf;\n}\n',
    'conf.d/app.conf': 'server {\n    location / {\n        include snippets/proxy.conf;\n    }\n}\n',
    'snippets/proxy.conf': '# shared proxy settings\nproxy_read_timeout 7s;\n',
  });

  it('points an effective value at the included file and line that set it', () => {
    const effective = model.effective(block(model, 'location', '/'), 'proxy_read_timeout');
    const node = only(effective.nodes);
    expect(effective.source).toBe('here');
    expect(node.directive.file.path).toBe(path.join(directory, 'snippets/proxy.conf'));
    expect(lineOf(node)).toBe(2);
    expect(node.includedBy?.directive.file.path).toBe(path.join(directory, 'conf.d/app.conf'));
  });
});

describe('version-dependent defaults', () => {
  const text = `http {
    upstream app { server 127.0.0.1:8080; }
    upstream pooled { server 127.0.0.1:8081; keepalive 16; }
    upstream off { server 127.0.0.1:8082; keepalive 0; }
    server { location / { proxy_pass http://app; } }
}
`;
  const before = modelOf(text, { nginxVersion: '1.29.6' });
  const since = modelOf(text, { nginxVersion: '1.29.7' });

  it('makes proxy_http_version default to 1.0 before 1.29.7 and to 1.1 from it', () => {
    expect(before.effective(block(before, 'location', '/'), 'proxy_http_version').default).toBe('1.0');
    expect(since.effective(block(since, 'location', '/'), 'proxy_http_version').default).toBe('1.1');
  });

  it('sends Connection: close by default only before 1.29.7', () => {
    expect(before.effectiveHeader(block(before, 'location', '/'), 'proxy_set_header', 'Connection').value).toBe('close');
    expect(since.effectiveHeader(block(since, 'location', '/'), 'proxy_set_header', 'Connection').value).toBe('');
    expect(before.effective(block(before, 'location', '/'), 'proxy_set_header').default).toBe('Host $proxy_host\nConnection close');
    expect(since.effective(block(since, 'location', '/'), 'proxy_set_header').default).toBe('Host $proxy_host\nConnection ""');
  });

  it('keeps upstream connections alive by default only from 1.29.7', () => {
    expect(before.upstreams.get('app')!.keepaliveEffective).toBe(false);
    expect(since.upstreams.get('app')!.keepaliveEffective).toBe(true);
    expect(before.effective(block(before, 'upstream', 'app'), 'keepalive').default).toBeNull();
    expect(since.effective(block(since, 'upstream', 'app'), 'keepalive').default).toBe('32 local');
  });

  it('follows an explicit keepalive on both sides, 0 turning it off', () => {
    for (const model of [before, since]) {
      expect(model.upstreams.get('pooled')!.keepaliveEffective).toBe(true);
      expect(model.upstreams.get('off')!.keepaliveEffective).toBe(false);
    }
  });

  it('never asks the installed nginx unless told to (--nginx-version host), then once', () => {
    const detect = vi.fn(() => '1.24.0');
    const location = block(modelOf(text, { detectNginxVersion: detect }), 'location', '/');
    expect(location).toBeDefined();
    expect(detect).not.toHaveBeenCalled();
    const model = modelOf(text, { nginxVersion: 'host', detectNginxVersion: detect });
    expect(model.effective(block(model, 'location', '/'), 'proxy_http_version').default).toBe('1.0');
    expect(model.nginxVersion).toMatchObject({ version: '1.24.0', source: 'detected', explicit: true });
    expect(detect).toHaveBeenCalledTimes(1);
  });

  it('takes the version of the image that runs the config when none is configured', () => {
    const model = modelOf(text, { imageVersion: { version: '1.22.1', origin: 'compose.yaml:3 image nginx:1.22' } });
    expect(model.nginxVersion).toMatchObject({ version: '1.22.1', source: 'image', origin: 'compose.yaml:3 image nginx:1.22' });
  });

  it('assumes the documented default version when none is configured and no image says', () => {
    expect(modelOf(text).nginxVersion).toMatchObject({ version: DEFAULT_NGINX_VERSION, source: 'default', explicit: false });
  });

  it('rejects a malformed configured version when the model is built', () => {
    expect(() => modelOf(text, { nginxVersion: '1.30' })).toThrow(/invalid nginx version "1\.30"/);
  });
});

describe('upstreams', () => {
  const model = modelOf(`http {
    upstream App {
        zone app 64k;
        server 10.0.0.1:8080 weight=3 max_fails=0 fail_timeout=30s;
        server backend.internal resolve;
        server unix:/run/app.sock backup;
        server [::1]:9000 down max_conns=10;
        server 10.0.0.9 weight=0;
        keepalive 16 local;
        keepalive_timeout 30s;
        keepalive_requests 500;
    }
    upstream plain { server 127.0.0.1; }
}
`);
  const app = model.upstreams.get('App')!;

  it('lists each server with its address and parameters, defaults filled in', () => {
    expect(app.servers.map(({ host, port, portExplicit, unix }) => ({ host, port, portExplicit, unix }))).toEqual([
      { host: '10.0.0.1', port: 8080, portExplicit: true, unix: null },
      { host: 'backend.internal', port: 80, portExplicit: false, unix: null },
      { host: null, port: null, portExplicit: false, unix: '/run/app.sock' },
      { host: '[::1]', port: 9000, portExplicit: true, unix: null },
      { host: '10.0.0.9', port: 80, portExplicit: false, unix: null },
    ]);
    expect(app.servers[0]).toMatchObject({ weight: 3, maxFails: 0, failTimeoutMs: 30_000, maxConns: 0, backup: false });
    expect(app.servers[1]).toMatchObject({ weight: 1, maxFails: 1, failTimeoutMs: 10_000, resolve: true });
    expect(app.servers[2]).toMatchObject({ backup: true, down: false });
    expect(app.servers[3]).toMatchObject({ down: true, maxConns: 10 });
    expect(app.servers[4]!.weight).toBeNull();
  });

  it('says where each server address has its host and port', () => {
    const [first, second] = app.servers;
    expect(textAt(first!.node, first!.hostRange)).toBe('10.0.0.1');
    expect(textAt(first!.node, first!.portRange)).toBe('8080');
    expect(textAt(second!.node, second!.hostRange)).toBe('backend.internal');
    expect(second!.portRange).toBeNull();
  });

  it('reads the keepalive settings and the zone', () => {
    expect(app.keepalive).toMatchObject({ connections: 16, local: true });
    expect(app.keepaliveTimeout.ms).toBe(30_000);
    expect(lineOf(app.keepaliveTimeout.node!)).toBe(10);
    expect(app.keepaliveRequests.count).toBe(500);
    expect(app.zone).toMatchObject({ name: 'app', size: 64 * 1024 });
    expect(app.hasResolve).toBe(true);
  });

  it('fills in the defaults of a bare block', () => {
    const plain = model.upstreams.get('plain')!;
    expect(plain.keepalive).toBeNull();
    expect(plain.keepaliveTimeout).toEqual({ node: null, ms: 60_000 });
    expect(plain.keepaliveRequests).toEqual({ node: null, count: 1000 });
    expect(plain.zone).toBeNull();
    expect(plain.hasResolve).toBe(false);
  });

  it('finds a block by name ignoring case, as nginx does', () => {
    expect(model.upstreamNamed('app')).toBe(app);
    expect(model.upstreamNamed('missing')).toBeNull();
  });
});

describe('proxy targets', () => {
  const model = modelOf(`http {
    resolver 127.0.0.11;
    upstream app { server 127.0.0.1:8080; }
    map $host $pool {
        default      pool-a:8080;
        b.example    pool-b:8080;
    }
    server {
        set $backend "api.internal:9000";
        location /upstream { proxy_pass http://APP/; }
        location /upstream-port { proxy_pass http://app:8080; }
        location /host { proxy_pass http://127.0.0.1:3000/api; }
        location /quoted { proxy_pass "http://127.0.0.1:3001"; }
        location /tls { proxy_pass https://api.example.com; }
        location /socket { proxy_pass http://unix:/run/app.sock:/; }
        location /set { proxy_pass http://$backend; }
        location /map { proxy_pass http://$pool$request_uri; }
        location /url { proxy_pass $target; }
        location /no-scheme { proxy_pass localhost:8080; }
        location /php { fastcgi_pass unix:/run/php-fpm.sock; }
        location /fcgi { fastcgi_pass php:9000; }
        location /fcgi-no-port { fastcgi_pass php; }
        location /grpc { grpc_pass grpcs://svc:50051; }
        location /grpc-bare { grpc_pass svc:50051; }
        location /uwsgi { uwsgi_pass suwsgi://py:3031; }
        location /scgi { scgi_pass 127.0.0.1:4000; }
    }
}
stream { server { listen 9000; proxy_pass 127.0.0.1:9001; } }
`);

  function passIn(location: string) {
    return only(model.proxyPasses.filter((pass) => pass.location?.directive.args[0]?.value === location));
  }

  function targetIn(location: string): PassTarget {
    return passIn(location).target;
  }

  it('resolves a host naming an upstream block, ignoring case', () => {
    const pass = passIn('/upstream');
    expect(pass).toMatchObject({ module: 'proxy', scheme: 'http' });
    expect(pass.location).toBe(block(model, 'location', '/upstream'));
    expect(pass.target).toMatchObject({ kind: 'upstream', name: 'APP', rejectedPort: null });
    expect(pass.target.kind === 'upstream' && pass.target.upstream).toBe(model.upstreams.get('app'));
  });

  it('flags a port after an upstream name, which nginx refuses', () => {
    const pass = passIn('/upstream-port');
    expect(pass.target).toMatchObject({ kind: 'upstream', rejectedPort: 8080 });
    expect(pass.target.kind === 'upstream' && textAt(pass.node, pass.target.portRange)).toBe('8080');
  });

  it('reads a host and port with their places in the file', () => {
    const pass = passIn('/host');
    expect(pass.target).toMatchObject({ kind: 'host', host: '127.0.0.1', port: 3000, portExplicit: true });
    if (pass.target.kind !== 'host') throw new Error('not a host target');
    expect(textAt(pass.node, pass.target.hostRange)).toBe('127.0.0.1');
    expect(textAt(pass.node, pass.target.portRange)).toBe('3000');
  });

  it('maps ranges through the quotes of a quoted argument', () => {
    const pass = passIn('/quoted');
    expect(pass.target.kind === 'host' && textAt(pass.node, pass.target.portRange)).toBe('3001');
  });

  it('fills in the scheme default port', () => {
    expect(passIn('/tls')).toMatchObject({ scheme: 'https', target: { kind: 'host', port: 443, portExplicit: false, portRange: null } });
  });

  it('reads UNIX sockets', () => {
    expect(targetIn('/socket')).toEqual({ kind: 'unix', path: '/run/app.sock' });
    expect(passIn('/php')).toMatchObject({ module: 'fastcgi', scheme: null, target: { kind: 'unix', path: '/run/php-fpm.sock' } });
  });

  it('expands a variable set in the same server', () => {
    expect(targetIn('/set')).toEqual({
      kind: 'variable',
      expression: 'http://$backend',
      candidates: ['http://api.internal:9000'],
      hasResolver: true,
      address: null,
    });
  });

  it('expands a variable defined by a map', () => {
    expect(targetIn('/map')).toMatchObject({ kind: 'variable', candidates: [] });
    const model = modelOf('http { map $host $pool { default a:1; hostnames; b.example b:2; } server { location / { proxy_pass http://$pool; } } }');
    expect(only(model.proxyPasses).target).toEqual({
      kind: 'variable',
      expression: 'http://$pool',
      candidates: ['http://a:1', 'http://b:2'],
      hasResolver: false,
      address: null,
    });
  });

  it('knows the address of a pass whose variables are only in the URI', () => {
    const addressOf = (argument: string) => {
      const target = only(modelOf(`http { server { location / { proxy_pass ${argument}; } } }`).proxyPasses).target;
      return target.kind === 'variable' ? target.address : target.kind;
    };
    expect(addressOf('http://read:3100$request_uri')).toMatchObject({ host: 'read', port: 3100, portExplicit: true });
    expect(addressOf('http://read$uri$is_args$args')).toMatchObject({ host: 'read', port: 80, portExplicit: false, portRange: null });
    expect(addressOf('https://api.example.com/v1/$name')).toMatchObject({ host: 'api.example.com', port: 443 });
    // The variable may hold the rest of the host, or the port.
    expect(addressOf('http://backend$suffix')).toBeNull();
    expect(addressOf('http://app:$port/')).toBeNull();
    expect(addressOf('http://$backend:8080/')).toBeNull();
  });

  it('leaves the scheme open when a variable holds the whole URL', () => {
    expect(passIn('/url')).toMatchObject({ scheme: null, target: { kind: 'variable', expression: '$target', candidates: [] } });
  });

  it('carries the effective resolver', () => {
    const pass = passIn('/set');
    expect(pass.resolver.source).toBe('inherited');
    expect(pass.resolver.values).toEqual([['127.0.0.11']]);
  });

  it("reports a proxy_pass without a scheme in nginx's words", () => {
    expect(targetIn('/no-scheme')).toEqual({ kind: 'invalid', message: 'invalid URL prefix in "localhost:8080"' });
  });

  it('gives FastCGI, gRPC, uwsgi and SCGI their own schemes and no default port', () => {
    expect(passIn('/fcgi')).toMatchObject({ module: 'fastcgi', scheme: null, target: { kind: 'host', host: 'php', port: 9000 } });
    expect(targetIn('/fcgi-no-port')).toMatchObject({ kind: 'host', host: 'php', port: null, portExplicit: false });
    expect(passIn('/grpc')).toMatchObject({ module: 'grpc', scheme: 'grpcs', target: { kind: 'host', port: 50051 } });
    expect(passIn('/grpc-bare')).toMatchObject({ scheme: 'grpc', target: { kind: 'host', host: 'svc' } });
    expect(passIn('/uwsgi')).toMatchObject({ module: 'uwsgi', scheme: 'suwsgi', target: { kind: 'host', port: 3031 } });
    expect(passIn('/scgi')).toMatchObject({ module: 'scgi', scheme: null, target: { kind: 'host', port: 4000 } });
  });

  it('leaves out the stream module, and looks passes up by node', () => {
    const streamPass = model.nodes('proxy_pass').find((node) => node.context === 'stream-server')!;
    expect(model.proxyPassOf(streamPass)).toBeNull();
    expect(model.proxyPasses).toHaveLength(17);
    const first = model.proxyPasses[0]!;
    expect(model.proxyPassOf(first.node)).toBe(first);
  });
});

describe('services behind a pass', () => {
  const { model, directory } = load({
    'nginx.conf': `http {
    upstream shop {
        server orders:8080;
        server orders-old:8000 down;
        server unix:/run/cart.sock;
        server 10.0.0.9:7000;
    }
    upstream unused { server orders:8080; }
    server {
        location /shop { proxy_pass http://shop; }
        location /orders { proxy_pass http://orders:8080/api; }
        location /default-port { proxy_pass http://orders; }
        location /elsewhere { proxy_pass http://example.com; }
        location /socket { proxy_pass http://unix:/run/app.sock; }
    }
}
`,
  });
  const withCatalog = buildModel(model.tree, {
    detectNginxVersion: () => null,
    services: loadServiceCatalog({
      nginxConfigDir: directory,
      repoRoot: directory,
      declared: { orders: { hosts: ['orders-old'], port: 8080 }, shop: {} },
    }),
  });

  function passIn(location: string) {
    return only(withCatalog.proxyPasses.filter((pass) => pass.location?.directive.args[0]?.value === location));
  }

  it('matches each server of the upstream, down ones included, and by the upstream name a server the catalog has no host for', () => {
    const behind = withCatalog.servicesBehind(passIn('/shop'));
    expect(behind.map(({ service, server, address }) => [service.name, server?.down, address])).toEqual([
      ['orders', false, { host: 'orders', port: 8080, upstreamName: 'shop' }],
      ['orders', true, { host: 'orders-old', port: 8000, upstreamName: 'shop' }],
      ['shop', false, { host: '10.0.0.9', port: 7000, upstreamName: 'shop' }],
    ]);
    expect(behind.map((match) => match.portMismatch)).toEqual([false, true, false]);
  });

  it('matches the host of a pass with the port nginx connects to', () => {
    expect(withCatalog.servicesBehind(passIn('/orders'))).toMatchObject([{ service: { name: 'orders' }, server: null, portKnown: true }]);
    expect(withCatalog.servicesBehind(passIn('/default-port'))).toMatchObject([{ address: { host: 'orders', port: 80 }, portMismatch: true }]);
    expect(withCatalog.servicesBehind(passIn('/elsewhere'))).toEqual([]);
    expect(withCatalog.servicesBehind(passIn('/socket'))).toEqual([]);
  });

  it('matches the servers of a block no pass names', () => {
    const unused = withCatalog.upstreamNamed('unused')!;
    expect(withCatalog.servicesBehindUpstream(unused).map(({ service, server }) => [service.name, server])).toEqual([['orders', unused.servers[0]]]);
  });

  it('knows no service without a catalog', () => {
    expect(model.servicesBehind(model.proxyPasses[0]!)).toEqual([]);
    expect(model.servicesBehindUpstream(model.upstreamNamed('shop')!)).toEqual([]);
  });
});

describe('statements in a file included from several places', () => {
  const { model } = load({
    'nginx.conf':
      'http {\n    server {\n        include proxy.conf;\n    }\n    server {\n        include proxy.conf;\n    }\n    server {\n        include timeouts.conf;\n    }\n}\n',
    'proxy.conf': 'proxy_buffer_size 8k;\n',
    'timeouts.conf': 'proxy_read_timeout 5s;\n',
  });

  it('appear at each place, so an edit is not safe; one included once appears once', () => {
    const shared = model.nodes('proxy_buffer_size');
    expect(shared).toHaveLength(2);
    expect(shared.map((node) => model.appearsOnce(node))).toEqual([false, false]);
    expect(model.appearsOnce(only(model.nodes('proxy_read_timeout')))).toBe(true);
    expect(model.appearsOnce(only(model.nodes('http')))).toBe(true);
  });
});

describe('navigation', () => {
  const model = modelOf(`http {
    map $uri $server { server 1; }
    server {
        location /a { location /a/b { proxy_pass http://127.0.0.1:1; } }
    }
}
`);

  it('indexes statements by name in source order, leaving out the lines of map bodies', () => {
    expect(model.nodes('location').map((node) => node.directive.args[0]!.value)).toEqual(['/a', '/a/b']);
    expect(model.nodes('server')).toHaveLength(1);
    expect(model.nodes('no_such_directive')).toEqual([]);
  });

  it('finds the enclosing block of a context, never the node itself', () => {
    const pass = only(model.nodes('proxy_pass'));
    expect(model.enclosing(pass, ['location'])).toBe(block(model, 'location', '/a/b'));
    expect(model.enclosing(block(model, 'location', '/a/b'), ['location'])).toBe(block(model, 'location', '/a'));
    expect(model.enclosing(pass, ['server'])).toBe(only(model.nodes('server')));
    expect(model.enclosing(only(model.nodes('http')), ['server'])).toBeNull();
  });

  it('walks every node depth-first in source order', () => {
    const names: string[] = [];
    model.walk((node) => names.push(node.directive.name));
    expect(names).toEqual(['http', 'map', 'server', 'server', 'location', 'location', 'proxy_pass']);
  });

  it('treats the top of a snippet as a level of its root context', () => {
    const { model: snippet } = load({ 'api.conf': 'proxy_read_timeout 3s;\nproxy_pass http://$upstream_host;\n' }, {}, 'location');
    const pass = only(snippet.proxyPasses);
    expect(pass.location).toBeNull();
    expect(snippet.effective(pass.node, 'proxy_read_timeout').source).toBe('here');
    expect(pass.target).toMatchObject({ kind: 'variable', hasResolver: false });
  });
});
