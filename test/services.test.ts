import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { interpolate } from '../src/context/compose-variables.js';
import { findComposeVariants, isProductionVariant } from '../src/context/discovery.js';
import { loadServiceCatalog, ServiceFactsError } from '../src/context/index.js';
import type { Fact, ServiceCatalog, ServiceFacts } from '../src/context/index.js';

const FIXTURES = fileURLToPath(new URL('fixtures/services/', import.meta.url));
const temporaryDirectories: string[] = [];

afterAll(() => {
  for (const directory of temporaryDirectories) rmSync(directory, { recursive: true, force: true });
});

/** Writes `files` (path → content; a path ending in `/` makes a directory) under a fresh temporary directory. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'nginx-lint-services-'));
  temporaryDirectories.push(root);
  for (const [name, content] of Object.entries(files)) {
    const target = path.join(root, name);
    if (name.endsWith('/')) {
      mkdirSync(target, { recursive: true });
    } else {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, content);
    }
  }
  return root;
}

/** Loads a fixture folder as if the nginx config lived there; the folder is its own repository root. */
function fixtureCatalog(folder: string, serviceFiles?: string[]): ServiceCatalog {
  const directory = path.join(FIXTURES, folder);
  return loadServiceCatalog({ nginxConfigDir: directory, repoRoot: directory, configDir: directory, serviceFiles });
}

function service(catalog: ServiceCatalog, name: string): ServiceFacts {
  const found = catalog.get(name);
  if (!found) throw new Error(`no service ${name} in ${catalog.services.map((each) => each.name).join(', ')}`);
  return found;
}

/** `value @ label`: a fact and where it came from, in one comparable string. */
function located(fact: Fact<unknown> | null): string | null {
  return fact && `${String(fact.value)} @ ${fact.origin.label}`;
}

describe('Compose files', () => {
  const catalog = fixtureCatalog('compose');

  it('reads each service with the line of its key', () => {
    expect(catalog.services.map((each) => `${each.name} @ ${each.origin.label}`)).toEqual([
      'api @ compose.yaml:7',
      'worker @ compose.yaml:35',
      'configured @ compose.yaml:39',
    ]);
  });

  it('takes hosts from the name, container_name, hostname and network aliases', () => {
    expect(service(catalog, 'api').hosts.map(located)).toEqual([
      'api @ compose.yaml:7',
      'api-container @ compose.yaml:9',
      'api-host @ compose.yaml:10',
      'api.internal @ compose.yaml:14',
      'legacy-api @ compose.yaml:15',
    ]);
  });

  it('takes the container side of every ports and expose spelling', () => {
    const ports = service(catalog, 'api').ports.map((port) => ({
      text: port.text,
      first: port.value,
      last: port.lastPort,
      protocol: port.protocol,
      published: port.published,
      line: port.origin.line,
    }));
    expect(ports).toEqual([
      { text: '9000:9001', first: 9001, last: 9001, protocol: 'tcp', published: '9000', line: 18 },
      { text: '127.0.0.1:8080:80/tcp', first: 80, last: 80, protocol: 'tcp', published: '8080', line: 19 },
      { text: '[::1]:6001:6002', first: 6002, last: 6002, protocol: 'tcp', published: '6001', line: 20 },
      { text: '3000', first: 3000, last: 3000, protocol: 'tcp', published: null, line: 21 },
      { text: '4000-4002', first: 4000, last: 4002, protocol: 'tcp', published: null, line: 22 },
      { text: '5353:53/udp', first: 53, last: 53, protocol: 'udp', published: '5353', line: 23 },
      { text: '443:8443/tcp', first: 8443, last: 8443, protocol: 'tcp', published: '443', line: 24 },
      { text: '7000', first: 7000, last: 7000, protocol: 'tcp', published: null, line: 28 },
      { text: '7100-7101', first: 7100, last: 7101, protocol: 'tcp', published: null, line: 29 },
    ]);
  });

  it('reads x-nginx-lint facts in milliseconds and bytes', () => {
    const api = service(catalog, 'api');
    expect([api.p99, api.keepAliveTimeout, api.maxResponseHeaderSize].map(located)).toEqual([
      '2500 @ compose.yaml:31',
      '5000 @ compose.yaml:32',
      '16384 @ compose.yaml:33',
    ]);
    expect(api.p99?.text).toBe('2.5s');
  });

  it('follows `<<` merge keys to the anchored definition', () => {
    expect(service(catalog, 'worker').ports.map(located)).toEqual(['7000 @ compose.yaml:4']);
  });

  it('keeps ports hidden behind variables apart, and reports ports that make no sense', () => {
    const configured = service(catalog, 'configured');
    expect(configured.ports.map(located)).toEqual(['3000 @ compose.yaml:41']);
    expect(configured.unresolvedPorts.map(located)).toEqual(['8081:${APP_PORT} @ compose.yaml:42']);
    expect(configured.p99).toBeNull();
    expect(catalog.errors.map((error) => error.message)).toEqual([
      'compose.yaml:43: "not-a-port" is not a port mapping such as "8080:80" or "3000"',
      'compose.yaml:45: x-nginx-lint.p99 "slow" is not a duration with a unit, such as "2.5s" or "800ms"',
    ]);
  });
});

