/**
 * What real nginx said, measured with Debian's nginx 1.22.1 (`nginx -t -p PREFIX -c FILE`, the .so files of
 * libnginx-mod-stream, -mail, -stream-geoip and -http-image-filter 1.22.1-9+deb12u11 copied into PREFIX/modules):
 *
 * - `stream {}` with no load_module: `unknown directive "stream"`; with `load_module modules/ngx_stream_module.so;`
 *   a stream server with `proxy_pass` is accepted. `load_module modules/ngx_stream_proxy_module.so;` (the file name
 *   of the directive's own module) fails: `dlopen() … cannot open shared object file`, as there is no such file.
 * - `mail {}` with no load_module: `unknown directive "mail"`; `load_module modules/ngx_mail_module.so;` makes
 *   `mail { auth_http …; server { listen …; protocol smtp; smtp_auth login plain; } }` accepted;
 *   `load_module modules/ngx_mail_smtp_module.so;` fails like the stream one.
 * - `geoip_country` in `stream` with only ngx_stream_module.so loaded: `unknown directive "geoip_country"`; with
 *   ngx_stream_geoip_module.so loaded after it, nginx runs the directive's handler (GeoIP_open of the file).
 *   ngx_stream_geoip_module.so loaded alone, or before ngx_stream_module.so: `dlopen() … undefined symbol:
 *   ngx_stream_add_variable`.
 * - `image_filter` with no load_module: `unknown directive "image_filter"`; with
 *   `load_module modules/ngx_http_image_filter_module.so;` accepted.
 * - ngx_http_lua_module.so without ndk_http_module.so before it (absent, or loaded on the next line):
 *   `dlopen() … undefined symbol: ndk_set_var_value` at the lua line; the NDK first, then lua: accepted.
 *
 * nginx.org's packages and the official image build stream and mail in (nginx/njs-examples loads only
 * ngx_stream_js_module.so and has a `stream` block), so those are reported only where the configuration itself
 * loads ngx_stream_module.so or ngx_mail_module.so.
 */
import { testRule } from '../test/rule-tester.js';
import rule from './module-not-loaded.js';

const EVENTS = 'events {}\n';
const streamServer = '    server {\n        listen 127.0.0.1:18931;\n        proxy_pass 127.0.0.1:18932;\n    }\n';
const STREAM = `stream {\n${streamServer}}\n`;
const MAIL =
  'mail {\n    auth_http 127.0.0.1:18933/auth;\n    server {\n        listen 127.0.0.1:18934;\n        protocol smtp;\n        smtp_auth login plain;\n    }\n}\n';
const hint = (holder: string, ...files: string[]) =>
  `it is a directive of ${holder}, which is not loaded; add ${files.map((file) => `load_module modules/${file};`).join(' ')} at the top of the main configuration`;

