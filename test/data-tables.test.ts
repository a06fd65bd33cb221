/**
 * Invariants of the generated tables src/data/variables.json and src/data/module-directives.json (scripts/gen-*.mjs)
 * that a regeneration from a changed source, or a generator change, could really break.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dataFile } from '../src/package-info.js';
import { getDirective } from '../src/nginx/directives.js';
import { dynamicModuleOf, dynamicModuleOfFile, dynamicModules } from '../src/nginx/modules.js';
import { builtinVariable } from '../src/nginx/variables.js';
import { compareNginxVersions } from '../src/nginx/version.js';

interface VariableRow {
  family: string;
  name: string;
  module: string;
  since: string;
  sinceFirst?: string;
  lastIn?: string;
  removedIn?: string;
  prefix?: boolean;
}
interface DirectiveRow {
  name: string;
  source: string;
  module: string;
  contexts: string[];
  args?: string[];
  block?: boolean;
}

const read = <T>(name: string): T => JSON.parse(readFileSync(dataFile(name), 'utf8')) as T;
const variables = read<{ rows: VariableRow[] }>('variables.json').rows;
const modules = read<{ rows: DirectiveRow[]; variables: VariableRow[] }>('module-directives.json');
const core = read<{ rows: DirectiveRow[] }>('directives.json').rows;
const VERSION = /^\d+\.\d+\.\d+$/;
const row = (family: string, name: string) => variables.find((v) => v.family === family && v.name === name);

describe('variables.json', () => {
  it('has nginx-shaped names, parsable and ordered versions, and no duplicates', () => {
    expect(variables.length).toBeGreaterThan(200);
    const keys = new Set<string>();
    for (const v of [...variables, ...modules.variables]) {
      expect(v.name, v.name).toMatch(/^[a-z0-9_]+$/);
      expect(['http', 'stream']).toContain(v.family);
      expect(v.prefix === true, v.name).toBe(v.name.endsWith('_'));
      const key = `${v.family}:${v.name}`;
      expect(keys.has(key), key).toBe(false);
      keys.add(key);
    }
    for (const v of variables) {
      for (const version of [v.since, v.sinceFirst, v.lastIn, v.removedIn].filter((x) => x !== undefined)) expect(version).toMatch(VERSION);
      expect(v.module, v.name).toMatch(/^ngx_(http|stream)_\w+_module$/);
      if (v.sinceFirst) expect(compareNginxVersions(v.sinceFirst, v.since)).toBeLessThan(0);
      expect(v.lastIn === undefined, v.name).toBe(v.removedIn === undefined);
      if (v.lastIn) {
        expect(compareNginxVersions(v.since, v.lastIn)).toBeLessThanOrEqual(0);
        expect(compareNginxVersions(v.lastIn, v.removedIn!)).toBeLessThan(0);
      }
    }
  });

  // Each checked against the nginx tags: absent in the release before (and in the older stable line), present in it.
  it.each([
    ['http', 'request_id', '1.11.0'],
    ['http', 'proxy_protocol_server_addr', '1.17.6'],
    ['stream', 'proxy_protocol_server_addr', '1.17.6'],
    ['http', 'ssl_alpn_protocol', '1.21.4'],
    ['stream', 'ssl_alpn_protocol', '1.21.4'],
    ['http', 'realip_remote_port', '1.11.0'],
    ['http', 'realip_remote_addr', '1.9.7'],
    ['http', 'http3', '1.25.0'],
    ['http', 'upstream_cookie_', '1.7.1'],
    ['http', 'sent_trailer_', '1.13.2'],
    ['http', 'upstream_trailer_', '1.13.10'],
    // Defined outside ngx_http_variable_t arrays before 1.13.4 (browser module) and 1.1.x (ngx_str_set in referer).
    ['http', 'msie', '1.0.0'],
    ['http', 'ancient_browser', '1.0.0'],
    ['http', 'invalid_referer', '1.0.0'],
    ['http', 'gzip_ratio', '1.0.0'],
  ])('%s $%s since %s', (family, name, since) => {
    expect(row(family, name)?.since).toBe(since);
  });

  it('has the prefix families, and the modules that provide them', () => {
    const prefixes = variables.filter((v) => v.prefix).map((v) => `${v.family}:${v.name}:${v.module}`);
    for (const expected of [
      'http:arg_:ngx_http_core_module',
      'http:http_:ngx_http_core_module',
      'http:sent_http_:ngx_http_core_module',
      'http:sent_trailer_:ngx_http_core_module',
      'http:cookie_:ngx_http_core_module',
      'http:upstream_http_:ngx_http_upstream_module',
      'http:upstream_trailer_:ngx_http_upstream_module',
      'http:upstream_cookie_:ngx_http_upstream_module',
    ])
      expect(prefixes).toContain(expected);
  });

  it('knows removed variables and answers by version through the loader', () => {
    expect(row('http', 'spdy')).toMatchObject({ since: '1.3.15', lastIn: '1.9.4', removedIn: '1.9.5' });
    expect(builtinVariable('http', 'request_id', '1.10.3')).toEqual({ known: false, addedIn: '1.11.0' });
    expect(builtinVariable('http', 'request_id', '1.11.0').known).toBe(true);
    expect(builtinVariable('http', 'upstream_trailer_x_foo', '1.13.10').known).toBe(true);
    expect(builtinVariable('http', 'upstream_trailer_x_foo', '1.13.9').known).toBe(false);
    expect(builtinVariable('http', 'nchan_channel_id').known).toBe(true);
  });
});

describe('module-directives.json', () => {
  const contexts = new Set(['main', 'events', 'http', 'server', 'location', 'upstream', 'if-in-server', 'if-in-location', 'limit_except']);
  for (const c of ['mail', 'mail-server', 'stream', 'stream-server', 'stream-upstream']) contexts.add(c);
  const argFlags = new Set(['NOARGS', 'TAKE1', 'TAKE2', 'TAKE3', 'TAKE4', 'TAKE5', 'TAKE6', 'TAKE7', 'FLAG', 'ANY', '1MORE', '2MORE']);

  it('has rows in the shape of directives.json rows, none repeating one of it', () => {
    const coreKeys = new Set(core.map((r) => `${r.name}|${r.module}`));
    for (const r of modules.rows) {
      expect(r.name).toMatch(/^[a-z0-9_]+$/);
      expect(r.contexts.length).toBeGreaterThan(0);
      for (const c of r.contexts) expect(contexts.has(c), `${r.name}: ${c}`).toBe(true);
      expect(r.args!.length).toBeGreaterThan(0);
      for (const a of r.args!) expect(argFlags.has(a), `${r.name}: ${a}`).toBe(true);
      expect(coreKeys.has(`${r.name}|${r.module}`), r.name).toBe(false);
    }
  });

  // A third-party name that a directives.json module also uses would shadow or be shadowed in lookups. The only real
  // case: ngx_cache_purge's *_cache_purge, which NGINX Plus (a docs-only row) has as well.
  it('collides with directives.json only where the modules really share a name', () => {
    const coreByName = new Map<string, DirectiveRow[]>();
    for (const r of core) coreByName.set(r.name, [...(coreByName.get(r.name) ?? []), r]);
    const collisions = modules.rows
      .filter((r) => (coreByName.get(r.name) ?? []).some((c) => c.module !== r.module))
      .map(
        (r) =>
          `${r.name}:${r.module}:${coreByName
            .get(r.name)!
            .map((c) => c.source)
            .join(',')}`,
      );
    expect(collisions.sort()).toEqual([
      'fastcgi_cache_purge:ngx_http_cache_purge_module:reference-lib',
      'proxy_cache_purge:ngx_http_cache_purge_module:reference-lib',
      'scgi_cache_purge:ngx_http_cache_purge_module:reference-lib',
      'uwsgi_cache_purge:ngx_http_cache_purge_module:reference-lib',
    ]);
  });

  it('is merged by the directive loader', () => {
    expect(getDirective('upload_progress')[0]).toMatchObject({
      source: 'upload-progress',
      module: 'ngx_http_uploadprogress_module',
      args: ['TAKE2'],
    });
    expect(getDirective('more_set_headers')[0]).toMatchObject({ source: 'headers-more', module: 'ngx_http_headers_more_filter_module' });
    expect(getDirective('fancyindex')[0]).toMatchObject({ source: 'fancyindex', args: ['FLAG'] });
    expect(getDirective('nchan_publisher')[0]?.source).toBe('nchan');
    expect(getDirective('subs_filter')[0]?.source).toBe('subs-filter');
    expect(getDirective('dav_ext_methods')[0]?.source).toBe('dav-ext');
    expect(getDirective('auth_pam')[0]?.source).toBe('auth-pam');
  });

  it('maps every module to a load_module file, package and directives that exist', () => {
    const all = dynamicModules();
    expect(all.length).toBeGreaterThanOrEqual(27);
    const ids = new Set(all.map((m) => m.id));
    for (const m of all) {
      expect(m.loadModule).toMatch(/^modules\/\w+\.so$/);
      if (m.debianPackage) expect(m.debianPackage).toMatch(/^libnginx-mod-[a-z0-9-]+$/);
      for (const need of m.needs ?? []) expect(ids.has(need), `${m.id} needs ${need}`).toBe(true);
      expect(m.ngxModules.length, m.id).toBeGreaterThan(0);
      const owned = m.ngxModules.some((n) => [...core, ...modules.rows].some((r) => r.module === n));
      expect(owned, m.id).toBe(true);
    }
    expect(dynamicModuleOf('ngx_stream_proxy_module')).toMatchObject({
      id: 'stream',
      loadModule: 'modules/ngx_stream_module.so',
      officialImage: 'built-in',
    });
    expect(dynamicModuleOf('ngx_stream_geoip_module')?.id).toBe('stream_geoip');
    expect(dynamicModuleOf('ngx_http_js_module')).toMatchObject({ officialImage: 'dynamic', debianPackage: 'libnginx-mod-http-js' });
    expect(dynamicModuleOf('ngx_http_headers_more_filter_module')).toMatchObject({
      loadModule: 'modules/ngx_http_headers_more_filter_module.so',
      debianPackage: 'libnginx-mod-http-headers-more-filter',
      nginxExtras: true,
    });
    expect(dynamicModuleOf('ngx_http_proxy_module')).toBeUndefined();
  });

  // module-not-loaded names the file a directive's module is in: a module the table does not place would get a
  // load_module line for a file named after it, which may not exist (njs's js_load_http_native_module is of
  // ngx_http_js_core_module, in ngx_http_js_module.so).
  it('places the module of every third-party directive in a load_module file', () => {
    const unplaced = [...core, ...modules.rows]
      .filter((r) => r.source !== 'nginx' && r.source !== 'reference-lib' && dynamicModuleOf(r.module) === undefined)
      .map((r) => `${r.name}:${r.module}`);
    expect(unplaced).toEqual([]);
    expect(dynamicModuleOf('ngx_http_js_core_module')?.loadModule).toBe('modules/ngx_http_js_module.so');
    expect(dynamicModuleOf('ngx_stream_js_core_module')?.loadModule).toBe('modules/ngx_stream_js_module.so');
    expect(dynamicModuleOfFile('/usr/lib/nginx/modules/ngx_stream_module.so')?.id).toBe('stream');
  });
});