describe('a Compose service built from a Dockerfile', () => {
  it("inherits what the stages it is built on leave in the image: PHP-FPM's port of php:*-fpm under `FROM base`", () => {
    const root = tree({
      '.git/': '',
      'compose.yaml': 'services:\n  app:\n    build:\n      context: .\n      dockerfile: ./php/Dockerfile\n',
      'php/Dockerfile': [
        'FROM php:8.4-fpm-bullseye AS base',
        'WORKDIR /workspace',
        'ENV TZ=UTC',
        'RUN docker-php-ext-install intl pdo_mysql',
        'FROM base AS development',
        'COPY ./php/php.ini /usr/local/etc/php/php.ini',
        '',
      ].join('\n'),
    });
    const app = service(loadServiceCatalog({ nginxConfigDir: root, repoRoot: root }), 'app');
    expect(app.server).toBe('PHP-FPM');
    expect(app.ports.map((port) => port.value)).toEqual([9000]);
  });

  it('runs the CMD a stage it is built on sets', () => {
    const root = tree({
      '.git/': '',
      'compose.yaml': 'services:\n  api:\n    build: .\n',
      Dockerfile: 'FROM python:3.13-slim AS base\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\nFROM base AS production\nCOPY . /app\n',
    });
    const api = service(loadServiceCatalog({ nginxConfigDir: root, repoRoot: root }), 'api');
    expect(api.ports.map((port) => port.value)).toEqual([8000]);
    expect(api.server).toBe('gunicorn (sync worker)');
  });

  it('reads the stage `build.target` names, interpolated as Compose does, not the last one', () => {
    const root = tree({
      '.git/': '',
      'compose.yaml':
        'services:\n  php:\n    build:\n      context: .\n      target: ${PHP_TARGET:-app_php}\n  web:\n    build:\n      context: .\n      target: app_web\n',
      Dockerfile: 'FROM php:8.3-fpm-alpine AS app_php\nCMD ["php-fpm"]\nFROM nginx:1.27-alpine AS app_web\nCOPY default.conf /etc/nginx/conf.d/\n',
    });
    const catalog = loadServiceCatalog({ nginxConfigDir: root, repoRoot: root });
    expect(service(catalog, 'php').ports.map((port) => port.value)).toEqual([9000]);
    expect(service(catalog, 'web').server).toBeUndefined();
  });

  it("knows no port when a step of the build may change PHP-FPM's listen", () => {
    const root = tree({
      '.git/': '',
      'compose.yaml': 'services:\n  app:\n    build: .\n',
      Dockerfile: 'FROM php:8.4-fpm AS base\nRUN sed -i "s/9000/9001/" /usr/local/etc/php-fpm.d/zz-docker.conf\nFROM base\n',
    });
    expect(service(loadServiceCatalog({ nginxConfigDir: root, repoRoot: root }), 'app').ports).toEqual([]);
  });
});

describe('Kubernetes manifests', () => {
  const catalog = fixtureCatalog('k8s', ['*.yaml']);

  it('reads every Service of a multi-document file, and only Services', () => {
    expect(catalog.services.map((each) => each.name)).toEqual(['orders', 'payments', 'search', 'legacy']);
    expect(catalog.errors).toEqual([]);
  });

  it('answers to the short and the qualified names of the namespace', () => {
    expect(service(catalog, 'orders').hosts.map(located)).toEqual([
      'orders @ manifests.yaml:4',
      'orders.shop @ manifests.yaml:4',
      'orders.shop.svc @ manifests.yaml:4',
      'orders.shop.svc.cluster.local @ manifests.yaml:4',
    ]);
    expect(service(catalog, 'payments').hosts.map((host) => host.value)).toContain('payments.default.svc');
  });

  it('listens on the Service port, not the targetPort', () => {
    expect(service(catalog, 'orders').ports.map(located)).toEqual(['80 @ manifests.yaml:14']);
    expect(service(catalog, 'payments').ports.map((port) => `${port.value}/${port.protocol}`)).toEqual(['8443/tcp', '9090/udp']);
  });

  it('uses the pods’ port for a headless Service, which has no proxy in between', () => {
    const search = service(catalog, 'search');
    expect(search.ports.map(located)).toEqual(['9200 @ manifests.yaml:44']);
    expect(search.unresolvedPorts.map(located)).toEqual(['transport @ manifests.yaml:46']);
  });

  it('knows no ports for an ExternalName Service inside a List', () => {
    expect(service(catalog, 'legacy').ports).toEqual([]);
  });

  it('reports ports and annotations that make no sense', () => {
    const root = tree({
      '.git/': '',
      'service.yaml': [
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: broken',
        '  annotations:',
        '    nginx-lint/p99: fast',
        'spec:',
        '  ports:',
        '    - port: http',
        '',
      ].join('\n'),
    });
    const broken = loadServiceCatalog({ nginxConfigDir: root, configDir: root, serviceFiles: ['service.yaml'] });
    expect(broken.errors.map((error) => error.message)).toEqual([
      'service.yaml:9: Service port "http" is not a port',
      'service.yaml:6: annotation nginx-lint/p99 "fast" is not a duration with a unit, such as "2.5s" or "800ms"',
    ]);
  });

  it('reads nginx-lint/ annotations', () => {
    const orders = service(catalog, 'orders');
    expect([orders.p99, orders.keepAliveTimeout].map(located)).toEqual(['1500 @ manifests.yaml:7', '65000 @ manifests.yaml:8']);
  });
});