testRule(rule, {
  valid: [
    { name: 'no load_module line and no modules setting: nothing is known about modules', files: `${EVENTS}${STREAM}${MAIL}` },
    {
      name: 'Debian: ngx_stream_module.so holds every ngx_stream_* module (proxy_pass, ssl_preread, limit_conn, map)',
      files: `load_module modules/ngx_stream_module.so;\n${EVENTS}stream {\n    limit_conn_zone $binary_remote_addr zone=addr:1m;\n    map $ssl_preread_server_name $backend {\n        default 127.0.0.1:18932;\n    }\n    server {\n        listen 127.0.0.1:18931;\n        ssl_preread on;\n        limit_conn addr 10;\n        proxy_pass $backend;\n    }\n}\n`,
    },
    {
      name: 'Debian: ngx_mail_module.so holds the mail core, auth_http and smtp modules',
      files: `load_module modules/ngx_mail_module.so;\n${EVENTS}${MAIL}`,
    },
    {
      name: 'a load_module path that is not under modules/ counts by its file name',
      files: `load_module /usr/lib/nginx/modules/ngx_stream_module.so;\nload_module /usr/lib/nginx/modules/ngx_stream_geoip_module.so;\n${EVENTS}stream {\n    geoip_country /usr/share/GeoIP/GeoIP.dat;\n${streamServer}}\n`,
    },
    {
      name: 'nginx.org packages and the official image: stream is built in, only njs is loaded (nginx/njs-examples)',
      files: `load_module modules/ngx_stream_js_module.so;\n${EVENTS}stream {\n    js_import main.js;\n    server {\n        listen 127.0.0.1:18931;\n        js_preread main.preread;\n        proxy_pass 127.0.0.1:18932;\n    }\n}\n`,
    },
    {
      name: 'js_load_http_native_module is of ngx_http_js_core_module, which ngx_http_js_module.so holds',
      files: `load_module modules/ngx_http_js_module.so;\njs_load_http_native_module /usr/lib/nginx/native.so;\n${EVENTS}`,
    },
    {
      name: 'Debian: the NDK, then lua (nginx-lint reads what /etc/nginx/modules-enabled/ loads, in that order)',
      files: `load_module modules/ndk_http_module.so;\nload_module modules/ngx_http_lua_module.so;\n${EVENTS}http {\n    server {\n        location / {\n            content_by_lua_block {\n                ngx.say("hi")\n            }\n        }\n    }\n}\n`,
    },
    {
      name: 'the modules setting: file names, or module names',
      files: `${EVENTS}${STREAM}${MAIL}http {\n    server {\n        location /img/ {\n            image_filter resize 100 100;\n        }\n    }\n}\n`,
      config: { modules: ['ngx_stream_module.so', 'ngx_mail_module', 'ngx_http_image_filter_module'] },
    },
    {
      name: 'the modules setting may name any module a file holds',
      files: `${EVENTS}${STREAM}`,
      config: { modules: ['ngx_stream_proxy_module', 'ngx_mail_module'] },
    },
  ],
  invalid: [
    {
      name: 'Debian: a stream block without ngx_stream_module.so, reported once at the block (nginx stops there)',
      files: `load_module modules/ngx_mail_module.so;\n${EVENTS}${MAIL}${STREAM}`,
      errors: [
        {
          line: 11,
          column: 1,
          messageId: 'withHint',
          data: { nginxMessage: 'unknown directive "stream"', hint: hint('ngx_stream_module', 'ngx_stream_module.so') },
        },
      ],
    },
    {
      name: 'Debian: a mail block without ngx_mail_module.so',
      files: `load_module modules/ngx_stream_module.so;\n${EVENTS}${STREAM}${MAIL}`,
      errors: [
        {
          line: 9,
          column: 1,
          messageId: 'withHint',
          data: { nginxMessage: 'unknown directive "mail"', hint: hint('ngx_mail_module', 'ngx_mail_module.so') },
        },
      ],
    },
    {
      name: 'a stream sub-module file does not load the stream core it needs (nginx: dlopen … undefined symbol)',
      files: `load_module modules/ngx_mail_module.so;\nload_module modules/ngx_stream_geoip_module.so;\n${EVENTS}stream {\n    geoip_country /usr/share/GeoIP/GeoIP.dat;\n${streamServer}}\n`,
      errors: [
        {
          line: 2,
          column: 13,
          messageId: 'withHint',
          data: {
            nginxMessage: 'dlopen() "modules/ngx_stream_geoip_module.so" failed',
            hint: 'ngx_stream_geoip_module.so needs ngx_stream_module.so loaded before it; add load_module modules/ngx_stream_module.so; above this line',
          },
        },
        {
          line: 4,
          messageId: 'withHint',
          data: { nginxMessage: 'unknown directive "stream"', hint: hint('ngx_stream_module', 'ngx_stream_module.so') },
        },
      ],
    },
    {
      name: 'lua loaded before the NDK (nginx: dlopen … undefined symbol: ndk_set_var_value, at the lua line)',
      files: `load_module modules/ngx_http_lua_module.so;\nload_module modules/ndk_http_module.so;\n${EVENTS}`,
      errors: [
        {
          line: 1,
          messageId: 'withHint',
          data: {
            nginxMessage: 'dlopen() "modules/ngx_http_lua_module.so" failed',
            hint: 'ngx_http_lua_module.so needs ndk_http_module.so loaded before it; add load_module modules/ndk_http_module.so; above this line',
          },
        },
      ],
    },
    {
      name: 'a file of the stream subsystem, named by its .so, not by the directive module (ngx_stream_core_module)',
      files: 'server {\n    listen 127.0.0.1:18931;\n    proxy_pass 127.0.0.1:18932;\n}\n',
      context: 'stream',
      config: { modules: ['ngx_mail_module'] },
      errors: [
        {
          line: 1,
          messageId: 'withHint',
          data: {
            nginxMessage: 'unknown directive "server"',
            hint: hint('ngx_stream_core_module (in ngx_stream_module.so)', 'ngx_stream_module.so'),
          },
        },
      ],
    },
    {
      name: 'a stream sub-module that is its own file: ngx_stream_geoip_module.so',
      files: `load_module modules/ngx_stream_module.so;\n${EVENTS}stream {\n    geoip_country /usr/share/GeoIP/GeoIP.dat;\n${streamServer}}\n`,
      errors: [
        {
          line: 4,
          column: 5,
          messageId: 'withHint',
          data: { nginxMessage: 'unknown directive "geoip_country"', hint: hint('ngx_stream_geoip_module', 'ngx_stream_geoip_module.so') },
        },
      ],
    },
    {
      name: 'the official image: stream is built in, so only ngx_stream_geoip_module.so is named',
      files: `load_module modules/ngx_http_js_module.so;\n${EVENTS}stream {\n    geoip_country /usr/share/GeoIP/GeoIP.dat;\n${streamServer}}\n`,
      errors: [
        {
          line: 4,
          messageId: 'withHint',
          data: { nginxMessage: 'unknown directive "geoip_country"', hint: hint('ngx_stream_geoip_module', 'ngx_stream_geoip_module.so') },
        },
      ],
    },
    {
      name: 'njs: js_load_http_native_module needs ngx_http_js_module.so (there is no ngx_http_js_core_module.so)',
      files: `load_module modules/ngx_http_image_filter_module.so;\njs_load_http_native_module /usr/lib/nginx/native.so;\n${EVENTS}`,
      errors: [
        {
          line: 2,
          messageId: 'withHint',
          data: {
            nginxMessage: 'unknown directive "js_load_http_native_module"',
            hint: hint('ngx_http_js_core_module (in ngx_http_js_module.so)', 'ngx_http_js_module.so'),
          },
        },
      ],
    },
    {
      name: 'an http dynamic module of nginx: image_filter',
      files: `load_module modules/ngx_http_js_module.so;\n${EVENTS}http {\n    server {\n        location /img/ {\n            image_filter resize 100 100;\n        }\n    }\n}\n`,
      errors: [
        {
          line: 6,
          column: 13,
          messageId: 'withHint',
          data: {
            nginxMessage: 'unknown directive "image_filter"',
            hint: hint('ngx_http_image_filter_module', 'ngx_http_image_filter_module.so'),
          },
        },
      ],
    },
    {
      name: 'lua: the NDK first, then lua',
      files: `load_module modules/ngx_http_js_module.so;\n${EVENTS}http {\n    server {\n        location / {\n            content_by_lua_block {\n                ngx.say("hi")\n            }\n        }\n    }\n}\n`,
      errors: [
        {
          line: 6,
          messageId: 'withHint',
          data: {
            nginxMessage: 'unknown directive "content_by_lua_block"',
            hint: hint('ngx_http_lua_module', 'ndk_http_module.so', 'ngx_http_lua_module.so'),
          },
        },
      ],
    },
  ],
});
