/**
 * What a service's command, image and environment say about its server, with nothing declared. Each row is a
 * command as real Compose files write it; the expected values are the servers' documented defaults
 * (docs/services.md) or the flag's value.
 */
import { describe, expect, it } from 'vitest';
import {
  commandWords,
  daemonStarted,
  everyAddressPortsOf,
  inferAppServer,
  lockedGemVersion,
  programsStartedBesideNginx,
  scriptExec,
  unwrapInit,
  type ProcessSpec,
} from '../src/context/app-servers.js';

const spec = (command: string, image: string | null = null, environment: Record<string, string> = {}): ProcessSpec => ({
  image,
  words: commandWords(command),
  environment,
});

describe('inferAppServer', () => {
  it.each([
    ['uvicorn main:app --host 0.0.0.0 --port 8000', null, 'uvicorn', 5000, 'default', 8000],
    ['uvicorn main:app --timeout-keep-alive 75 --port=9000', null, 'uvicorn', 75000, 'flag', 9000],
    ['python -m uvicorn app.main:app --timeout-keep-alive 2', null, 'uvicorn', 2000, 'flag', null],
    ['gunicorn -w 4 -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8000 app:app', null, 'gunicorn (UvicornWorker worker)', 2000, 'default', 8000],
    // --threads above 1 turns gunicorn's sync worker into gthread, which keeps connections alive.
    ['gunicorn --keep-alive 10 --threads 4 --bind 0.0.0.0:5000 wsgi', null, 'gunicorn (gthread worker)', 10000, 'flag', 5000],
    ['hypercorn app:app --bind 0.0.0.0:8080', null, 'hypercorn', 5000, 'default', 8080],
    ['node server.js', 'node:20-alpine', 'Node.js', 5000, 'default', null],
    ['npm start', null, 'Node.js', 5000, 'default', null],
    // No Gemfile.lock known: 20 s (Puma up to 6.x) is assumed, and the message says the default depends on the version.
    ['bundle exec puma -C config/puma.rb -p 3000', 'ruby:3.3', 'Puma', 20000, 'default', 3000],
    ['bundle exec rails server -b 0.0.0.0', null, 'Puma', 20000, 'default', null],
    ['sh -c "alembic upgrade head && uvicorn main:app --timeout-keep-alive 5 --port 80"', null, 'uvicorn', 5000, 'flag', 80],
  ])('%s', (command, image, server, keepAlive, basis, port) => {
    const inferred = inferAppServer(spec(command, image));
    expect(inferred?.server).toBe(server);
    expect(inferred?.keepAliveTimeout).toMatchObject({ value: keepAlive, basis });
    expect(inferred?.port?.value ?? null).toBe(port);
  });

  it("gunicorn's default sync worker keeps no connection alive: no idle timeout to race", () => {
    const inferred = inferAppServer(spec('gunicorn --keep-alive 2 -b 0.0.0.0:8000 app.wsgi'));
    expect(inferred).toMatchObject({ server: 'gunicorn (sync worker)', keepAliveTimeout: null, port: { value: 8000 } });
  });

  it('gunicorn and hypercorn listen on every --bind given: each port, or none known when one is a variable', () => {
    const ports = (command: string, environment: Record<string, string> = {}) => {
      const inferred = inferAppServer(spec(command, null, environment));
      return inferred?.port ? [inferred.port, ...(inferred.otherPorts ?? [])].map((port) => port.value) : [];
    };
    expect(ports('gunicorn -b 127.0.0.1:8000 --bind=[::1]:8001 -b unix:/run/app.sock app:app')).toEqual([8000, 8001]);
    expect(ports('hypercorn app:app --bind 0.0.0.0:8443 --insecure-bind 0.0.0.0:8080')).toEqual([8443, 8080]);
    expect(ports('gunicorn -b :8000 -b $EXTRA_BIND app:app')).toEqual([]);
    // The command line's binds replace those of GUNICORN_CMD_ARGS; PORT is the default only when no bind is given.
    expect(ports('gunicorn -b :8000 app:app', { GUNICORN_CMD_ARGS: '--bind :9000', PORT: '7000' })).toEqual([8000]);
    expect(ports('gunicorn app:app', { GUNICORN_CMD_ARGS: '--bind :9000 --bind :9001', PORT: '7000' })).toEqual([9000, 9001]);
    expect(ports('gunicorn -b unix:/run/app.sock app:app', { PORT: '7000' })).toEqual([]);
  });

  it('reads GUNICORN_CMD_ARGS and PORT from the environment', () => {
    const inferred = inferAppServer(spec('gunicorn app:app', null, { GUNICORN_CMD_ARGS: '-k gevent --keep-alive 30', PORT: '5000' }));
    expect(inferred).toMatchObject({ keepAliveTimeout: { value: 30000, basis: 'flag' }, port: { value: 5000, evidence: 'PORT=5000' } });
  });

  it('reads UVICORN_TIMEOUT_KEEP_ALIVE and UVICORN_PORT, the command line winning over them as in click', () => {
    const environment = { UVICORN_TIMEOUT_KEEP_ALIVE: '30', UVICORN_PORT: '8080', PORT: '9999' };
    expect(inferAppServer(spec('uvicorn main:app', null, environment))).toMatchObject({
      keepAliveTimeout: { value: 30000, basis: 'flag', evidence: 'UVICORN_TIMEOUT_KEEP_ALIVE=30' },
      port: { value: 8080, evidence: 'UVICORN_PORT=8080' },
    });
    expect(inferAppServer(spec('uvicorn main:app --timeout-keep-alive 3 --port 81', null, environment))).toMatchObject({
      keepAliveTimeout: { value: 3000, evidence: '--timeout-keep-alive 3' },
      port: { value: 81 },
    });
    // uvicorn does not read PORT.
    expect(inferAppServer(spec('uvicorn main:app', null, { PORT: '9999' }))?.port).toBeNull();
  });

  describe("Puma's persistent_timeout: 20 s up to 6.x, 65 s from 7.0.0", () => {
    const puma = (pumaVersion: ProcessSpec['pumaVersion'], environment: Record<string, string> = {}) =>
      inferAppServer({ image: 'ruby:3.3', words: commandWords('bundle exec puma -C config/puma.rb'), environment, pumaVersion })?.keepAliveTimeout;

    it('uses the bundled version when a Gemfile.lock says', () => {
      expect(puma({ version: '7.0.1', origin: 'Gemfile.lock:12' })).toEqual({
        value: 65000,
        basis: 'default',
        evidence: "Puma 7.0.1's default (65s; Gemfile.lock:12)",
      });
      expect(puma({ version: '6.4.2', origin: 'Gemfile.lock:12' })).toMatchObject({ value: 20000, basis: 'default' });
    });

    it('says the default depends on the version when none is known', () => {
      expect(puma(null)).toMatchObject({ value: 20000, basis: 'default' });
      expect(puma(null)?.evidence).toContain('depends on its version (20s up to 6.x, 65s from 7.0.0');
    });

    it('reads PUMA_PERSISTENT_TIMEOUT, which Puma reads from 7.0.0 on', () => {
      expect(puma(null, { PUMA_PERSISTENT_TIMEOUT: '30' })).toMatchObject({ value: 30000, basis: 'flag' });
      expect(puma({ version: '6.4.2', origin: 'Gemfile.lock:3' }, { PUMA_PERSISTENT_TIMEOUT: '30' })).toMatchObject({ value: 20000 });
    });

    it('finds the locked version under specs, not the requirement under DEPENDENCIES', () => {
      const lock = [
        'GEM',
        '  remote: https://rubygems.org/',
        '  specs:',
        '    nio4r (2.7.3)',
        '    puma (7.0.1)',
        '      nio4r (~> 2.0)',
        '',
        'DEPENDENCIES',
        '  puma (>= 5.0)',
        '',
      ].join('\n');
      expect(lockedGemVersion(lock, 'puma')).toEqual({ version: '7.0.1', line: 5 });
      expect(lockedGemVersion('DEPENDENCIES\n  puma (>= 5.0)\n', 'puma')).toBeNull();
    });
  });

  it("knows which servers listen on their container's 127.0.0.1 only, by default or as written", () => {
    const loopback = (command: string, environment: Record<string, string> = {}) =>
      inferAppServer({ image: 'python:3.12', words: command.split(' '), environment })?.loopbackOnly;
    expect(loopback('uvicorn app:app')).toBe("uvicorn's default --host 127.0.0.1");
    expect(loopback('uvicorn app:app --host localhost')).toBe('--host localhost');
    expect(loopback('uvicorn app:app', { UVICORN_HOST: '127.0.0.1' })).toBe('UVICORN_HOST=127.0.0.1');
    expect(loopback('uvicorn app:app --host 0.0.0.0')).toBeUndefined();
    expect(loopback('uvicorn app:app --fd 3')).toBeUndefined();
    expect(loopback('python manage.py runserver')).toBe("runserver's default address 127.0.0.1");
    expect(loopback('python manage.py runserver -6')).toBe("runserver's default address ::1");
    expect(loopback('./manage.py runserver [::1]:8000')).toBe('runserver [::1]:8000');
    expect(loopback('django-admin runserver 0.0.0.0:8000')).toBeUndefined();
    expect(loopback('flask run')).toBe("flask run's default --host 127.0.0.1");
    expect(loopback('flask run -h 0.0.0.0')).toBeUndefined();
    expect(loopback('flask run', { FLASK_RUN_HOST: '0.0.0.0' })).toBeUndefined();
    expect(loopback('php artisan serve --host=0.0.0.0')).toBeUndefined();
    expect(loopback('hypercorn app:app')).toBe("hypercorn's default --bind 127.0.0.1:8000");
    expect(loopback('hypercorn -b 127.0.0.1:8000 -b [::1]:8000 app:app')).toBe('-b 127.0.0.1:8000 -b [::1]:8000');
    expect(loopback('hypercorn -b 127.0.0.1:8000 -b 0.0.0.0:8001 app:app')).toBeUndefined();
    expect(loopback('gunicorn app:app')).toBeUndefined();
    expect(loopback('gunicorn -b unix:/run/app.sock -b 127.0.0.1:8000 app:app')).toBe('-b 127.0.0.1:8000');
    // The development servers' ports, where written.
    expect(inferAppServer({ image: null, words: ['python', 'manage.py', 'runserver', '0:8001'], environment: {} })?.port?.value).toBe(8001);
    expect(inferAppServer({ image: null, words: ['flask', 'run'], environment: { FLASK_RUN_PORT: '5001' } })?.port?.value).toBe(5001);
  });

  it('knows images that run a server with no command: node, httpd, php:*-apache', () => {
    expect(inferAppServer({ image: 'node:22', words: [], environment: {} })?.server).toBe('Node.js');
    expect(inferAppServer({ image: 'httpd:2.4-alpine', words: [], environment: {} })?.keepAliveTimeout?.value).toBe(5000);
    expect(inferAppServer({ image: 'php:8.3-apache', words: [], environment: {} })?.server).toBe('Apache httpd');
  });

  it("knows PHP-FPM's port 9000 in the php:*-fpm image and the official fpm images built on it, only while the image runs as it is", () => {
    const fpm = { image: 'php:8.3-fpm-alpine', words: [], environment: {} };
    expect(inferAppServer(fpm)).toEqual({
      server: 'PHP-FPM',
      keepAliveTimeout: null,
      port: { value: 9000, evidence: "PHP-FPM's listen = 9000 in the php:*-fpm image", basis: 'default' },
    });
    expect(inferAppServer({ ...fpm, words: ['php-fpm', '-F'] })?.port?.value).toBe(9000);
    expect(inferAppServer({ ...fpm, words: ['docker-php-entrypoint', 'php-fpm'] })?.port?.value).toBe(9000);
    expect(inferAppServer({ ...fpm, mountTargets: ['/var/www/html', '/usr/local/etc/php/conf.d/app.ini'] })?.port?.value).toBe(9000);
    // What may change `listen`: the image's pool configuration mounted over, a build of its own, a script first.
    expect(inferAppServer({ ...fpm, mountTargets: ['/usr/local/etc/php-fpm.d/www.conf'] })).toBeNull();
    expect(inferAppServer({ ...fpm, mountTargets: ['/usr/local/etc/php-fpm.d'] })).toBeNull();
    expect(inferAppServer({ ...fpm, mountTargets: ['/usr/local/etc/'] })).toBeNull();
    expect(inferAppServer({ ...fpm, builds: true })).toBeNull();
    // A build whose Dockerfile is read keeps the port unless a step may touch PHP-FPM's configuration.
    const built = (runs: string[], copiedTo: string[]) => inferAppServer({ ...fpm, builds: true, buildSteps: { runs, copiedTo } })?.port?.value;
    expect(built(['docker-php-ext-install intl pdo_mysql'], ['/usr/bin/composer', '/usr/local/etc/php/php.ini', '/workspace'])).toBe(9000);
    expect(built(['sed -i "s/user = www-data/user = app/g" /usr/local/etc/php-fpm.d/www.conf'], [])).toBeUndefined();
    expect(built(["echo 'listen = 9001' >> /usr/local/etc/zz.conf"], [])).toBeUndefined();
    expect(built([], ['/usr/local/etc/php-fpm.d/zz-app.conf'])).toBeUndefined();
    expect(built([], ['/'])).toBeUndefined();
    expect(built([], ['/usr/local'])).toBeUndefined();
    expect(inferAppServer({ ...fpm, words: ['sh', '-c', 'sed -i s/9000/8000/ /usr/local/etc/php-fpm.d/zz-docker.conf && php-fpm'] })).toBeNull();
    expect(inferAppServer({ ...fpm, words: ['docker-php-entrypoint', 'sh', '/start.sh'] })).toBeNull();
    // The official images' fpm variants of PHP applications are built FROM php:*-fpm and keep its zz-docker.conf.
    expect(inferAppServer({ image: 'nextcloud:29-fpm-alpine', words: [], environment: {} })?.port).toEqual({
      value: 9000,
      evidence: "PHP-FPM's listen = 9000 in the nextcloud:*fpm* image, built FROM php:*-fpm",
      basis: 'default',
    });
    expect(inferAppServer({ image: 'docker.io/library/wordpress:6-fpm', words: [], environment: {} })?.port?.value).toBe(9000);
    expect(inferAppServer({ image: 'nextcloud:29-apache', words: [], environment: {} })).toBeNull();
    // Other PHP images run other servers.
    expect(inferAppServer({ image: 'php:8.3-cli', words: [], environment: {} })).toBeNull();
    expect(inferAppServer({ image: 'bitnami/php-fpm:8.3', words: [], environment: {} })).toBeNull();
  });

  it("knows MinIO's object server: Go's IdleTimeout, 30 s unless --idle-timeout or MINIO_IDLE_TIMEOUT says", () => {
    const image = 'quay.io/minio/minio:RELEASE.2025-09-06T17-38-46Z';
    expect(inferAppServer(spec('server --console-address ":9001" http://minio{1...4}/data{1...2}', image))).toEqual({
      server: 'MinIO',
      keepAliveTimeout: { value: 30000, evidence: "MinIO's default (30s)", basis: 'default' },
      port: null,
    });
    expect(inferAppServer(spec('minio server /data --idle-timeout 1m30s', 'alpine:3.23'))?.keepAliveTimeout).toMatchObject({
      value: 90000,
      basis: 'flag',
    });
    expect(inferAppServer(spec('server /data', 'minio/minio', { MINIO_IDLE_TIMEOUT: '45s' }))?.keepAliveTimeout?.value).toBe(45000);
    // The minio image's other commands (`minio gateway`, help) and another image's `server` serve nothing known.
    expect(inferAppServer(spec('gateway nas /data', 'minio/minio'))).toBeNull();
    expect(inferAppServer(spec('server /data', 'alpine:3.23'))).toBeNull();
  });

  describe("gunicorn's config file (-c/--config): its literal settings, the environment's values filled in", () => {
    // archivematica's dashboard.gunicorn-config.py, the image's ENV AM_GUNICORN_BIND=0.0.0.0:8000 filling in the bind.
    const config = [
      'import os',
      'bind = os.environ.get("AM_GUNICORN_BIND", "127.0.0.1:8002")',
      'workers = os.environ.get("AM_GUNICORN_WORKERS", "3")',
      'worker_class = os.environ.get("AM_GUNICORN_WORKER_CLASS", "gevent")  # a comment',
      'timeout = os.environ.get("AM_GUNICORN_TIMEOUT", "172800")',
    ].join('\n');
    const readFile = (text: string) => (file: string) => (file === '/src/gunicorn-config.py' ? { text, name: 'install/gunicorn-config.py' } : null);
    const gunicorn = (command: string, text: string, environment: Record<string, string> = {}) =>
      inferAppServer({ ...spec(command, null, environment), readFile: readFile(text) });

    it('reads bind, worker_class and keepalive from the file the command names', () => {
      const inferred = gunicorn('python3 -m gunicorn --config=/src/gunicorn-config.py wsgi:application', config, {
        AM_GUNICORN_BIND: '0.0.0.0:8000',
      });
      expect(inferred?.server).toBe('gunicorn (gevent worker)');
      expect(inferred?.port).toMatchObject({ value: 8000, evidence: 'install/gunicorn-config.py:2 bind = 0.0.0.0:8000' });
      expect(inferred?.keepAliveTimeout).toMatchObject({ value: 2000, basis: 'default' });
      expect(inferred?.closesConnections).toBeUndefined();
      // The default of os.environ.get when the container does not set the variable; a list binds each address.
      expect(gunicorn('gunicorn -c /src/gunicorn-config.py app', config)?.port?.value).toBe(8002);
      const listed = gunicorn('gunicorn -c /src/gunicorn-config.py app', 'bind = ["0.0.0.0:8000", "[::]:8001"]\nkeepalive = 30');
      expect([listed?.port?.value, ...(listed?.otherPorts ?? []).map((port) => port.value)]).toEqual([8000, 8001]);
      expect(listed?.closesConnections).toMatch(/sync/);
    });

    it('lets the command line win over the file', () => {
      const inferred = gunicorn('gunicorn -c /src/gunicorn-config.py -b :9000 -k gthread --keep-alive 7 app', config);
      expect(inferred?.port?.value).toBe(9000);
      expect(inferred?.server).toBe('gunicorn (gthread worker)');
      expect(inferred?.keepAliveTimeout).toMatchObject({ value: 7000, basis: 'flag' });
    });

    it('claims nothing the file sets in a way not read here, nor anything from a file it cannot read', () => {
      const computed = gunicorn('gunicorn -c /src/gunicorn-config.py app', 'bind = f"0.0.0.0:{PORT}"\nworker_class = pick()');
      expect(computed?.port).toBeNull();
      expect(computed?.closesConnections).toBeUndefined();
      expect(computed?.keepAliveTimeout).toBeNull();
      const unread = gunicorn('gunicorn -c python:settings.gunicorn app', config);
      expect([unread?.port, unread?.keepAliveTimeout, unread?.closesConnections]).toEqual([null, null, undefined]);
    });
  });

  describe('uWSGI: every address it binds, or none when one may come from where nginx-lint does not look', () => {
    const ports = (inferred: ReturnType<typeof inferAppServer>) =>
      inferred?.port ? [inferred.port, ...(inferred.otherPorts ?? [])].map((port) => [port.value, port.evidence]) : [];

    it.each([
      ['uwsgi --http :8000 --module app:app --master', [[8000, '--http :8000']]],
      [
        'uwsgi --http-socket=0.0.0.0:8080 --socket :3031 --stats 127.0.0.1:9191',
        [
          [8080, '--http-socket=0.0.0.0:8080'],
          [3031, '--socket :3031'],
          [9191, '--stats 127.0.0.1:9191'],
        ],
      ],
      [
        'uwsgi -s [::]:3031 --https :8443,cert.pem,key.pem',
        [
          [3031, '-s [::]:3031'],
          [8443, '--https :8443'],
        ],
      ],
    ])('%s', (command, expected) => {
      const inferred = inferAppServer(spec(command));
      expect(inferred?.server).toBe('uWSGI');
      expect(ports(inferred)).toEqual(expected);
      // uWSGI's idle timeout depends on its socket type and options: none is assumed.
      expect(inferred?.keepAliveTimeout).toBeNull();
    });

    it('reads the [uwsgi] section (or the one named) of the ini file --ini names, where the container has it', () => {
      const readFile = (file: string) =>
        file === '/app/uwsgi.ini'
          ? {
              name: 'docker/uwsgi.ini',
              text: '[uwsgi]\n; a comment\nmodule = app:app\nhttp-socket = :8000\nsocket = /tmp/uwsgi.sock\n[prod]\nsocket = :3031\n',
            }
          : null;
      const inferred = inferAppServer({ ...spec('uwsgi --ini /app/uwsgi.ini --stats :9191'), readFile });
      expect(ports(inferred)).toEqual([
        [8000, 'docker/uwsgi.ini:4 http-socket = :8000'],
        [9191, '--stats :9191'],
      ]);
      expect(inferred?.sockets).toEqual([{ path: '/tmp/uwsgi.sock', evidence: 'docker/uwsgi.ini:5 socket = /tmp/uwsgi.sock' }]);
      expect(ports(inferAppServer({ ...spec('uwsgi --ini /app/uwsgi.ini:prod'), readFile }))).toEqual([[3031, 'docker/uwsgi.ini:7 socket = :3031']]);
    });

    it.each([
      // Another configuration source: an ini file the repository does not hold there, a file uWSGI loads by its name,
      // YAML, an Emperor, a UWSGI_* variable (uWSGI reads every option from one).
      ['uwsgi --ini /etc/uwsgi/app.ini --http :8000', {}],
      ['uwsgi --master app.ini', {}],
      ['uwsgi --yaml /app/uwsgi.yml --http :8000', {}],
      ['uwsgi --emperor /etc/uwsgi/vassals --http :8000', {}],
      ['uwsgi --http :8000', { UWSGI_SOCKET: ':3031' }],
      // A value nginx-lint cannot read, a router's other listeners, a socket handed on by number, nothing bound.
      ['uwsgi --http $HTTP_ADDRESS', {}],
      ['uwsgi --http :8000 --fastrouter :3017', {}],
      ['uwsgi --shared-socket :80 --http =0', {}],
      ['uwsgi --module app:app', {}],
    ])('%s: no port', (command, environment) => {
      const inferred = inferAppServer(spec(command, null, environment));
      expect(inferred?.server).toBe('uWSGI');
      expect(inferred?.port).toBeNull();
    });

    it('knows no port of an ini file whose listeners use placeholders, magic variables or conditional blocks', () => {
      for (const text of [
        '[uwsgi]\nhttp-socket = :%(port)\n',
        '[uwsgi]\nchdir = %d\nhttp = :8000\nsocket = /run/%n.sock\n',
        '[uwsgi]\nif-env = PORT\nhttp = :%(_)\nendif =\n',
      ]) {
        const readFile = () => ({ name: 'uwsgi.ini', text });
        expect(inferAppServer({ ...spec('uwsgi --ini /app/uwsgi.ini'), readFile })?.port).toBeNull();
      }
    });

    it("reads an ini file's literal options beside ones with placeholders (IntelOwl's chdir = %(base)), harakiri among them", () => {
      const text = '[uwsgi]\nbase = /opt/app\nchdir = %(base)\nsocket = 0.0.0.0:8001\nharakiri = 300\n';
      const inferred = inferAppServer({ ...spec('uwsgi --ini /etc/uwsgi/app.ini'), readFile: () => ({ name: 'app.ini', text }) });
      expect(inferred?.port).toEqual({ value: 8001, evidence: 'app.ini:4 socket = 0.0.0.0:8001', basis: 'flag' });
      expect(inferred?.requestTimeout).toEqual({ value: 300_000, evidence: 'app.ini:5 harakiri = 300', basis: 'flag' });
      // The last harakiri given wins; 0 turns it off.
      expect(inferAppServer(spec('uwsgi --socket :8001 --harakiri 60 --harakiri 0'))?.requestTimeout).toBeUndefined();
      expect(inferAppServer(spec('uwsgi --socket :8001 --harakiri=45'))?.requestTimeout?.value).toBe(45_000);
    });
  });

  describe("PHP-FPM as a program of its own: its pools' listen, from the configuration files the repository puts where it reads them", () => {
    const container = (files: Record<string, string>): Pick<ProcessSpec, 'readFile' | 'listFiles'> => ({
      readFile: (file) => (file in files ? { text: files[file]!, name: file.split('/').pop()! } : null),
      listFiles: (folder) => Object.keys(files).flatMap((file) => (file.startsWith(`${folder}/`) ? [file.slice(folder.length + 1)] : [])),
    });
    const listening = (command: string, files: Record<string, string>) => {
      const inferred = inferAppServer({ ...spec(command), ...container(files) });
      return inferred === null
        ? null
        : {
            server: inferred.server,
            ports: inferred.port ? [inferred.port, ...(inferred.otherPorts ?? [])].map((port) => [port.value, port.evidence]) : [],
            sockets: inferred.sockets?.map((socket) => socket.path) ?? [],
          };
    };

    it("reads every pool of the package's pool folder when the repository replaces its www.conf (TrafeX/docker-php-nginx)", () => {
      const files = {
        '/etc/php85/php-fpm.d/www.conf': '[global]\nerror_log = /dev/stderr\n[www]\nlisten = /run/php-fpm.sock\npm = ondemand\n',
        '/etc/php85/php-fpm.d/api.conf': '[api]\n; listen = 9000\nlisten = 127.0.0.1:9001\n',
      };
      expect(listening('php-fpm85 -F', files)).toEqual({
        server: 'PHP-FPM',
        ports: [[9001, 'api.conf:3 listen = 127.0.0.1:9001']],
        sockets: ['/run/php-fpm.sock'],
      });
      // Debian's package reads pool.d; the last listen given for a pool wins, as PHP-FPM reads its includes in order.
      const debian = {
        '/etc/php/8.2/fpm/pool.d/www.conf': '[www]\nlisten = /run/php/php8.2-fpm.sock\n',
        '/etc/php/8.2/fpm/pool.d/zz.conf': '[www]\nlisten = 9000\n',
      };
      expect(listening('/usr/sbin/php-fpm8.2 --nodaemonize', debian)?.ports).toEqual([[9000, 'zz.conf:2 listen = 9000']]);
    });

    it("reads the php-fpm.conf the repository puts in place of the package's, and the file -y names (pterodactyl/panel)", () => {
      const pterodactyl = { '/usr/local/etc/php-fpm.conf': '[www]\nuser = nginx\nlisten = 127.0.0.1:9000\n' };
      expect(listening('/usr/local/sbin/php-fpm -F', pterodactyl)?.ports).toEqual([[9000, 'php-fpm.conf:3 listen = 127.0.0.1:9000']]);
      const custom = { '/app/fpm.conf': '[global]\ninclude = /app/pools/*.conf\n', '/app/pools/a.conf': '[a]\nlisten = [::]:9002\n' };
      expect(listening('php-fpm83 -F -y /app/fpm.conf', custom)?.ports).toEqual([[9002, 'a.conf:2 listen = [::]:9002']]);
    });

    it("reads a lone pool's request_terminate_timeout, the time a child may work on one request", () => {
      const terminated = (files: Record<string, string>) => inferAppServer({ ...spec('php-fpm83 -F'), ...container(files) })?.requestTimeout;
      expect(terminated({ '/etc/php83/php-fpm.d/www.conf': '[www]\nlisten = 9000\nrequest_terminate_timeout = 2m\n' })).toEqual({
        value: 120_000,
        evidence: 'www.conf:3 request_terminate_timeout = 2m',
        basis: 'flag',
      });
      // 0 (the default) turns it off; with several pools, which one nginx reaches is the port's.
      expect(terminated({ '/etc/php83/php-fpm.d/www.conf': '[www]\nlisten = 9000\nrequest_terminate_timeout = 0\n' })).toBeUndefined();
      const twoPools = {
        '/etc/php83/php-fpm.d/www.conf': '[www]\nlisten = 9000\nrequest_terminate_timeout = 30\n',
        '/etc/php83/php-fpm.d/slow.conf': '[slow]\nlisten = 9001\n',
      };
      expect(terminated(twoPools)).toBeUndefined();
    });

    it("knows nothing when a file it reads is not the repository's, a pool has no listen, or a value holds a variable", () => {
      // The package's www.conf is left in place beside the repository's pool: PHP-FPM reads it too.
      expect(listening('php-fpm83 -F', { '/etc/php83/php-fpm.d/app.conf': '[app]\nlisten = 9001\n' })).toBeNull();
      // The official image's docker.conf and zz-docker.conf (listen = 9000) are left in place.
      expect(listening('php-fpm -F', { '/usr/local/etc/php-fpm.d/www.conf': '[www]\nlisten = 9001\n' })).toBeNull();
      expect(listening('php-fpm83 -F', { '/etc/php83/php-fpm.d/www.conf': '[www]\npm = ondemand\n' })).toBeNull();
      expect(listening('php-fpm83 -F', { '/etc/php83/php-fpm.d/www.conf': '[www]\nlisten = ${PHP_FPM_LISTEN}\n' })).toBeNull();
      expect(listening('php-fpm83 -F -y /etc/elsewhere.conf', {})).toBeNull();
    });
  });

  it('knows Anubis answering only auth_request checks (TARGET blank, no PUBLIC_URL) reads no X-Forwarded-Proto', () => {
    const image = 'ghcr.io/techarohq/anubis:latest';
    expect(inferAppServer(spec('', image, { TARGET: ' ', BIND: ':8000' }))?.unreadHeaders?.headers).toEqual(['x-forwarded-proto']);
    expect(inferAppServer(spec('', image, { TARGET: '' }))?.unreadHeaders?.headers).toEqual(['x-forwarded-proto']);
    // It proxies (TARGET unset: http://localhost:3923; or a target) and passes the header on; PUBLIC_URL builds
    // redirect URLs from it; a command or a build of its own may run anything.
    expect(inferAppServer(spec('', image, {}))?.unreadHeaders).toBeUndefined();
    expect(inferAppServer(spec('', image, { TARGET: 'http://web:8000' }))?.unreadHeaders).toBeUndefined();
    expect(inferAppServer(spec('', image, { TARGET: ' ', PUBLIC_URL: 'https://anubis.example.com' }))?.unreadHeaders).toBeUndefined();
    expect(inferAppServer({ ...spec('', image, { TARGET: ' ' }), builds: true })).toBeNull();
    expect(inferAppServer(spec('sh -c ./start.sh', image, { TARGET: ' ' }))).toBeNull();
  });

  it('says nothing about a program it does not know', () => {
    expect(inferAppServer(spec('./bin/server --port 8080', 'golang:1.22'))).toBeNull();
    expect(inferAppServer(spec('java -jar app.jar'))).toBeNull();
  });
});