describe('Puma behind Compose: the Gemfile.lock of its build context says which default applies', () => {
  it('65 s from Puma 7.0.0, with the lock file as the source', () => {
    const root = tree({
      '.git/': '',
      'compose.yaml': 'services:\n  web:\n    build: ./app\n    command: bundle exec puma -C config/puma.rb\n    expose: ["3000"]\n',
      'app/Gemfile.lock': 'GEM\n  remote: https://rubygems.org/\n  specs:\n    puma (7.0.1)\n      nio4r (~> 2.0)\n',
    });
    const web = service(loadServiceCatalog({ nginxConfigDir: root, repoRoot: root }), 'web');
    expect(web.keepAliveTimeout).toMatchObject({ value: 65000, basis: 'default' });
    expect(web.keepAliveTimeout?.origin.label).toBe("compose.yaml:4 Puma 7.0.1's default (65s; app/Gemfile.lock:4)");
  });

  it('says the default depends on the version when no Gemfile.lock is there', () => {
    const root = tree({ '.git/': '', 'compose.yaml': 'services:\n  web:\n    image: ruby:3.3\n    command: bundle exec rails s\n' });
    const web = service(loadServiceCatalog({ nginxConfigDir: root, repoRoot: root }), 'web');
    expect(web.keepAliveTimeout?.value).toBe(20000);
    expect(web.keepAliveTimeout?.origin.label).toContain('depends on its version');
  });
});

describe("A service built from a Dockerfile: the stage Compose's build.target names, with what it keeps of the stages it is built on", () => {
  // awesome-compose's nginx-flask-mysql: `flask run` whose host and port an earlier stage's ENV sets.
  const DOCKERFILE = [
    'FROM python:3.10-alpine AS builder',
    'WORKDIR /code',
    'ENV FLASK_RUN_PORT 8000',
    'ENV FLASK_RUN_HOST 0.0.0.0',
    'CMD ["flask", "run"]',
    'FROM builder AS dev-envs',
    'RUN apk add git',
    'FROM builder AS local',
    'ENV FLASK_RUN_HOST 127.0.0.1',
    '',
  ].join('\n');
  const built = (target: string | null) =>
    service(
      loadServiceCatalog({
        nginxConfigDir: tree({
          '.git/': '',
          'backend/Dockerfile': DOCKERFILE,
          'compose.yaml': `services:\n  backend:\n    build:\n      context: backend\n${target ? `      target: ${target}\n` : ''}`,
        }),
      }),
      'backend',
    );

  it('a stage built on another keeps its ENV and CMD', () => {
    expect(built('dev-envs').loopbackOnly).toBeUndefined();
    expect(built('dev-envs').ports.map((port) => located(port))).toEqual(['8000 @ backend/Dockerfile:5 FLASK_RUN_PORT=8000']);
  });

  it('a stage built on an earlier one runs on the image at the root of the chain', () => {
    const root = tree({
      '.git/': '',
      'web/Dockerfile': 'FROM node:22-alpine AS base\nWORKDIR /app\nFROM base AS production\nCOPY . .\n',
      'compose.yaml': 'services:\n  web:\n    build: ./web\n',
    });
    // The node image's own command is node: Node.js, with its 5 s keep-alive.
    expect(service(loadServiceCatalog({ nginxConfigDir: root }), 'web').keepAliveTimeout?.value).toBe(5000);
  });

  it("Compose's build args replace an ARG's default; one Compose interpolates is unknown", () => {
    const portOf = (args: string) =>
      service(
        loadServiceCatalog({
          nginxConfigDir: tree({
            '.git/': '',
            'app/Dockerfile': 'ARG APP_PORT=8000\nFROM python:3.12-slim\nARG APP_PORT\nENV PORT=$APP_PORT\nCMD ["gunicorn", "app:app"]\n',
            'compose.yaml': `services:\n  app:\n    build:\n      context: app\n${args}`,
          }),
        }),
        'app',
      ).ports.map((port) => port.value);
    expect(portOf('')).toEqual([8000]);
    expect(portOf('      args:\n        APP_PORT: "9000"\n')).toEqual([9000]);
    expect(portOf('      args: ["APP_PORT=9100"]\n')).toEqual([9100]);
    expect(portOf('      args:\n        APP_PORT: ${PORT_FROM_HOST}\n')).toEqual([]);
  });

  it('the target stage is the one that runs, not the last', () => {
    expect(built('builder').loopbackOnly).toBeUndefined();
    expect(located(built(null).loopbackOnly ?? null)).toBe('true @ backend/Dockerfile:5 FLASK_RUN_HOST=127.0.0.1');
  });
});

