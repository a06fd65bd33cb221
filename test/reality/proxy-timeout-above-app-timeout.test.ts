/**
 * proxy-timeout-above-app-timeout against real nginx. gunicorn's arbiter kills a sync worker that has worked on one
 * request longer than `--timeout`; the kernel then closes the worker's connection, which has read the request, with
 * a FIN and no response. The stand-in backend does the same after 1 s: reads the request, says nothing, closes.
 * nginx's raised `proxy_read_timeout 30s` does not help: every request gets 502 after 1 s, not the response.
 * uWSGI's harakiri and PHP-FPM's request_terminate_timeout are measured with the real servers (Debian's packages).
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  countStatuses,
  findNginx,
  findProgram,
  freePort,
  linesMatching,
  REALITY_TEST_TIMEOUT_MS,
  request,
  sendGetsAndPosts,
  startNginx,
  startProgram,
  stopAfterEach,
} from './harness.js';

const PREMATURELY_CLOSED = 'upstream prematurely closed connection while reading response header from upstream';
const KILLED_AFTER_MS = 1_000;

/** Reads each request and, like a worker killed by gunicorn's arbiter, closes the connection after 1 s without answering. */
async function startKilledWorker(): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    setTimeout(() => socket.destroy(), KILLED_AFTER_MS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe.skipIf(findNginx() === null)('proxy-timeout-above-app-timeout against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('a backend that kills the request after 1 s behind proxy_read_timeout 30s: every GET and POST 502, prematurely closed, after about 1 s', async () => {
    const worker = track(await startKilledWorker());
    const nginx = track(
      await startNginx(
        (port) =>
          `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${worker.port}; proxy_read_timeout 30s; proxy_next_upstream off; } }`,
      ),
    );
    const started = Date.now();
    const outcomes = await sendGetsAndPosts(nginx.port, 3);
    expect(countStatuses(outcomes), nginx.errorLog()).toEqual({ '502': 6 });
    expect(linesMatching(nginx.errorLog(), PREMATURELY_CLOSED)).toHaveLength(6);
    // Each waited for the kill, not for nginx's 30 s.
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

/** A folder for a backend's files, readable by the workers nginx and the backend start as other users. */
function backendFolder(files: Record<string, string>): { dir: string; stop(): Promise<void> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-app-'));
  chmodSync(dir, 0o755);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return { dir, stop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** Two requests that take the app 5 s, behind a read timeout of 30 s: their statuses and how long they took. */
async function twoSlowRequests(port: number, requestPath: string): Promise<{ statuses: Record<string, number>; seconds: number }> {
  const started = Date.now();
  const outcomes = [await request(port, { path: requestPath }), await request(port, { path: requestPath })];
  return { statuses: countStatuses(outcomes), seconds: (Date.now() - started) / 1000 };
}

const uwsgi = findNginx() === null ? null : findProgram(['uwsgi_python3'], 'uwsgi-core uwsgi-plugin-python3');

describe.skipIf(uwsgi === null)("uWSGI's harakiri against real nginx", { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('harakiri 2 before a request that takes 5 s, behind uwsgi_read_timeout 30s: 502, prematurely closed, after about 3 s', async () => {
    const app = track(
      backendFolder({
        'app.py':
          "import time\n\ndef application(env, start_response):\n    time.sleep(5)\n    start_response('200 OK', [('Content-Type', 'text/plain')])\n    return [b'ok\\n']\n",
      }),
    );
    const port = await freePort();
    track(
      await startProgram(
        uwsgi!,
        ['--master', '--socket', `127.0.0.1:${port}`, '--wsgi-file', 'app.py', '--processes', '1', '--die-on-term', '--harakiri', '2'],
        port,
        app.dir,
      ),
    );
    const nginx = track(
      await startNginx(
        (listen) =>
          `    server { listen 127.0.0.1:${listen}; location / { include /etc/nginx/uwsgi_params; uwsgi_pass 127.0.0.1:${port}; uwsgi_read_timeout 30s; uwsgi_next_upstream off; } }`,
      ),
    );
    const { statuses, seconds } = await twoSlowRequests(nginx.port, '/slow');
    expect(statuses, nginx.errorLog()).toEqual({ '502': 2 });
    expect(linesMatching(nginx.errorLog(), PREMATURELY_CLOSED)).toHaveLength(2);
    // Cut by harakiri (checked once a second): two requests the app finished would take 10 s.
    expect(seconds).toBeLessThan(10);
  });
});

/** Debian's PHP-FPM is named for its PHP release (`php-fpm8.2`); the official image's is `php-fpm`. */
const phpFpmNames = ['php-fpm', ...(existsSync('/usr/sbin') ? readdirSync('/usr/sbin').filter((name) => /^php-fpm\d+(\.\d+)?$/.test(name)) : [])];
const phpFpm = findNginx() === null ? null : findProgram(phpFpmNames, 'php-fpm');

describe.skipIf(phpFpm === null)("PHP-FPM's request_terminate_timeout against real nginx", { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('request_terminate_timeout 2 before a script that sleeps 5 s, behind fastcgi_read_timeout 30s: 502, connection reset, after about 2 s', async () => {
    const port = await freePort();
    const app = track(backendFolder({ 'slow.php': '<?php\nsleep(5);\necho "ok\\n";\n' }));
    writeFileSync(
      path.join(app.dir, 'php-fpm.conf'),
      `[global]\nerror_log = ${app.dir}/php-fpm.log\ndaemonize = no\n[www]\nlisten = 127.0.0.1:${port}\npm = static\npm.max_children = 1\nrequest_terminate_timeout = 2\n`,
    );
    // -R: CI runs as root, which PHP-FPM refuses without it.
    track(await startProgram(phpFpm!, ['--nodaemonize', '-R', '-y', path.join(app.dir, 'php-fpm.conf')], port, app.dir));
    const nginx = track(
      await startNginx(
        (listen) =>
          `    server { listen 127.0.0.1:${listen}; root ${app.dir}; location ~ \\.php$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; fastcgi_pass 127.0.0.1:${port}; fastcgi_read_timeout 30s; fastcgi_next_upstream off; } }`,
      ),
    );
    const { statuses, seconds } = await twoSlowRequests(nginx.port, '/slow.php');
    expect(statuses, nginx.errorLog()).toEqual({ '502': 2 });
    expect(linesMatching(nginx.errorLog(), 'recv() failed (104: Connection reset by peer) while reading response header from upstream')).toHaveLength(
      2,
    );
    // Two requests the script finished would take 10 s.
    expect(seconds).toBeLessThan(10);
  });
});
