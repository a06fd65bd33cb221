/**
 * The programs supervisord starts, read from the repository's supervisord configs and from the configs its start
 * scripts write with here-documents, the way supervisord's ConfigParser reads them (supervisord.org/configuration.html).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isShellScript } from '../src/context/repository-scripts.js';
import { readSupervisedPrograms, shlexSplit, supervisedProgramsIn, supervisordEnvironment } from '../src/context/supervisord.js';
import { supervisedServiceFacts } from '../src/context/supervised-services.js';
import { temporaryTrees } from './helpers/files.js';

const tree = temporaryTrees();

const lines = (text: string) => text.split('\n').map((line, index) => ({ text: line, origin: `supervisord.conf:${index + 1}` }));

describe('supervisedProgramsIn', () => {
  it('reads each [program:x] command, continued on deeper-indented lines, as words', () => {
    const programs = supervisedProgramsIn(
      lines(
        [
          '[supervisord]',
          'command=not a program',
          '[program:pages]',
          'priority=20',
          'command=/usr/local/bin/gitlab-pages',
          '  -pages-root /srv/pages',
          '  -listen-proxy :8090',
          'user=git',
          '[program:php-fpm]',
          'command : php-fpm -F ; keeps PHP-FPM in the foreground',
        ].join('\n'),
      ),
    );
    expect(programs).toEqual([
      { name: 'pages', words: ['/usr/local/bin/gitlab-pages', '-pages-root', '/srv/pages', '-listen-proxy', ':8090'], origin: 'supervisord.conf:5' },
      { name: 'php-fpm', words: ['php-fpm', '-F'], origin: 'supervisord.conf:10' },
    ]);
  });

  it('cuts a comment where supervisord does: whole lines of ; or #, and from a ; or # after white space only', () => {
    const programs = supervisedProgramsIn(
      lines(
        [
          '[program:app]',
          '; command=commented out',
          'command=gunicorn -b :8000 app:app\t# the app',
          '  # a comment line does not continue the value',
          '[program:shell]',
          "command=bash -c 'a;b'",
          '[program:name]',
          'command=run --log /var/log/%(program_name)s.log --rate 50%% --home %(ENV_HOME)s',
        ].join('\n'),
      ),
    );
    expect(programs.map((program) => program.words)).toEqual([
      ['gunicorn', '-b', ':8000', 'app:app'],
      ['bash', '-c', 'a;b'],
      // %(program_name)s is the section's name; %(ENV_HOME)s is supervisord's environment, not known: kept as written.
      ['run', '--log', '/var/log/name.log', '--rate', '50%', '--home', '%(ENV_HOME)s'],
    ]);
  });
});

describe('readSupervisedPrograms', () => {
  it('reads config files holding [program:x] and the configs a start script writes with cat > and cat >> here-documents', () => {
    const root = tree({
      'rootfs/etc/supervisor/conf.d/app.conf': '[program:php-fpm]\ncommand=php-fpm -F\n',
      'rootfs/etc/supervisor/conf.d/empty.conf': '[supervisord]\nnodaemon=true\n',
      'notes.md': '[program:docs]\ncommand=not read\n',
      'assets/functions': [
        '#!/bin/bash',
        'configure_pages() {',
        'cat > /etc/supervisor/conf.d/pages.conf <<EOF',
        '[program:pages]',
        'command=/usr/local/bin/gitlab-pages',
        '  -listen-proxy :8090',
        'EOF',
        'if [[ -n ${HTTP} ]]; then',
        'cat >> /etc/supervisor/conf.d/pages.conf <<EOF',
        '  -listen-http ${HTTP}',
        'EOF',
        'fi',
        'cat >> /etc/supervisor/conf.d/pages.conf <<EOF',
        'user=git',
        'EOF',
        '}',
        '',
      ].join('\n'),
    });
    const files = ['rootfs/etc/supervisor/conf.d/app.conf', 'rootfs/etc/supervisor/conf.d/empty.conf', 'notes.md', 'assets/functions'];
    const programs = readSupervisedPrograms(
      root,
      files.map((file) => path.join(root, file)),
      isShellScript,
    );
    expect(programs).toEqual([
      { name: 'php-fpm', words: ['php-fpm', '-F'], origin: 'rootfs/etc/supervisor/conf.d/app.conf:2', file: path.join(root, files[0]!) },
      {
        name: 'pages',
        words: ['/usr/local/bin/gitlab-pages', '-listen-proxy', ':8090', '-listen-http', '${HTTP}'],
        origin: 'assets/functions:5',
        file: path.join(root, files[3]!),
      },
    ]);
  });
});

describe('shlexSplit', () => {
  it.each([
    ['nginx -g "daemon off;"', ['nginx', '-g', 'daemon off;']],
    ["bash -c 'php-fpm -F | tee log'", ['bash', '-c', 'php-fpm -F | tee log']],
    ['run "a \\" b" \\$x $HOME (x)', ['run', 'a " b', '$x', '$HOME', '(x)']],
    ['run "\\$x" \'\'', ['run', '\\$x', '']],
  ])('%s', (command, words) => {
    expect(shlexSplit(command)).toEqual(words);
  });
});

describe('supervisedServiceFacts', () => {
  const facts = (command: string) =>
    supervisedServiceFacts({ name: 'app', words: shlexSplit(command), origin: 'supervisord.conf:7', file: '/repo/supervisord.conf' });

  it("reads the program's server as a Compose command's, each fact from the supervisord line", () => {
    const gthread = facts('gunicorn --bind 127.0.0.1:8000 --threads 4 --keep-alive 2 app:app');
    expect(gthread.server).toBe('gunicorn (gthread worker)');
    expect(gthread.hosts).toEqual([]);
    expect(gthread.ports.map((port) => [port.value, port.origin.label])).toEqual([[8000, 'supervisord.conf:7 --bind 127.0.0.1:8000']]);
    expect([gthread.keepAliveTimeout?.value, gthread.keepAliveTimeout?.basis, gthread.keepAliveTimeout?.origin]).toEqual([
      2000,
      'flag',
      { file: '/repo/supervisord.conf', line: 7, keyPath: null, label: 'supervisord.conf:7 --keep-alive 2' },
    ]);
    expect(facts('gunicorn --bind=127.0.0.1:9000 app:app').ports.map((port) => port.value)).toEqual([9000]);
    expect(facts('gunicorn -b 0.0.0.0:8000 app:app').closesConnections?.origin.label).toBe(
      "supervisord.conf:7 gunicorn's default sync worker closes every connection after its response",
    );
    expect(facts('uvicorn app:app --port 8000').keepAliveTimeout?.basis).toBe('default');
  });

  it('claims no port a loopback connection cannot reach, nor one no flag names, nor anything for a program it does not know', () => {
    expect(facts('gunicorn --bind 10.0.0.5:8000 app:app').ports).toEqual([]);
    expect(facts('gunicorn --bind=10.0.0.5:8000 app:app').ports).toEqual([]);
    expect(facts('gunicorn --bind unix:/run/gunicorn.sock app:app').ports).toEqual([]);
    expect(facts('gunicorn --bind unix:/run/gunicorn.sock app:app').sockets?.map((socket) => [socket.value, socket.origin.label])).toEqual([
      ['/run/gunicorn.sock', 'supervisord.conf:7 --bind unix:/run/gunicorn.sock'],
    ]);
    expect(facts('uvicorn app:app --uds /tmp/uvicorn.sock').sockets?.map((socket) => socket.value)).toEqual(['/tmp/uvicorn.sock']);
    // A relative path depends on the working directory; a program it does not know says nothing.
    expect(facts('gunicorn --bind unix:app.sock app:app').sockets).toBeUndefined();
    expect(facts('/usr/bin/myserver --bind unix:/run/x.sock').sockets).toBeUndefined();
    expect(facts('gunicorn app:app').ports).toEqual([]);
    const cron = facts('/usr/sbin/cron -f');
    expect([cron.server, cron.ports, cron.keepAliveTimeout]).toEqual([undefined, [], null]);
  });
});

describe("supervisord's environment=", () => {
  it('is read as supervisor reads KEY=value pairs, and what the command reads from it (PORT, GUNICORN_CMD_ARGS) counts', () => {
    expect(supervisordEnvironment('PORT="8001",GUNICORN_CMD_ARGS="--bind=127.0.0.1:8002 --workers 2", HOME=/home/app')).toEqual({
      PORT: '8001',
      GUNICORN_CMD_ARGS: '--bind=127.0.0.1:8002 --workers 2',
      HOME: '/home/app',
    });
    // supervisord refuses a value with a character shlex splits off (here `*`): nothing is known of it.
    expect(supervisordEnvironment('A=x*y')).toBeNull();
    // An expansion of supervisord's own environment is not known: the variable is left out.
    expect(supervisordEnvironment('PORT=%(ENV_PORT)s,B=1')).toEqual({ B: '1' });

    const [program] = supervisedProgramsIn(
      lines(
        ['[program:app]', 'command=gunicorn app:app', 'environment=PORT="8001",', '  DEBUG=0', '[program:other]', 'command=gunicorn b:b'].join('\n'),
      ),
    );
    expect(program?.environment).toEqual({ PORT: '8001', DEBUG: '0' });
    const facts = supervisedServiceFacts({ ...program!, file: '/repo/supervisord.conf' });
    // gunicorn binds 0.0.0.0:$PORT when no --bind says otherwise (gunicorn/config.py, Bind).
    expect(facts.ports.map((port) => [port.value, port.origin.label])).toEqual([[8001, 'supervisord.conf:2 PORT=8001']]);
  });
});