describe('Compose builds: the stage built (target, or a FROM a build argument names) and what it inherits', () => {
  // archivematica's hack/Dockerfile: the last stage is `FROM ${TARGET}`, each service picking its stage with
  // `args: { TARGET: … }`; the dashboard's stage builds on `base`, and its gunicorn reads a config file the Compose
  // file mounts from above its own folder (`../:/src`).
  const dockerfile = [
    'ARG TARGET=worker',
    'FROM ubuntu:22.04 AS base',
    'WORKDIR /src',
    'ENV PYTHONUNBUFFERED=1',
    'FROM base AS worker',
    'ENTRYPOINT ["python3", "/src/worker.py"]',
    'FROM base AS dashboard',
    'ENV AM_GUNICORN_BIND=0.0.0.0:8000',
    'ENTRYPOINT ["python3", "-m", "gunicorn", "--config=/src/install/gunicorn-config.py", "wsgi:application"]',
    'FROM base AS tests',
    'FROM ${TARGET}',
  ].join('\n');
  const files = (build: string) => ({
    '.git/': '',
    'hack/Dockerfile': dockerfile,
    'hack/compose.yaml': `services:\n  dashboard:\n    build:\n      context: "../"\n      dockerfile: "hack/Dockerfile"\n${build}    volumes:\n      - "../:/src"\n`,
    'install/gunicorn-config.py': 'bind = os.environ.get("AM_GUNICORN_BIND", "127.0.0.1:8002")\nworker_class = "gevent"\n',
  });

  it.each([
    ['a build argument', '      args:\n        TARGET: "dashboard"\n'],
    ['target', '      target: dashboard\n'],
  ])('reads the entrypoint and environment of the stage %s picks', (_, build) => {
    const root = tree(files(build));
    const dashboard = service(loadServiceCatalog({ nginxConfigDir: path.join(root, 'hack'), repoRoot: root }), 'dashboard');
    expect(dashboard.server).toBe('gunicorn (gevent worker)');
    expect(dashboard.ports.map((port) => port.value)).toEqual([8000]);
    expect(dashboard.ports[0]!.origin.label).toContain('gunicorn-config.py:1 bind = 0.0.0.0:8000');
  });

  it('builds the default stage when no argument is given, and nothing for a target the file does not have', () => {
    const defaultRoot = tree(files(''));
    const worker = service(loadServiceCatalog({ nginxConfigDir: path.join(defaultRoot, 'hack'), repoRoot: defaultRoot }), 'dashboard');
    expect(worker.server).toBeUndefined();
    const missingRoot = tree(files('      target: nope\n'));
    const missing = service(loadServiceCatalog({ nginxConfigDir: path.join(missingRoot, 'hack'), repoRoot: missingRoot }), 'dashboard');
    expect(missing.ports).toEqual([]);
  });
});