describe('programsStartedBesideNginx: what a start script runs beside the nginx it starts', () => {
  const run = (script: string, environment: Record<string, string> = {}) =>
    programsStartedBesideNginx(script, environment).map((program) => [program.line, program.words.join(' ')]);

  it.each([
    [
      'nginx daemonizes, then the script execs the app',
      '#!/bin/sh\nnginx\nexec gunicorn -b 127.0.0.1:8000 app:app\n',
      [[3, 'gunicorn -b 127.0.0.1:8000 app:app']],
    ],
    [
      'the app in the background, nginx in the foreground',
      '#!/bin/sh\nuvicorn main:app --port 9000 &\nexec nginx -g "daemon off;"\n',
      [[2, 'uvicorn main:app --port 9000']],
    ],
    ['service nginx start, then the app', 'service nginx start\nexec node server.js\n', [[2, 'node server.js']]],
    [
      "Tube Archivist's run.sh: background jobs, the server last without exec",
      'nginx &\ncelery -A task.celery worker \\\n    --loglevel=$LOGLEVEL &\n./beat_auto_spawn.sh &\npython backend_start.py\n',
      [
        [2, 'celery -A task.celery worker --loglevel=$LOGLEVEL'],
        [4, './beat_auto_spawn.sh'],
        [5, 'python backend_start.py'],
      ],
    ],
    ['the last command a block: its branches run something', 'nginx\nif [ -z "$X" ]; then\n  java -jar app.jar\nfi\n', [[4, 'fi']]],
    ['a background job waited for: nothing else', 'nginx\ngunicorn app:app &\nwait\n', [[2, 'gunicorn app:app']]],
  ])('%s', (_name, script, expected) => {
    expect(run(script)).toEqual(expected);
  });

  it('a script that never starts nginx runs nothing beside it; nginx -t is no start', () => {
    expect(run('#!/bin/sh\nexec gunicorn app:app\n')).toEqual([]);
    expect(run('#!/bin/sh\nnginx -t\nexec gunicorn app:app\n')).toEqual([]);
  });

  it("expands the script's own assignments and the environment in the exec'd command", () => {
    expect(run('PORT=${PORT:-8000}\nnginx\nexec gunicorn -b 127.0.0.1:$PORT app:app\n', {})).toEqual([[3, 'gunicorn -b 127.0.0.1:8000 app:app']]);
  });
});

