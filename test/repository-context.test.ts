/**
 * Linting what the container really runs, with nothing declared: changed files through the config that includes
 * them, Compose mounts and image files, templates, and the nginx version of the image. Each case is a small
 * repository (a `.git` marks its root) linted through the real engine, as a pre-commit hook or CI step would.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { temporaryTrees } from './helpers/files.js';

const tree = temporaryTrees();

async function lintIn(root: string, operands: readonly string[], options: { fix?: boolean } = {}) {
  const run = await lint(
    operands.map((operand) => path.join(root, operand)),
    { cwd: root, ...options },
  );
  const findings = run.results.flatMap((result) =>
    result.messages.map((message) => ({
      file: path.relative(root, result.filePath),
      line: message.line,
      ruleId: message.ruleId,
      message: message.message,
    })),
  );
  return { run, findings, files: run.results.map((result) => path.relative(root, result.filePath)) };
}

const ORDERS_REPO = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'compose.yaml':
    'services:\n  orders:\n    image: node:20\n    command: node server.js\n    expose: ["3000"]\n  proxy:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/conf.d:/etc/nginx/conf.d:ro\n',
  'nginx/nginx.conf':
    'events {}\nhttp {\n    include mime.types;\n    upstream orders {\n        server orders:3000;\n    }\n    include /etc/nginx/conf.d/*.conf;\n}\n',
  'nginx/conf.d/orders.conf': 'server {\n    listen 80;\n    location / {\n        proxy_pass http://orders;\n    }\n}\n',
};

describe('a changed file is linted through the config that includes it', () => {
  it('conf.d/orders.conf alone: proxy_pass http://orders is the upstream block of nginx.conf, not port 80 of a service', async () => {
    const root = tree(ORDERS_REPO);
    const { findings, files } = await lintIn(root, ['nginx/conf.d/orders.conf'], { fix: true });
    expect(files).toEqual(['nginx/conf.d/orders.conf']);
    expect(findings.filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')).toEqual([]);
  });

  it('reports only the given file, though the whole configuration is read', async () => {
    const root = tree({
      ...ORDERS_REPO,
      'nginx/nginx.conf': ORDERS_REPO['nginx/nginx.conf'].replace('events {}', 'events {}\nfrobnicate on;'),
    });
    const { files, findings } = await lintIn(root, ['nginx/conf.d/orders.conf']);
    expect(files).toEqual(['nginx/conf.d/orders.conf']);
    expect(findings.map((finding) => finding.ruleId)).not.toContain('unknown-directive');
  });

  it('a file mounted into the image conf.d with no main config of the repository is linted through the image nginx.conf', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  proxy:\n    image: nginx:1.22\n    volumes: ["./sites:/etc/nginx/conf.d"]\n',
      // http2 on; appeared in 1.25.1: the image runs 1.22, so nginx refuses it.
      'sites/app.conf': 'server {\n    listen 80;\n    http2 on;\n}\n',
    });
    const { findings, run } = await lintIn(root, ['sites/app.conf']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([['sites/app.conf', 3, 'unknown-directive']]);
    expect(run.results[0]!.nginxVersion).toMatchObject({ version: '1.22.1', source: 'image' });
  });

  it("Debian's layout: sites-available/default resolves snippets/ against the nearest nginx.conf's folder", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'etc/nginx/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/sites-enabled/*;\n}\n',
      'etc/nginx/snippets/fastcgi-php.conf': 'fastcgi_split_path_info ^(.+?\\.php)(/.*)$;\ninclude fastcgi.conf;\n',
      'etc/nginx/sites-available/default':
        'server {\n    listen 80 default_server;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['etc/nginx/sites-available/default']);
    expect(findings.filter((finding) => finding.ruleId === 'include-not-found')).toEqual([]);
  });

  it('nginx-lint . lints every file once, each in the context nginx gives it', async () => {
    const root = tree(ORDERS_REPO);
    const { files } = await lintIn(root, ['.']);
    expect(files.sort()).toEqual(['nginx/conf.d/orders.conf', 'nginx/nginx.conf']);
  });
});

describe("the container's view", () => {
  it('includes of /etc/nginx/conf.d read the folder the compose file mounts there, and image files are known', async () => {
    const root = tree({
      ...ORDERS_REPO,
      'compose.yaml': `${ORDERS_REPO['compose.yaml']}  billing:\n    image: python:3.12\n    command: gunicorn -b 0.0.0.0:5000 billing.wsgi\n`,
      'nginx/conf.d/orders.conf': 'server {\n    listen 80;\n    location / {\n        proxy_pass http://billing:8000;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['nginx/nginx.conf']);
    // The mounted site is read (its port mismatch is found) and mime.types is the image's: no include-not-found.
    expect(findings.map((finding) => [finding.file, finding.ruleId])).toContainEqual(['nginx/conf.d/orders.conf', 'proxy-pass-port-mismatch']);
    expect(findings.map((finding) => finding.ruleId)).not.toContain('include-not-found');
  });

  it('the version is the image tag, and ssl on (removed in 1.25.1) is reported for nginx:1.27', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27-alpine\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n',
      'nginx.conf': 'events {}\nhttp {\n    server {\n        listen 443;\n        ssl on;\n        http2 on;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['nginx.conf']);
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[5, 'unknown-directive']]);
    expect(run.results[0]!.nginxVersion).toEqual({ version: '1.27.5', source: 'image', origin: 'compose.yaml:3 image nginx:1.27-alpine' });
  });
});

describe('templates', () => {
  it('renders *.conf.template with the service environment; unknown placeholders cannot cause errors', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  web:\n    image: nginx:1.27\n    environment:\n      API_HOST: api\n    volumes: ["./templates:/etc/nginx/templates"]\n  api:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8000\n',
      'templates/default.conf.template':
        'server {\n    listen ${NGINX_PORT};\n    server_name ${SERVER_NAME};\n    location / {\n        proxy_pass http://${API_HOST}:9000;\n        proxy_set_header Host $host;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    // API_HOST is api, which listens on 8000 (--port): the rendered template's 9000 is wrong; nothing else is reported.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['templates/default.conf.template', 5, 'proxy-pass-port-mismatch'],
    ]);
  });

  it('never fixes a template: the fix would be written over its placeholders', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  web:\n    image: nginx:1.27\n    volumes: ["./templates:/etc/nginx/templates"]\n  api:\n    image: python:3.12\n    command: uvicorn main:app --port 8000\n',
      'templates/default.conf.template': 'server {\n    listen ${PORT};\n    location / {\n        proxy_pass http://api:9000;\n    }\n}\n',
    });
    const { run } = await lintIn(root, ['.'], { fix: true });
    expect(run.fixedFiles).toEqual([]);
  });
});