describe('Kubernetes: ports of a headless Service come from its pods', () => {
  const manifests = [
    'apiVersion: v1', //  1
    'kind: Service', //  2
    'metadata:', //  3
    '  name: search', //  4
    'spec:', //  5
    '  clusterIP: None', //  6
    '  selector:', //  7
    '    app: search', //  8
    '  ports:', //  9
    '    - port: 9300', // 10
    '      targetPort: transport', // 11
    '    - port: 9999', // 12
    '      targetPort: metrics', // 13
    '---', // 14
    'apiVersion: v1', // 15
    'kind: Service', // 16
    'metadata:', // 17
    '  name: api', // 18
    'spec:', // 19
    '  clusterIP: None', // 20
    '  selector:', // 21
    '    app: api', // 22
    '---', // 23
    'apiVersion: v1', // 24
    'kind: Service', // 25
    'metadata:', // 26
    '  name: worker', // 27
    'spec:', // 28
    '  clusterIP: None', // 29
    '  selector:', // 30
    '    app: worker', // 31
    '---', // 32
    'apiVersion: apps/v1', // 33
    'kind: StatefulSet', // 34
    'metadata:', // 35
    '  name: search', // 36
    'spec:', // 37
    '  template:', // 38
    '    metadata:', // 39
    '      labels:', // 40
    '        app: search', // 41
    '    spec:', // 42
    '      containers:', // 43
    '        - name: search', // 44
    '          image: opensearch:2', // 45
    '          ports:', // 46
    '            - name: transport', // 47
    '              containerPort: 9301', // 48
    '---', // 49
    'apiVersion: apps/v1', // 50
    'kind: Deployment', // 51
    'metadata:', // 52
    '  name: api', // 53
    'spec:', // 54
    '  template:', // 55
    '    metadata:', // 56
    '      labels:', // 57
    '        app: api', // 58
    '    spec:', // 59
    '      containers:', // 60
    '        - name: api', // 61
    '          image: python:3.12', // 62
    '          args: ["uvicorn", "main:app", "--host", "0.0.0.0", "--port", "8000"]', // 63
    '---', // 64
    'apiVersion: apps/v1', // 65
    'kind: Deployment', // 66
    'metadata:', // 67
    '  name: worker', // 68
    'spec:', // 69
    '  template:', // 70
    '    metadata:', // 71
    '      labels:', // 72
    '        app: worker', // 73
    '    spec:', // 74
    '      containers:', // 75
    '        - name: worker', // 76
    '          image: python:3.12', // 77
    '          command: ["gunicorn", "app:app"]', // 78
    '          env:', // 79
    '            - name: PORT', // 80
    '              value: "5000"', // 81
    '          ports:', // 82
    '            - containerPort: 5001', // 83
    '',
  ].join('\n');
  const root = tree({ '.git/': '', 'k8s.yaml': manifests });
  const catalog = loadServiceCatalog({ nginxConfigDir: root, repoRoot: root, configDir: root, serviceFiles: ['k8s.yaml'] });

  it("resolves a named targetPort through the pods' containerPort names; an unknown name stays unresolved", () => {
    const search = service(catalog, 'search');
    expect(search.ports.map(located)).toEqual(['9301 @ k8s.yaml:48 containerPort transport']);
    expect(search.unresolvedPorts.map(located)).toEqual(['metrics @ k8s.yaml:13']);
    expect(catalog.match({ host: 'search', port: 9301 })).toMatchObject({ portKnown: true });
    expect(catalog.match({ host: 'search', port: 9300 })).toMatchObject({ portKnown: false, portMismatch: false });
  });

  it('takes the port from the container args when a headless Service lists none and no container lists containerPorts', () => {
    const api = service(catalog, 'api');
    expect(api.ports.map(located)).toEqual(['8000 @ k8s.yaml:63 --port 8000']);
    expect(api.ports[0]).toMatchObject({ basis: 'flag', origin: { line: 63 } });
    expect(catalog.match({ host: 'api', port: 80 })).toMatchObject({ portMismatch: true });
  });

  it('takes every address the container command binds, not only the first', () => {
    const twoBinds = [
      'apiVersion: v1',
      'kind: Service',
      'metadata: { name: web }',
      'spec: { clusterIP: None, selector: { app: web } }',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: { name: web }',
      'spec:',
      '  template:',
      '    metadata: { labels: { app: web } }',
      '    spec:',
      '      containers:',
      '        - name: web',
      '          image: python:3.12',
      '          command: ["gunicorn", "-b", "0.0.0.0:8000", "-b", "0.0.0.0:8001", "app:app"]',
      '',
    ].join('\n');
    const dir = tree({ '.git/': '', 'k8s.yaml': twoBinds });
    const web = loadServiceCatalog({ nginxConfigDir: dir, repoRoot: dir, configDir: dir, serviceFiles: ['k8s.yaml'] });
    expect(service(web, 'web').ports.map(located)).toEqual(['8000 @ k8s.yaml:16 -b 0.0.0.0:8000', '8001 @ k8s.yaml:16 -b 0.0.0.0:8001']);
    expect(web.match({ host: 'web', port: 8001 })).toMatchObject({ portKnown: true, portMismatch: false });
  });

  it("prefers the containers' containerPorts over what the command says", () => {
    expect(service(catalog, 'worker').ports.map(located)).toEqual(['5001 @ k8s.yaml:83']);
  });

  it("knows from the container's command that gunicorn's sync worker closes every connection", () => {
    const worker = service(catalog, 'worker');
    expect(worker.server).toBe('gunicorn (sync worker)');
    expect(worker.closesConnections).toMatchObject({ value: true, basis: 'flag', origin: { line: 78 } });
    expect(worker.closesConnections?.origin.label).toContain("gunicorn's default sync worker closes every connection");
    expect(service(catalog, 'api').closesConnections).toBeUndefined();
  });

  it('leaves a Service with a cluster IP on its Service port', () => {
    expect(catalog.errors).toEqual([]);
    const proxied = tree({
      '.git/': '',
      'k8s.yaml': manifests.replace(/ {2}clusterIP: None\n/g, ''),
    });
    const viaProxy = loadServiceCatalog({ nginxConfigDir: proxied, repoRoot: proxied, configDir: proxied, serviceFiles: ['k8s.yaml'] });
    expect(service(viaProxy, 'search').ports.map((port) => port.value)).toEqual([9300, 9999]);
    expect(service(viaProxy, 'api').ports).toEqual([]);
  });
});

