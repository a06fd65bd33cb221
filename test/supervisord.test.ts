/**
 * The programs supervisord starts, read from the repository's supervisord configs and from the configs its start
 * scripts write with here-documents, the way supervisord's ConfigParser reads them (supervisord.org/configuration.html).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isShellScript } from '../src/context/repository-scripts.js';
import { readSupervisedPrograms, shlexSplit, supervisedProgramsIn } from '../src/context/supervisord.js';
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
      { name: 'php-fpm', words: ['php-fpm', '-F'], origin: 'rootfs/etc/supervisor/conf.d/app.conf:2' },
      { name: 'pages', words: ['/usr/local/bin/gitlab-pages', '-listen-proxy', ':8090', '-listen-http', '${HTTP}'], origin: 'assets/functions:5' },
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