describe('scriptExec: the server a start script execs in the end', () => {
  const ctfd = [
    '#!/bin/bash',
    'set -euo pipefail',
    '',
    'WORKERS=${WORKERS:-1}',
    'WORKER_CLASS=${WORKER_CLASS:-gevent}',
    'ACCESS_LOG=${ACCESS_LOG:--}',
    'python ping.py',
    'flask db upgrade',
    '# exec flask run (the comment is no command)',
    "exec gunicorn 'CTFd:create_app()' \\",
    "    --bind '0.0.0.0:8000' \\",
    '    --workers $WORKERS \\',
    '    --worker-class "$WORKER_CLASS" \\',
    '    --access-logfile "$ACCESS_LOG"',
    '',
  ].join('\n');

  it("expands the script's defaults, the environment winning over them, and says the line the exec starts on", () => {
    expect(scriptExec(ctfd, { WORKERS: '4' })).toEqual({
      words: ['gunicorn', 'CTFd:create_app()', '--bind', '0.0.0.0:8000', '--workers', '4', '--worker-class', 'gevent', '--access-logfile', '-'],
      line: 10,
    });
    expect(scriptExec(ctfd, { WORKER_CLASS: 'sync' })?.words).toContain('sync');
  });

  it('reads the exec that ends a list (`umask 0 && exec …`), and no exec that only redirects the script', () => {
    const tandoor =
      '#!/bin/sh\nexec >>/var/log/boot.log 2>&1\nGUNICORN_WORKERS="${GUNICORN_WORKERS:-3}"\numask 0 && exec gunicorn --bind unix:/tmp/tandoor.sock --workers $GUNICORN_WORKERS recipes.wsgi\n';
    expect(scriptExec(tandoor, {})).toEqual({ words: ['gunicorn', '--bind', 'unix:/tmp/tandoor.sock', '--workers', '3', 'recipes.wsgi'], line: 4 });
    expect(scriptExec('#!/bin/sh\ncd /app; exec uvicorn main:app --port 80\n', {})?.words).toEqual(['uvicorn', 'main:app', '--port', '80']);
  });

  it('says where the script leaves another process running beside the server: a daemon it starts, a background job', () => {
    const besides = (line: string) => scriptExec(`#!/bin/sh\necho "Starting nginx"\nnginx -t\n${line}\nexec gunicorn app\n`, {})?.besides ?? null;
    expect(besides("nginx -g 'pid /tmp/nginx.pid;'")).toEqual({ line: 4, text: "nginx -g 'pid /tmp/nginx.pid;'" });
    expect(besides('/usr/sbin/php-fpm8.2')?.line).toBe(4);
    expect(besides('celery -A app worker &')?.line).toBe(4);
    expect(besides('service cron start')?.line).toBe(4);
    expect(besides('gunicorn -D admin:app')?.line).toBe(4);
    // Commands that end before the exec: a check of nginx's config, an echo naming it, a migration.
    expect(besides('python manage.py migrate && python manage.py collectstatic --noinput')).toBeNull();
    expect(daemonStarted('#!/bin/sh\nnginx\nexec "$@"\n')).toEqual({ line: 2, text: 'nginx' });
  });

  it('says nothing for a script that execs its arguments, or one of several commands', () => {
    expect(scriptExec('#!/bin/sh\nset -e\nexec "$@"\n', {})).toBeNull();
    expect(scriptExec('#!/bin/sh\nif [ "$DEV" ]; then\n  exec flask run\nelse\n  exec gunicorn app\nfi\n', {})).toBeNull();
    expect(scriptExec('#!/bin/sh\ngunicorn app &\nwait\n', {})).toBeNull();
    // An exec that runs only when something fails, or in a branch written on one line, is one of several.
    expect(scriptExec('#!/bin/sh\nflask db upgrade || exec sleep 10\nexec gunicorn app\n', {})).toBeNull();
    expect(scriptExec('#!/bin/sh\nif [ "$DEV" ]; then exec flask run; fi\nexec gunicorn app\n', {})).toBeNull();
  });

  it('unwrapInit: the program an init or a shell runs', () => {
    expect(unwrapInit(['/sbin/tini', '--', '/opt/recipes/boot.sh'])).toEqual(['/opt/recipes/boot.sh']);
    expect(unwrapInit(['tini', '-g', '--', '/start.sh', 'web'])).toEqual(['/start.sh', 'web']);
    expect(unwrapInit(['/usr/bin/dumb-init', '/app/run.sh'])).toEqual(['/app/run.sh']);
    expect(unwrapInit(['sh', '/app/start.sh'])).toEqual(['/app/start.sh']);
    expect(unwrapInit(['sh', '-c', 'gunicorn app'])).toEqual(['sh', '-c', 'gunicorn app']);
    expect(unwrapInit(['/docker-entrypoint.sh', 'nginx'])).toEqual(['/docker-entrypoint.sh', 'nginx']);
  });
});

describe('everyAddressPortsOf: a Go server told to listen on a port at every address', () => {
  it.each([
    // sameersbn/docker-gitlab's supervisord programs.
    ['/usr/local/bin/gitlab-pages -pages-root /srv/pages -listen-proxy :8090 -config /etc/pages', [8090]],
    ['/usr/local/bin/gitlab-workhorse -listenUmask 0 -listenNetwork tcp -listenAddr ":8181"', [8181]],
    ['gitlab-pages -listen-proxy=[::]:8090 --listen-http :80', [8090, 80]],
    // A host binds one address family; a Unix socket is no port; the flag of another program says nothing.
    ['gitlab-pages -listen-proxy 0.0.0.0:8090', []],
    ['gitlab-pages -listen-proxy 127.0.0.1:8090', []],
    ['gitlab-workhorse -listenNetwork unix -listenAddr /run/workhorse.sock', []],
    ['uwsgi --http-socket :8090', []],
    ['gitlab-pages -listen-proxy $PAGES_ADDRESS', []],
  ])('%s', (command, ports) => {
    expect(everyAddressPortsOf(commandWords(command)).map((listen) => listen.port)).toEqual(ports);
  });
});