describe('ServiceCatalog.match', () => {
  const compose = fixtureCatalog('compose');
  const kubernetes = fixtureCatalog('k8s', ['manifests.yaml']);

  it('finds the service by any of its hosts, ignoring case and a trailing dot', () => {
    for (const host of ['api', 'legacy-api', 'API-Container.', 'api.internal']) {
      expect(compose.match({ host, port: 9001 })).toMatchObject({ matchedBy: 'host', portKnown: true });
      expect(compose.match({ host, port: 9001 })?.service.name).toBe('api');
    }
    expect(kubernetes.match({ host: 'orders.shop.svc.cluster.local', port: 80 })?.port?.origin.label).toBe('manifests.yaml:14');
  });

  it('says the port is wrong when nginx uses the published port', () => {
    const match = compose.match({ host: 'api', port: 9000 });
    expect(match).toMatchObject({ portKnown: false, port: null, portMismatch: true });
  });

  it('matches ranges and protocols', () => {
    expect(compose.match({ host: 'api', port: 4001 })?.port?.text).toBe('4000-4002');
    expect(compose.match({ host: 'api', port: 53 })?.portMismatch).toBe(true);
    expect(compose.match({ host: 'api', port: 53, protocol: 'udp' })?.port?.text).toBe('5353:53/udp');
  });

  it('concludes nothing about the port when some ports are unknown', () => {
    expect(compose.match({ host: 'configured', port: 5000 })).toMatchObject({ portKnown: false, portMismatch: false });
    expect(kubernetes.match({ host: 'legacy', port: 443 })).toMatchObject({ portKnown: false, portMismatch: false });
    const headless = kubernetes.match({ host: 'search.shop', port: 80 });
    expect(headless).toMatchObject({ portKnown: false, portMismatch: false });
  });

  it('falls back to the upstream block’s name, after the host', () => {
    expect(compose.match({ host: '10.0.0.5', port: 9001, upstreamName: 'api' })).toMatchObject({
      matchedBy: 'upstream',
      portKnown: true,
    });
    expect(compose.match({ host: 'worker', port: 7000, upstreamName: 'api' })?.service.name).toBe('worker');
  });

  it('returns null for hosts no service answers to', () => {
    expect(compose.match({ host: 'localhost', port: 9000 })).toBeNull();
    expect(compose.match({ host: 'example.com', port: 80, upstreamName: 'backend' })).toBeNull();
  });

  it('lets the port pick among services that share a host', () => {
    const catalog = loadServiceCatalog({
      nginxConfigDir: tree({ '.git/': '' }),
      declared: {
        blue: { hosts: ['app'], port: 3000 },
        green: { hosts: ['app'], port: 4000 },
        canary: { hosts: ['canary'], port: 5000 },
        unknown: { hosts: ['canary'] },
      },
    });
    const green = catalog.match({ host: 'app', port: 4000 });
    expect(green?.service.name).toBe('green');
    expect(green?.alternatives.map((each) => each.name)).toEqual(['blue']);
    expect(catalog.match({ host: 'app', port: 3000 })?.service.name).toBe('blue');
    expect(catalog.match({ host: 'app', port: 5000 })).toMatchObject({ portKnown: false, portMismatch: true });
    // `unknown` states no port, so it may be the one listening on 6000.
    expect(catalog.match({ host: 'canary', port: 6000 })).toMatchObject({ portKnown: false, portMismatch: false });
  });
});

describe('discovery', () => {
  const root = tree({
    'compose.yaml': 'services:\n  outside: {}\n',
    'repo/.git/': '',
    'repo/docker-compose.yml': 'services:\n  top:\n    expose: ["1000"]\n',
    'repo/deploy/compose.yaml': 'services:\n  near:\n    expose: ["2000"]\n',
    'repo/deploy/compose.override.yaml': 'services:\n  near:\n    expose: ["2001"]\n',
    'repo/deploy/docker-compose.yml': 'services:\n  shadowed: {}\n',
    'repo/deploy/nginx/': '',
  });
  const nginxConfigDir = path.join(root, 'repo/deploy/nginx');

  it('reads Compose files from the nginx config up to the repository root, nearest first', () => {
    const catalog = loadServiceCatalog({ nginxConfigDir });
    expect(catalog.files).toEqual([
      path.join(root, 'repo/deploy/compose.yaml'),
      path.join(root, 'repo/deploy/compose.override.yaml'),
      path.join(root, 'repo/docker-compose.yml'),
    ]);
    expect(catalog.services.map((each) => each.name)).toEqual(['near', 'top']);
    expect(service(catalog, 'near').ports.map(located)).toEqual(['2000 @ ../compose.yaml:3', '2001 @ ../compose.override.yaml:3']);
    expect(service(catalog, 'top').origin.label).toBe('../../docker-compose.yml:2');
  });

  it('stops at repoRoot when given', () => {
    const catalog = loadServiceCatalog({ nginxConfigDir, repoRoot: path.join(root, 'repo/deploy') });
    expect(catalog.services.map((each) => each.name)).toEqual(['near']);
  });

  it('stops at a .git file, as worktrees and submodules have', () => {
    const worktree = tree({
      'compose.yaml': 'services:\n  outside: {}\n',
      'checkout/.git': 'gitdir: /elsewhere\n',
      'checkout/compose.yml': 'services:\n  inside: {}\n',
    });
    const catalog = loadServiceCatalog({ nginxConfigDir: path.join(worktree, 'checkout') });
    expect(catalog.services.map((each) => each.name)).toEqual(['inside']);
  });
});

describe('Compose variants', () => {
  it('names docker-compose.*.yml, compose.*.yaml, docker-compose-*.yml, *-docker-compose.yml and production.yml; not overrides, defaults or others', () => {
    const root = tree({
      '.git/': '',
      'docker-compose.yml': '',
      'docker-compose.override.yml': '',
      'compose.override.yaml': '',
      'docker-compose.prod.yml': '',
      'compose.staging.yaml': '',
      'docker-compose-prod.yml': '',
      'fpm-docker-compose.yml': '',
      'production.yml': '',
      'local.yml': '',
      'decompose.yml': '',
      'stack.yml': '',
      'docker-compose.prod.yml.bak': '',
      'deploy/docker-compose.production.yaml': '',
      'deploy/nginx/': '',
    });
    expect(findComposeVariants(path.join(root, 'deploy/nginx')).map((file) => path.relative(root, file))).toEqual([
      path.join('deploy', 'docker-compose.production.yaml'),
      'compose.staging.yaml',
      'docker-compose-prod.yml',
      'docker-compose.prod.yml',
      'fpm-docker-compose.yml',
      'production.yml',
    ]);
  });

  it('a name says production when prod or production is a word of it', () => {
    const names = ['docker-compose.prod.yml', 'docker-compose.production.yaml', 'docker-compose-prod.yml', 'compose.prod-eu.yaml', 'production.yml'];
    expect(names.filter((name) => isProductionVariant(name))).toEqual(names);
    expect(['docker-compose.dev.yml', 'docker-compose.preprod.yml', 'compose.product.yaml'].filter((name) => isProductionVariant(name))).toEqual([]);
  });

  it('composeFiles replaces discovery: the variant nginx runs from, not the default files beside it', () => {
    const root = tree({
      '.git/': '',
      'docker-compose.yml': 'services:\n  web:\n    command: python manage.py runserver 0.0.0.0:8000\n',
      'docker-compose.prod.yml': 'services:\n  web:\n    command: gunicorn app.wsgi --bind 0.0.0.0:8000\n    expose: [8000]\n',
    });
    const catalog = loadServiceCatalog({ nginxConfigDir: root, composeFiles: [path.join(root, 'docker-compose.prod.yml')] });
    expect(catalog.files).toEqual([path.join(root, 'docker-compose.prod.yml')]);
    expect(service(catalog, 'web').server).toBe('gunicorn (sync worker)');
    expect(service(catalog, 'web').closesConnections?.origin.label).toContain("gunicorn's default sync worker closes every connection");
    expect(service(catalog, 'web').ports.map(located)).toEqual(['8000 @ docker-compose.prod.yml:4']);
  });
});

describe('serviceFiles', () => {
  const root = tree({
    '.git/': '',
    '.nginx-lint.json': '{}',
    'k8s/api.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports:\n    - port: 80\n',
    'k8s/secret.yaml': 'apiVersion: v1\nkind: Service\nmetadata:\n  name: secret\n',
    'stacks/extra.compose.yml': 'services:\n  extra:\n    expose: ["5000"]\n',
    'nginx/compose.yaml': 'services:\n  api:\n    expose: ["3000"]\n',
  });
  const catalog = loadServiceCatalog({
    nginxConfigDir: path.join(root, 'nginx'),
    declaredOrigin: path.join(root, '.nginx-lint.json'),
    serviceFiles: ['k8s/*.yaml', '!k8s/secret.yaml', 'stacks/*.yml', 'nginx/compose.yaml', 'helm/**/*.yaml'],
  });

  it('reads the files the globs match, relative to the linter config, before discovered ones', () => {
    expect(catalog.files).toEqual([
      path.join(root, 'k8s/api.yaml'),
      path.join(root, 'stacks/extra.compose.yml'),
      path.join(root, 'nginx/compose.yaml'),
    ]);
    expect(catalog.services.map((each) => each.name)).toEqual(['api', 'extra']);
    expect(service(catalog, 'api').ports.map(located)).toEqual(['80 @ ../k8s/api.yaml:7', '3000 @ compose.yaml:3']);
  });

  it('reports a pattern that matches nothing', () => {
    expect(catalog.errors.map((error) => error.message)).toEqual([
      `../.nginx-lint.json serviceFiles[4]: "helm/**/*.yaml" matches no file in ${root}`,
    ]);
  });
});

describe('services in the linter config', () => {
  const root = tree({
    '.git/': '',
    'compose.yaml': [
      'services:',
      '  api:',
      '    ports: ["3000"]',
      '    x-nginx-lint:',
      '      p99: 2s',
      '      keepAliveTimeout: 5s',
      '  web:',
      '    expose: ["8080"]',
      '',
    ].join('\n'),
    'nginx/': '',
  });
  const catalog = loadServiceCatalog({
    nginxConfigDir: path.join(root, 'nginx'),
    declaredOrigin: path.join(root, '.nginx-lint.json'),
    declared: {
      api: { hosts: ['api.local'], port: 8080, ports: [8081, '9000-9001'], p99: '3.5s' },
      web: { maxResponseHeaderSize: '12k' },
      'my.app': { port: 3000 },
    },
  });

  it('wins over discovered facts field by field', () => {
    const api = service(catalog, 'api');
    expect(api.hosts.map(located)).toEqual(['api @ ../.nginx-lint.json services.api', 'api.local @ ../.nginx-lint.json services.api.hosts[0]']);
    expect(api.ports.map(located)).toEqual([
      '8080 @ ../.nginx-lint.json services.api.port',
      '8081 @ ../.nginx-lint.json services.api.ports[0]',
      '9000 @ ../.nginx-lint.json services.api.ports[1]',
    ]);
    expect(located(api.p99)).toBe('3500 @ ../.nginx-lint.json services.api.p99');
    expect(located(api.keepAliveTimeout)).toBe('5000 @ ../compose.yaml:6');
    expect(api.definitions.map((origin) => origin.label)).toEqual(['../.nginx-lint.json services.api', '../compose.yaml:2']);
  });

  it('keeps discovered ports when the config declares none', () => {
    const web = service(catalog, 'web');
    expect(web.ports.map(located)).toEqual(['8080 @ ../compose.yaml:8']);
    expect(located(web.maxResponseHeaderSize)).toBe('12288 @ ../.nginx-lint.json services.web.maxResponseHeaderSize');
  });

  it('quotes key paths that are not identifiers', () => {
    expect(service(catalog, 'my.app').ports[0]?.origin.label).toBe('../.nginx-lint.json services["my.app"].port');
  });

  it('reports values that are not ports, hosts, durations or sizes', () => {
    const invalid = loadServiceCatalog({
      nginxConfigDir: root,
      declaredOrigin: path.join(root, '.nginx-lint.json'),
      declared: JSON.parse('{"a": {"port": "http", "ports": 3000, "hosts": [""], "p99": 5, "maxResponseHeaderSize": "16KB"}, "b": 3000}'),
    });
    expect(invalid.errors.map((error) => error.message)).toEqual([
      '.nginx-lint.json services.a.hosts[0]: "" is not a host name',
      '.nginx-lint.json services.a.ports: must be a list',
      '.nginx-lint.json services.a.port: "http" is not a port such as 3000 or "3000-3005"',
      '.nginx-lint.json services.a.p99: 5 is not a duration with a unit, such as "2.5s" or "800ms"',
      '.nginx-lint.json services.a.maxResponseHeaderSize: "16KB" is not a size in bytes or ' + 'nginx\'s syntax, such as 16384 or "16k"',
      '.nginx-lint.json services.b: must be an object such as { "port": 3000 }',
    ]);
    expect(invalid.errors.every((error) => error instanceof ServiceFactsError)).toBe(true);
  });
});

describe('bad YAML', () => {
  it('is an error naming file, line and column, and costs only that file’s facts', () => {
    const directory = path.join(FIXTURES, 'bad');
    const catalog = loadServiceCatalog({
      nginxConfigDir: directory,
      repoRoot: directory,
      configDir: FIXTURES,
      serviceFiles: ['k8s/manifests.yaml'],
    });
    expect(catalog.services.map((each) => each.name)).toContain('orders');
    expect(catalog.errors).toHaveLength(1);
    const [error] = catalog.errors;
    expect(error).toBeInstanceOf(ServiceFactsError);
    expect(error?.message).toBe('compose.yaml:5:3: invalid YAML: Map keys must be unique');
    expect(error?.origin).toMatchObject({ file: path.join(directory, 'compose.yaml'), line: 5 });
    expect(error?.column).toBe(3);
  });

  it.each([
    [
      'an alias of no anchor',
      'x-defaults: &defaults {restart: always}\nservices:\n  web:\n    <<: *default\n    image: nginx\n',
      4,
      9,
      'no anchor &default for the alias *default',
    ],
    ['a merge of a scalar', 'services:\n  web:\n    <<: 5\n    image: nginx\n', 3, 5, 'a merge key (<<) of something other than a map'],
  ])(
    'is an error for %s, which YAML parses but Compose refuses (found by fuzzing: an internal error before)',
    (_, compose, line, column, message) => {
      const root = tree({ '.git/': '', 'compose.yaml': compose });
      const { errors } = loadServiceCatalog({ nginxConfigDir: root });
      expect(errors.map((error) => [error.message, error.column])).toEqual([[`compose.yaml:${line}:${column}: invalid YAML: ${message}`, column]]);
    },
  );

  it('is an error when a file cannot be read', () => {
    const root = tree({ '.git/': '', 'compose.yaml/': '' });
    const [error] = loadServiceCatalog({ nginxConfigDir: root }).errors;
    expect(error?.message).toMatch(/^compose\.yaml: cannot be read: (EISDIR|is a directory)/);
  });
});

describe('Compose interpolation of a value', () => {
  it('takes defaults and the project .env, and leaves a value a shell variable decides unknown', () => {
    const variables = { TAG: '1.27', EMPTY: '' };
    expect(interpolate('${DATA_UPLOAD_MAX_MEMORY_MiB:-100}', variables)).toBe('100');
    expect(interpolate('nginx:${TAG:-latest}', variables)).toBe('nginx:1.27');
    expect(interpolate('${EMPTY:-fallback} ${EMPTY-kept}', variables)).toBe('fallback ');
    expect(interpolate('${TAG:+set} ${MISSING:+set}', variables)).toBe('set ');
    expect(interpolate('price $$5 for $TAG', variables)).toBe('price $5 for 1.27');
    expect(interpolate('${MISSING}', variables)).toBeNull();
    expect(interpolate('$MISSING/x', variables)).toBeNull();
    expect(interpolate('plain', variables)).toBe('plain');
  });
});
