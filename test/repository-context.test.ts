/**
 * Linting what the container really runs, with nothing declared: changed files through the config that includes
 * them, Compose mounts and image files, templates, and the nginx version of the image. Each case is a small
 * repository (a `.git` marks its root) linted through the real engine, as a pre-commit hook or CI step would.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintIn } from './helpers/lint.js';
import { temporaryTrees } from './helpers/files.js';

const tree = temporaryTrees();

const ORDERS_REPO = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'compose.yaml':
    // nginx waits for orders to be healthy: no compose-depends-on-unhealthy finding on this file.
    'services:\n  orders:\n    image: node:20\n    command: node server.js\n    expose: ["3000"]\n    healthcheck:\n      test: ["CMD", "true"]\n  proxy:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n      - ./nginx/conf.d:/etc/nginx/conf.d:ro\n    depends_on:\n      orders:\n        condition: service_healthy\n',
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

  it('a file holding events/http blocks is a main config whatever its name: linted as itself, not through another', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // An odd includer: were nginx-prod.conf read through it, its events block would be in http, where nginx refuses it.
      'site/nginx.conf': 'events {}\nhttp {\n    include ../deploy/*.conf;\n}\n',
      'deploy/nginx-prod.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n',
    });
    const { findings, files } = await lintIn(root, ['deploy/nginx-prod.conf']);
    expect(files).toEqual(['deploy/nginx-prod.conf']);
    expect(findings).toEqual([]);
  });

  it('…also when the block opens past the first piece read, its `{` on a later line than `http`', async () => {
    // The file is read 64 KiB at a time until the block shows: `http` ends one piece, its `{` starts the next.
    // Comment lines of 64 bytes (nginx refuses a word over 4 KiB, comments too), then one of 60.
    const header = `${`# ${'x'.repeat(61)}\n`.repeat(1023)}# ${'x'.repeat(57)}\n`;
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'site/nginx.conf': 'events {}\nhttp {\n    include ../deploy/*.conf;\n}\n',
      'deploy/nginx-prod.conf': `${header}http\n\n\n{\n    server {\n        listen 80;\n    }\n}\n`,
    });
    expect(Buffer.byteLength(header)).toBe(64 * 1024 - 'http'.length);
    const { findings, files } = await lintIn(root, ['deploy/nginx-prod.conf']);
    expect(files).toEqual(['deploy/nginx-prod.conf']);
    expect(findings).toEqual([]);
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

describe('finding the config that includes a file reads only what that search needs', () => {
  // Two main configs, each with its own .nginx-lint.json: the stream one's maps /etc/nginx to its folder, the http
  // one's names a plugin that leaves a mark when its code runs. streams/db.conf is only in the stream config.
  const TWO_MAINS = {
    '.git/HEAD': 'ref: refs/heads/main\n',
    'api/nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n    }\n}\n',
    'api/.nginx-lint.json': '{"plugins":["./acme-rules.cjs"]}',
    'api/acme-rules.cjs': "require('fs').writeFileSync(require('path').join(__dirname, 'PLUGIN-RAN'), 'x');\nmodule.exports = { rules: [] };\n",
    'tcp/nginx.conf': 'events {}\nstream {\n    include /etc/nginx/streams/*.conf;\n}\n',
    'tcp/.nginx-lint.json': '{"pathMap":{"/etc/nginx":"."}}',
    // In stream, a server's proxy_pass is right; linted alone (in http) nginx would refuse it.
    'tcp/streams/db.conf': 'server {\n    listen 5432;\n    proxy_pass 10.0.0.5:5432;\n}\n',
  };

  it("a main config searched but not linted adds no note about its config's plugin, and runs none with --allow-plugins", async () => {
    const root = tree(TWO_MAINS);
    const { run, findings, files } = await lintIn(root, ['tcp/streams/db.conf']);
    // Found through tcp/nginx.conf, whose pathMap resolves the include: no directive-not-allowed-here.
    expect(files).toEqual(['tcp/streams/db.conf']);
    expect(findings).toEqual([]);
    expect(run.notes.filter((note) => note.includes('plugin'))).toEqual([]);
    await lintIn(root, ['tcp/streams/db.conf'], { allowPlugins: true });
    expect(existsSync(path.join(root, 'api', 'PLUGIN-RAN'))).toBe(false);
  });

  it('the configs of the entries linted still bring their plugins: a note without --allow-plugins, the code with it', async () => {
    const root = tree(TWO_MAINS);
    const { run } = await lintIn(root, ['api/nginx.conf', 'tcp/streams/db.conf']);
    expect(run.notes.filter((note) => note.includes('plugin'))).toEqual([
      'plugin ./acme-rules.cjs not loaded: pass --allow-plugins to run code from this repository (named in ' +
        path.join(root, 'api', '.nginx-lint.json') +
        ')',
    ]);
    expect(existsSync(path.join(root, 'api', 'PLUGIN-RAN'))).toBe(false);
    await lintIn(root, ['api/nginx.conf'], { allowPlugins: true });
    expect(existsSync(path.join(root, 'api', 'PLUGIN-RAN'))).toBe(true);
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

  it("an include of a file in a named volume (certbot's options-ssl-nginx.conf) is the volume's, in the main file or a variant", async () => {
    const compose = (volumes: string) =>
      `services:\n  gateway:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx.conf:/etc/nginx/nginx.conf${volumes}\n  certbot:\n    image: certbot/certbot\n    volumes: ["certbot-conf:/etc/letsencrypt"]\nvolumes:\n  certbot-conf: {}\n`;
    const files = {
      '.git/HEAD': 'ref: refs/heads/main\n',
      'nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 443 ssl;\n        ssl_certificate /etc/letsencrypt/live/site/fullchain.pem;\n        ssl_certificate_key /etc/letsencrypt/live/site/privkey.pem;\n        include /etc/letsencrypt/options-ssl-nginx.conf;\n    }\n}\n',
    };
    const ruleFindings = async (repository: Record<string, string>) =>
      (await lintIn(tree(repository), ['nginx.conf'])).findings.map((finding) => [finding.line, finding.ruleId]);
    // Nothing puts the file in the gateway's container: said, as a warning.
    expect(await ruleFindings({ ...files, 'docker-compose.yml': compose('') })).toEqual([[7, 'include-not-found']]);
    // certbot writes it into the volume the gateway mounts there.
    expect(await ruleFindings({ ...files, 'docker-compose.yml': compose('\n      - certbot-conf:/etc/letsencrypt:ro') })).toEqual([]);
    // openmrs: only the variant for TLS (`-f docker-compose.yml -f docker-compose.ssl.yml`) mounts the volume.
    expect(
      await ruleFindings({
        ...files,
        'docker-compose.yml': compose(''),
        'docker-compose.ssl.yml':
          'services:\n  gateway:\n    volumes:\n      - type: volume\n        source: certbot-conf\n        target: /etc/letsencrypt\n',
      }),
    ).toEqual([]);
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

  it("an include no file of the repository has, but a template of that name does (mailcow's sites-default.conf.j2): the template is read rendered", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    volumes: ["./templates/nginx.conf.j2:/etc/nginx/nginx.conf.j2:ro"]\n',
      'templates/nginx.conf.j2':
        'events {}\nhttp {\n    server {\n        listen 80;\n        server_name {{ HOSTNAME }};\n        include /etc/nginx/includes/site.conf;\n    }\n}\n',
      'templates/site.conf.j2': 'add_header X-Frame-Options DENY;\nlocation / {\n    root {{ ROOT }};\n    add_headr X-Robots-Tag none;\n}\n',
    });
    const { findings } = await lintIn(root, ['templates/nginx.conf.j2']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([['templates/site.conf.j2', 4, 'unknown-directive']]);
  });

  it("a glob over a container folder the repository holds a copy of (pixelfed's templates/etc/nginx/conf.d) reads the copy; a conf.d elsewhere is nobody's", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  web:\n    build: .\n',
      Dockerfile: 'FROM debian:12\nRUN apt-get install -y nginx\nCOPY docker/nginx/root /\n',
      'docker/nginx/root/docker/templates/etc/nginx/nginx.conf':
        'events {}\nhttp {\n    include /etc/nginx/mime.types;\n    include /etc/nginx/conf.d/*.conf;\n    include /etc/nginx/sites-enabled/*;\n}\n',
      'docker/nginx/root/docker/templates/etc/nginx/conf.d/default.conf': 'server {\n    listen 80;\n    add_headr X-Frame-Options DENY;\n}\n',
      // Another program's sites-enabled, far from the config: not a sign of a missing mount.
      'contrib/apache/sites-enabled/site.conf': 'server {\n    listen 81;\n}\n',
    });
    const { findings } = await lintIn(root, ['docker/nginx/root/docker/templates/etc/nginx/nginx.conf']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker/nginx/root/docker/templates/etc/nginx/conf.d/default.conf', 3, 'unknown-directive'],
    ]);
  });

  it("OpenResty's image keeps nginx's stock files under its own prefix; its version is the tag's nginx part", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  gateway:\n    image: openresty/openresty:1.25.3.1-alpine\n    volumes: ["./nginx.conf:/usr/local/openresty/nginx/conf/nginx.conf:ro"]\n',
      'nginx.conf':
        'events {}\nhttp {\n    include mime.types;\n    server {\n        listen 80;\n        location ~ \\.php$ {\n            include /usr/local/openresty/nginx/conf/fastcgi_params;\n            fastcgi_pass 127.0.0.1:9000;\n        }\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['nginx.conf']);
    expect(findings).toEqual([]);
    expect(run.results[0]?.nginxVersion).toMatchObject({ version: '1.25.3', source: 'image' });
  });

  it('the checkout mounted from a variable (penpot): of two files with the included name, the one whose repository path the container path ends with', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker/devenv/compose.yaml':
        'services:\n  main:\n    image: nginx:1.27\n    volumes: ["${SOURCE_PATH}:/home/app/src:z", "./files/nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
      'docker/devenv/files/nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 80;\n        include /home/app/src/docker/devenv/files/headers.conf;\n    }\n}\n',
      'docker/devenv/files/headers.conf': 'add_header X-Frame-Options DENY;\nadd_headr X-Content-Type-Options nosniff;\n',
      'docker/images/files/headers.conf': 'add_header X-Frame-Options DENY;\n',
    });
    const { findings } = await lintIn(root, ['docker/devenv/files/nginx.conf']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker/devenv/files/headers.conf', 2, 'unknown-directive'],
    ]);
  });
});

describe('the service that runs the config, and the app behind it, from Dockerfiles', () => {
  it("the service mounting nginx.conf itself wins over another service's COPY of the whole repository; Dockerfile.nginx is no config", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker/compose.yml':
        'services:\n  app:\n    build:\n      context: ..\n      dockerfile: docker/Dockerfile.app\n  proxy:\n    build:\n      context: .\n      dockerfile: Dockerfile.nginx\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n',
      'docker/Dockerfile.app':
        'FROM python:3.12-slim\nWORKDIR /build\nCOPY . /build/\nCMD ["gunicorn", "--worker-class", "gthread", "--bind", "0.0.0.0:8000", "app:app"]\n',
      'docker/Dockerfile.nginx': 'FROM nginx:1.25-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n',
      'docker/nginx.conf':
        'events {}\nhttp {\n    include mime.types;\n    upstream app {\n        server app:8000;\n        keepalive 16;\n    }\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n            proxy_next_upstream error timeout http_502;\n        }\n    }\n}\n',
    });
    const { findings, files, run } = await lintIn(root, ['.']);
    expect(files).not.toContain('docker/Dockerfile.nginx');
    expect(run.results.find((result) => result.filePath.endsWith('nginx.conf'))?.nginxVersion?.version).toMatch(/^1\.25\./);
    // mime.types comes with the nginx image; the app's gthread worker (Dockerfile CMD) keeps idle connections 2 s.
    // And proxy waits for nothing, while nginx resolves app at start-up: it may start first and exit.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker/compose.yml', 6, 'compose-depends-on-unhealthy'],
      ['docker/nginx.conf', 6, 'upstream-keepalive-timeout-race'],
    ]);
    expect(findings[1]!.message).toContain('gthread');
  });

  it("a service pulling an image a GitHub workflow builds (librephotos' proxy, any tag) runs that build: its depends_on counts", async () => {
    const files = {
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.yml':
        'services:\n  proxy:\n    image: acme/photos-proxy:${tag}\n    ports: ["3000:80"]\n    depends_on:\n      - backend\n  backend:\n    image: acme/photos:${tag}\n    command: gunicorn --bind 0.0.0.0:8001 app.wsgi\n',
      'proxy/Dockerfile': 'FROM nginx\nCOPY nginx.conf /etc/nginx/nginx.conf\n',
      'proxy/nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://backend:8001;\n        }\n    }\n}\n',
    };
    const workflow =
      'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Build and push\n        uses: docker/build-push-action@v2\n        with:\n          context: ./proxy\n          push: true\n          tags: acme/photos-proxy:${{ github.event.release.tag_name }},acme/photos-proxy:latest\n';
    const ruleFindings = async (root: string) => (await lintIn(root, ['.'])).findings.map((finding) => [finding.file, finding.line, finding.ruleId]);
    expect(await ruleFindings(tree({ ...files, '.github/workflows/proxy.yml': workflow }))).toEqual([
      ['docker-compose.yml', 6, 'compose-depends-on-unhealthy'],
    ]);
    // Without the workflow nothing says what acme/photos-proxy holds: the config is the Dockerfile's alone.
    expect(await ruleFindings(tree(files))).toEqual([]);
    // openmrs' workflows name the image in the workflow's env: `tags: ${{ env.IMAGE }}:nightly`.
    const named = (value: string) =>
      workflow
        .replace('on: push\n', `on: push\nenv:\n  IMAGE: ${value}\n`)
        .replace(/tags: .*/, 'tags: |\n            ${{ env.IMAGE }}:${{ env.TAG }}\n            ${{ env.IMAGE }}:nightly');
    expect(await ruleFindings(tree({ ...files, '.github/workflows/proxy.yml': named('acme/photos-proxy') }))).toEqual([
      ['docker-compose.yml', 6, 'compose-depends-on-unhealthy'],
    ]);
    // An env value the run computes names no image.
    expect(await ruleFindings(tree({ ...files, '.github/workflows/proxy.yml': named('${{ vars.IMAGE }}') }))).toEqual([]);
  });
});

describe('the container a `docker run` of the repository starts', () => {
  const DOCKER_RUN_REPO = {
    '.git/HEAD': 'ref: refs/heads/main\n',
    'proxy/nginx.conf':
      'events {}\nhttp {\n    include mime.types;\n    include /etc/nginx/conf.d/*.conf;\n    server {\n        listen 80;\n        http2 on;\n    }\n}\n',
    'proxy/sites/app.conf': 'server {\n    listen 8080;\n    location / {\n        proxy_pass http://localhost:8000;\n    }\n}\n',
    'README.md':
      '# Proxy\n\n```sh\ndocker run -d -p 80:80 \\\n  -v $(pwd)/proxy/nginx.conf:/etc/nginx/nginx.conf:ro \\\n  -v $(pwd)/proxy/sites:/etc/nginx/conf.d:ro \\\n  nginx:1.18-alpine\n```\n',
  };

  it("is what runs the config: its image gives the nginx release, its mounts the container's paths", async () => {
    const root = tree(DOCKER_RUN_REPO);
    const { findings, run } = await lintIn(root, ['proxy/nginx.conf']);
    expect(run.results[0]?.nginxVersion).toMatchObject({ version: '1.18.0', origin: '../README.md:4 image nginx:1.18-alpine' });
    // http2 came with nginx 1.25.1; the conf.d mount brings the server file in, whose localhost is reported there.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['proxy/nginx.conf', 7, 'unknown-directive'],
      ['proxy/sites/app.conf', 4, 'proxy-pass-localhost'],
    ]);
  });

  it('gives way to a Compose service that mounts the config', async () => {
    const root = tree({
      ...DOCKER_RUN_REPO,
      'compose.yaml': 'services:\n  proxy:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./proxy/nginx.conf:/etc/nginx/nginx.conf:ro\n',
    });
    const { findings, run } = await lintIn(root, ['proxy/nginx.conf']);
    expect(run.results[0]?.nginxVersion?.version).toMatch(/^1\.27\./);
    expect(findings.map((finding) => finding.ruleId)).toEqual([]);
  });
});

describe('what nginx containers read, whatever its name', () => {
  it('a folder scan lints the files an nginx service copies or mounts into /etc/nginx; keys, passwords and prose are left out', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  proxy:\n    build: ./proxy\n    volumes:\n      - ./proxy/secrets:/etc/nginx/secrets:ro\n      - ./proxy/motd:/etc/nginx/motd:ro\n',
      'proxy/Dockerfile': 'FROM nginx:1.27-alpine\nCOPY nginx.prod /etc/nginx/conf.d/default.conf\n',
      'proxy/nginx.prod': 'server {\n    listen 80;\n    location / {\n        proxy_pass http://localhost:8000;\n    }\n}\n',
      'proxy/secrets/site.key': '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n',
      'proxy/secrets/.htpasswd': 'admin:$apr1$x$y\n',
      'proxy/motd': 'Welcome to the proxy. Be nice.\n',
      'README.md': '```sh\ndocker run -v $(pwd)/gateway:/etc/nginx/conf.d nginx:1.27-alpine\n```\n',
      'gateway/api': 'server {\n    listen 8080;\n    location / {\n        proxy_pass http://localhost:9000;\n    }\n}\n',
    });
    const { findings, files } = await lintIn(root, ['.']);
    expect(files.sort()).toEqual(['gateway/api', 'proxy/nginx.prod']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['gateway/api', 4, 'proxy-pass-localhost'],
      ['proxy/nginx.prod', 4, 'proxy-pass-localhost'],
    ]);
  });

  // JeecgBoot's front-end image: the whole site is one `RUN echo "…" > /etc/nginx/conf.d/default.conf`.
  const jeecgLike = (site: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  system:\n    build: ./system\n    hostname: jeecg-boot-system\n    ports: ["8080:8080"]\n  web:\n    build: ./web\n    depends_on:\n      - system\n',
      'system/Dockerfile': 'FROM eclipse-temurin:17\nCMD sleep 60 && exec java -jar app.jar\n',
      'web/Dockerfile': `FROM nginx\nRUN echo "server {  \\\n${site}              } " > /etc/nginx/conf.d/default.conf \\\n    &&  mkdir -p /var/www/html\nRUN echo "admin:\\$apr1\\$x\\$y" > /etc/nginx/.htpasswd\n`,
    });
  const SITE = [
    '                  listen 80; \\',
    "                  # Docker drops this comment line: resolved per request by Docker's DNS \\",
    '                  resolver 127.0.0.11 valid=10s; \\',
    '                  location /api/ { \\',
    '                      set \\$backend jeecg-boot-system; \\',
    '                      proxy_pass http://\\$backend:8080; \\',
    '                      proxy_set_header X-Real-IP \\$remote_addr; \\',
    '                  } \\',
    '',
  ].join('\n');

  it("a folder scan lints the config a Dockerfile's RUN echo writes, on the Dockerfile's lines, in the service that builds it (not the password file another echo writes)", async () => {
    const { findings } = await lintIn(jeecgLike(SITE), ['.']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([['compose.yaml', 9, 'compose-depends-on-unhealthy']]);
    // A mistake in the echoed text is reported where it is written in the Dockerfile.
    const wrong = await lintIn(jeecgLike(SITE.replace('listen 80;', 'listen 80; client_max_body_size 16X;')), ['.']);
    expect(wrong.findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toContainEqual(['web/Dockerfile', 3, 'invalid-value']);
    // At its column in the Dockerfile, after the `\$` the shell makes `$`.
    const line = '                      proxy_pass http://\\$backend:8080; proxy_read_timeout 5X; \\';
    const late = await lintIn(jeecgLike(SITE.replace('                      proxy_pass http://\\$backend:8080; \\', line)), ['.']);
    expect(late.findings.filter((finding) => finding.ruleId === 'invalid-value').map((finding) => [finding.line, finding.column])).toEqual([
      [8, line.indexOf('5X') + 1],
    ]);
  });

  it('the echoed file is one line: a comment Docker keeps hides the rest of it from nginx', async () => {
    // `# …` after `listen 80;` on a line ending in `;` is no comment line for Docker: it reaches the file, and nginx
    // reads everything after it as comment, the closing `}` too.
    const { findings } = await lintIn(jeecgLike(SITE.replace('listen 80; \\', 'listen 80;  # the port \\')), ['.']);
    expect(findings.map((finding) => [finding.file, finding.ruleId])).toEqual([['web/Dockerfile', 'syntax-error']]);
  });
});

describe('what a folder holds', () => {
  /** The nginx version a config COPYed by `dockerfile` is checked against; the image runs it, so mime.types is there. */
  const versionOf = async (dockerfile: string) => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile: `${dockerfile}\nCOPY nginx.conf /etc/nginx/nginx.conf\n`,
      'nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/mime.types;\n}\n',
    });
    const { findings, run } = await lintIn(root, ['nginx.conf']);
    expect(findings).toEqual([]);
    return run.results[0]?.nginxVersion;
  };

  it('a *.conf of another program (redis.conf, postgresql.conf, sphinx.conf) found in a folder is not linted; one named on the command line is', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'redis.conf': 'bind 127.0.0.1\nmaxmemory-policy volatile-lru\n',
      'postgresql.conf': "max_connections = 100\nlisten_addresses = '*'\n",
      // rspamd's UCL: statements end with `;`, and add_header is an nginx directive's name, but `key = value;` is not nginx.
      'rspamd/actions.conf': 'reject = 15;\nadd_header = 8;\ngreylist = 7;\n',
      'rspamd/multimap.conf': 'RCPT_DOMAIN {\n  type = "rcpt";\n  map = "redis://domain";\n}\n',
      // Manticore/Sphinx (laradock): `index` is nginx's name too, but nginx's index never opens a block.
      'manticore/sphinx.conf': 'index testrt {\n    type = rt\n    rt_field = title\n}\n\nsearchd {\n    listen = 9312\n}\n',
      'nginx/site.conf': 'server {\n    listen 80;\n}\n',
      // A Go template is judged rendered: raw, its first `{{` would open a block after worker_processes.
      'rootfs/defaults/nginx.conf': 'worker_processes {{ .Env.WORKERS | default "4" }};\nevents {}\n',
      // jitsi's jibri.conf: HOCON rendered by tpl, `//` comments and an `http {` nested in a block nginx does not know.
      'jibri/rootfs/defaults/jibri.conf':
        '{{ $PORT := .Env.PORT | default "2222" -}}\njibri {\n    // A unique identifier for this Jibri\n    id = "{{ .Env.ID }}"\n    api {\n        http {\n            external-api-port = {{ $PORT }}\n        }\n    }\n}\n',
      // A map's entries are no statements, yet the file is nginx's.
      'nginx/maps.conf': 'map $http_upgrade $connection_upgrade {\n    default upgrade;\n    "" close;\n}\n',
      // A folder named nginx holds its configs without an extension too (sameersbn/docker-gitlab's nginx/gitlab),
      // beside a Dockerfile and a start script whose `gzip -k9 …;` would read as a directive (Mailu's core/nginx).
      'nginx/gitlab': 'upstream gitlab-workhorse {\n    server 127.0.0.1:8181;\n}\n',
      'nginx/Dockerfile': 'FROM alpine:3.20\nRUN set -eu \\\n  ; gzip -k9 /static/*.ico\n',
      'nginx/start': '#!/bin/sh\nset -e;\ngzip -k9 /static/*.ico;\nexec nginx\n',
      // A folder deeper, with a name no pattern takes (linuxserver's nginx/site-confs/default.conf.sample).
      'nginx/site-confs/default.conf.sample': 'server {\n    listen 443;\n}\n',
    });
    expect((await lintIn(root, ['.'])).files).toEqual(['nginx/gitlab', 'nginx/maps.conf', 'nginx/site.conf', 'rootfs/defaults/nginx.conf']);
    expect((await lintIn(root, ['redis.conf'])).findings.map((finding) => finding.ruleId)).toEqual(['syntax-error']);
  });

  it("a config no Compose file mounts takes its image from the repository's Dockerfile that COPYs it", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // Compose pulls the published image; the repository builds it from docker/Dockerfile.web.
      'compose.yaml': 'services:\n  web:\n    image: example/web:2.0\n',
      'docker/Dockerfile.web':
        'FROM nginx:1.22-alpine\nCOPY ./files/nginx.conf /etc/nginx/nginx.conf\nCOPY ./files/headers.conf /etc/nginx/headers.conf\n',
      'docker/files/headers.conf': 'add_header X-Frame-Options DENY;\n',
      // http2 on appeared in 1.25.1: the image runs 1.22.
      'docker/files/nginx.conf':
        'events {}\nhttp {\n    include /etc/nginx/headers.conf;\n    server {\n        listen 80;\n        http2 on;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['docker/files/nginx.conf']);
    expect(run.results[0]?.nginxVersion?.origin).toBe('../Dockerfile.web:1 image nginx:1.22-alpine');
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[6, 'unknown-directive']]);
  });

  it('a Dockerfile built from the repository root copies its config by the path from there (bitwarden/server: util/Nginx)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // Its workflow builds with `context: .`: no source is under util/Nginx/util/Nginx.
      'util/Nginx/Dockerfile': 'FROM nginx:1.22-alpine\nCOPY util/Nginx/nginx.conf /etc/nginx/nginx.conf\n',
      'util/Nginx/nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n        http2 on;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['.']);
    expect(run.results[0]?.nginxVersion?.origin).toBe('Dockerfile:1 image nginx:1.22-alpine');
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[5, 'unknown-directive']]);
  });

  it('nginx installed from the distribution in an earlier stage, the config copied as a folder: its includes resolve', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // graphite-project/docker-graphite-statsd's shape: `COPY conf /` copies the folder's contents, so
      // conf/etc/nginx/nginx.conf is /etc/nginx/nginx.conf; mime.types is the nginx package's, which a COPY leaves.
      Dockerfile:
        'ARG BASEIMAGE=alpine:3\nFROM $BASEIMAGE as base\nRUN true \\\n && apk add --no-cache \\\n      nginx \\\n      redis\nFROM base as production\nCOPY conf /\n',
      'compose.yaml': 'services:\n  statsd:\n    build:\n      context: .\n    ports: ["80:80"]\n',
      'conf/etc/nginx/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/mime.types;\n    include /etc/nginx/sites-enabled/*;\n}\n',
      // In context (http), `server` is right; linted alone it would be tried as a main config.
      'conf/etc/nginx/sites-enabled/graphite.conf':
        'server {\n    listen 80;\n    location / {\n        proxy_pass http://127.0.0.1:8080;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['conf/etc/nginx/nginx.conf']);
    expect(findings).toEqual([]);
  });

  it("a copy of a host's /etc/nginx in the repository (dokku's image files) is that folder: includes resolve there, with Debian's files for sites-available", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'contrib/images/droplet/files/etc/nginx/sites-available/app':
        'server {\n    listen 80;\n    include snippets/headers.conf;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }\n}\n',
      'contrib/images/droplet/files/etc/nginx/snippets/headers.conf': 'add_headr X-Frame-Options DENY;\n',
    });
    const { findings } = await lintIn(root, ['contrib/images/droplet/files/etc/nginx/sites-available/app']);
    // snippets/ resolves in the copied /etc/nginx (its typo is found there); fastcgi-php.conf is Debian's.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['contrib/images/droplet/files/etc/nginx/snippets/headers.conf', 1, 'unknown-directive'],
    ]);
  });

  it("Debian's nginx package brings proxy_params and snippets/fastcgi-php.conf; Alpine's and nginx.org's do not", async () => {
    const site =
      'server {\n    listen 80;\n    location / {\n        include proxy_params;\n        proxy_pass http://127.0.0.1:8000;\n    }\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n        fastcgi_pass unix:/run/php/php8.2-fpm.sock;\n    }\n}\n';
    const repository = (install: string) =>
      tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile: `FROM debian:12\nRUN ${install}\nCOPY conf/site.conf /etc/nginx/sites-enabled/site.conf\n`,
        'conf/site.conf': site,
      });
    const debian = await lintIn(repository('apt-get update && apt-get install -y nginx'), ['conf/site.conf']);
    expect(debian.findings).toEqual([]);
    const alpine = await lintIn(repository('apk add --no-cache nginx'), ['conf/site.conf']);
    expect(alpine.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [4, 'include-not-found'],
      [8, 'include-not-found'],
    ]);
    // nginx.org's Debian package, installed with apt as well, ships nginx.conf, conf.d/ and the *_params files only.
    const nginxOrg = await lintIn(
      repository(
        'echo "deb https://nginx.org/packages/debian/ bookworm nginx" > /etc/apt/sources.list.d/nginx.list && apt-get update && apt-get install -y nginx',
      ),
      ['conf/site.conf'],
    );
    expect(nginxOrg.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [4, 'include-not-found'],
      [8, 'include-not-found'],
    ]);
  });

  it("nginx installed from a distribution's packages has its release's version (ubuntu:22.04 runs nginx 1.18.0, not 22.04)", async () => {
    expect(await versionOf('FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y nginx')).toEqual({
      version: '1.18.0',
      source: 'image',
      origin: 'Dockerfile:1 nginx package of Ubuntu 22.04 (ubuntu:22.04)',
    });
    // A later stage built on the one that installs it: the first stage's distribution.
    expect(
      (await versionOf('FROM python:3.13-slim-bookworm AS base\nRUN apt-get update && apt-get install -y nginx\nFROM base AS web'))?.version,
    ).toBe('1.22.1');
    // A tag that follows whatever release is current, and nginx.org's own packages: not known, the default.
    expect((await versionOf('FROM python:3.13-slim\nRUN apt-get update && apt-get install -y nginx'))?.source).toBe('default');
    expect(
      (
        await versionOf(
          'FROM debian:12\nRUN echo "deb http://nginx.org/packages/mainline/debian bookworm nginx" > /etc/apt/sources.list.d/nginx.list && apt-get update && apt-get install -y nginx',
        )
      )?.source,
    ).toBe('default');
  });

  it("a pinned nginx package has its pinned release, nginx.org's too (ragflow: ARG NGINX_VERSION=1.31.3-1~noble, apt install nginx=${NGINX_VERSION})", async () => {
    const nginxOrg =
      'RUN echo "deb https://nginx.org/packages/mainline/ubuntu/ noble nginx" > /etc/apt/sources.list.d/nginx.list && \\\n    apt update && apt install -y nginx=${NGINX_VERSION} && apt-mark hold nginx';
    expect(await versionOf(`FROM ubuntu:24.04 AS base\nARG NGINX_VERSION=1.31.3-1~noble\n${nginxOrg}\nFROM base AS production`)).toEqual({
      version: '1.31.3',
      source: 'image',
      origin: 'Dockerfile:3 nginx=1.31.3-1~noble pinned',
    });
    // A pin wins over the distribution release's package version; a pin through a variable nothing sets says nothing.
    expect((await versionOf('FROM alpine:3.19\nRUN apk add nginx=1.26.2-r0'))?.version).toBe('1.26.2');
    expect((await versionOf('FROM rockylinux:9\nRUN yum install -y nginx-1.24.0'))?.version).toBe('1.24.0');
    expect((await versionOf(`FROM ubuntu:24.04\n${nginxOrg}`))?.source).toBe('default');
  });

  it('nginx compiled from source in the Dockerfile (alfg/docker-nginx-rtmp): its version, and the directives of the modules it adds', async () => {
    const rtmp = 'events {}\nrtmp_auto_push on;\nrtmp {\n    server {\n        listen 1935;\n        application live { live on; }\n    }\n}\n';
    const repository = (dockerfile: string) =>
      tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile: dockerfile,
        'nginx.conf': rtmp,
        'compose.yaml': 'services:\n  rtmp:\n    build: .\n',
      });
    // A build stage downloads the release and configures it with a module; the image copies what it installed.
    const staged = [
      'ARG NGINX_VERSION=1.23.1',
      'ARG NGINX_RTMP_VERSION=1.2.2',
      'FROM alpine:3.16.1 AS build-nginx',
      'ARG NGINX_VERSION',
      'ARG NGINX_RTMP_VERSION',
      'RUN wget https://nginx.org/download/nginx-${NGINX_VERSION}.tar.gz && tar zxf nginx-${NGINX_VERSION}.tar.gz',
      'RUN cd /tmp/nginx-${NGINX_VERSION} && \\',
      '  ./configure \\',
      '  --prefix=/usr/local/nginx \\',
      '  --add-module=/tmp/nginx-rtmp-module-${NGINX_RTMP_VERSION} \\',
      '  --conf-path=/etc/nginx/nginx.conf && make && make install',
      'FROM alpine:3.16.1',
      'COPY --from=build-nginx /usr/local/nginx /usr/local/nginx',
      'COPY nginx.conf /etc/nginx/nginx.conf',
      'CMD ["/usr/local/nginx/sbin/nginx"]',
    ].join('\n');
    const built = await lintIn(repository(staged), ['.']);
    expect(built.findings).toEqual([]);
    expect(built.run.results[0]?.nginxVersion).toEqual({
      version: '1.23.1',
      source: 'image',
      origin: 'Dockerfile:7 nginx 1.23.1 built from source',
    });
    // One stage, the legacy ENV form (tiangolo/nginx-rtmp-docker: ENV NGINX_VERSION nginx-1.23.2).
    const single = [
      'FROM buildpack-deps:bullseye',
      'ENV NGINX_VERSION nginx-1.23.2',
      'RUN wget -O ${NGINX_VERSION}.tar.gz https://nginx.org/download/${NGINX_VERSION}.tar.gz',
      'RUN cd /tmp/build/nginx/${NGINX_VERSION} && ./configure --conf-path=/etc/nginx/nginx.conf --with-http_ssl_module --add-module=/tmp/build/nginx-rtmp-module && make install',
      'COPY nginx.conf /etc/nginx/nginx.conf',
    ].join('\n');
    expect((await lintIn(repository(single), ['.'])).run.results[0]?.nginxVersion?.version).toBe('1.23.2');
    // Without modules added, a name nginx-lint does not know is still nginx's "unknown directive".
    const plain = await lintIn(repository(staged.replace(/ {2}--add-module=\S+ \\\n/, '')), ['.']);
    expect(plain.findings.map((finding) => `${finding.line} ${finding.ruleId}`)).toEqual(['2 unknown-directive', '3 unknown-directive']);
  });

  it('a third-party module compiled in (--add-module) needs no load_module line; one added as dynamic (--add-dynamic-module) does', async () => {
    const config = 'load_module modules/ngx_http_js_module.so;\nevents {}\nhttp {\n    brotli on;\n}\n';
    const findingsWith = async (option: string) => {
      const dockerfile = [
        'FROM alpine:3.20',
        'RUN wget https://nginx.org/download/nginx-1.26.2.tar.gz && tar zxf nginx-1.26.2.tar.gz',
        `RUN cd nginx-1.26.2 && ./configure --conf-path=/etc/nginx/nginx.conf --with-compat ${option}=/usr/src/ngx_brotli && make install`,
        'COPY nginx.conf /etc/nginx/nginx.conf',
      ].join('\n');
      const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', Dockerfile: dockerfile, 'nginx.conf': config });
      return (await lintIn(root, ['.'])).findings.map((finding) => `${finding.line} ${finding.ruleId}`);
    };
    expect(await findingsWith('--add-module')).toEqual([]);
    expect(await findingsWith('--add-dynamic-module')).toEqual(['4 module-not-loaded']);
  });

  it('nginx built from a clone of its repository (macbre/docker-nginx-http3): ./auto/configure, options in an ARG, the version the folder names', async () => {
    const dockerfile = [
      'ARG NGINX_VERSION=1.27.3',
      'ARG CONFIG="\\',
      '    --conf-path=/etc/nginx/nginx.conf \\',
      '    --with-http_ssl_module \\',
      '    --add-module=/usr/src/zstd \\',
      '  "',
      'FROM alpine:3.21 AS base',
      'ARG NGINX_VERSION',
      'ARG CONFIG',
      'RUN git clone https://github.com/nginx/nginx.git /usr/src/nginx-$NGINX_VERSION',
      'RUN git clone --depth 1 https://github.com/tokers/zstd-nginx-module.git /usr/src/zstd',
      'RUN cd /usr/src/nginx-$NGINX_VERSION && ./auto/configure $CONFIG && make',
      'FROM alpine:3.21',
      'COPY --from=base /etc/nginx /etc/nginx',
      'COPY --from=base /usr/sbin/nginx /usr/sbin/',
      'COPY nginx.conf /etc/nginx/nginx.conf',
    ].join('\n');
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile: dockerfile,
      'nginx.conf': 'events {}\nhttp {\n    zstd on;\n    server {\n        listen 80;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['.']);
    expect(findings).toEqual([]);
    expect(run.results[0]?.nginxVersion).toEqual({
      version: '1.27.3',
      source: 'image',
      origin: 'Dockerfile:12 nginx 1.27.3 built from source',
    });
  });

  it("a template the start script renders through its own shell function is read where it is rendered (wodby/nginx's _gotpl)", async () => {
    const entrypoint = [
      '#!/usr/bin/env bash',
      '_gotpl() {',
      '    if [[ -f "/etc/gotpl/$1" ]]; then',
      '        gotpl "/etc/gotpl/$1" > "$2"',
      '    fi',
      '}',
      '_gotpl "config/nginx.conf.tmpl" "/etc/nginx/nginx.conf"',
      '_gotpl "vhost.conf.tmpl" "/etc/nginx/conf.d/vhost.conf"',
      '_gotpl "includes/defaults.conf.tmpl" "/etc/nginx/defaults.conf"',
      '_gotpl "presets/${NGINX_VHOST_PRESET}.conf.tmpl" "/etc/nginx/preset.conf"',
      'exec "$@"',
    ].join('\n');
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile:
        'FROM alpine:3.21\nRUN apk add --no-cache nginx\nCOPY templates /etc/gotpl/\nCOPY docker-entrypoint.sh /\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["nginx"]\n',
      'docker-entrypoint.sh': entrypoint,
      'templates/config/nginx.conf.tmpl': 'events {}\nhttp {\n    include {{ getenv "NGINX_CONF_INCLUDE" "conf.d/*.conf" }};\n}\n',
      'templates/vhost.conf.tmpl':
        'server {\n    listen {{ getenv "NGINX_SERVER_PORT" "80" }};\n    include preset.conf;\n    include defaults.conf;\n}\n',
      'templates/includes/defaults.conf.tmpl': 'location = /.well-known/health { return 204; }\n',
    });
    const { findings, run } = await lintIn(root, ['.']);
    // nginx resolves `include defaults.conf` from /etc/nginx, where the script writes it; preset.conf is written
    // there too, from a template the script names through a variable: present, its content unknown.
    expect(findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`)).toEqual([]);
    expect(run.results.map((result) => path.relative(root, result.filePath)).sort()).toContain('templates/vhost.conf.tmpl');
  });

  it("localhost:9000 reaches PHP-FPM of the php:*-fpm image nginx is installed on over ::1 and 127.0.0.1 alike (akaunting's fpm-alpine-nginx)", async () => {
    const findingsWith = async (from: string, port: number) => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'app.Dockerfile': `FROM ${from}\nRUN apk add --no-cache nginx\nCMD ["sh", "-c", "php-fpm -D && nginx -g 'daemon off;'"]\n`,
        'compose.yml':
          'services:\n  app:\n    build:\n      context: .\n      dockerfile: app.Dockerfile\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf\n',
        'nginx/nginx.conf': `events {}\nhttp {\n    upstream php { server localhost:${port}; }\n    server {\n        listen 80;\n        location ~ \\.php$ { fastcgi_pass php; }\n    }\n}\n`,
      });
      return (await lintIn(root, ['.'])).findings.map((finding) => `${finding.line} ${finding.ruleId}`);
    };
    // PHP-FPM's `listen = 9000` binds [::] dual-stack: nothing refused.
    expect(await findingsWith('php:8.1-fpm-alpine3.15', 9000)).toEqual([]);
    // Another port, or an image without PHP-FPM: which address the program binds is not known.
    expect(await findingsWith('php:8.1-fpm-alpine3.15', 9001)).toEqual(['3 proxy-pass-localhost']);
    expect(await findingsWith('php:8.1-cli-alpine', 9000)).toEqual(['3 proxy-pass-localhost']);
  });

  it("localhost:8090 reaches a Go server supervisord starts beside nginx on every address (sameersbn/docker-gitlab's gitlab-pages)", async () => {
    const findingsWith = async (listen: string, nginxProgram = '[program:nginx]\ncommand=/usr/sbin/nginx -g "daemon off;"\n') => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile:
          'FROM ubuntu:24.04\nRUN apt-get update && apt-get install -y nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisor/ /etc/supervisor/conf.d/\nCOPY functions /functions\nCMD ["/usr/bin/supervisord", "-n"]\n',
        'supervisor/nginx.conf': nginxProgram,
        // The program a start script writes, continued over lines as supervisord's ConfigParser reads them.
        functions: `#!/bin/bash\ncat > /etc/supervisor/conf.d/pages.conf <<EOF\n[program:pages]\ncommand=/usr/local/bin/gitlab-pages\n  -pages-root /srv/pages\n  -listen-proxy ${listen}\nuser=git\nEOF\n`,
        'nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://localhost:8090/; }\n    }\n}\n',
      });
      return (await lintIn(root, ['.'])).findings.filter((finding) => finding.ruleId === 'proxy-pass-localhost').map((finding) => finding.line);
    };
    // `:8090` is every address to Go's net.Listen, [::] dual-stack: nothing refused.
    expect(await findingsWith(':8090')).toEqual([]);
    // An IPv4 address, another port, or supervisord configs that start no nginx (another container's): not known.
    expect(await findingsWith('127.0.0.1:8090')).toEqual([5]);
    expect(await findingsWith(':8091')).toEqual([5]);
    expect(await findingsWith(':8090', '[program:cron]\ncommand=/usr/sbin/cron -f\n')).toEqual([5]);
  });

  it('a pass to a loopback port reaches the gunicorn supervisord starts beside nginx: its keep-alive and port are the facts', async () => {
    const findingsWith = async (command: string, pass: string, nginxProgram = '[program:nginx]\ncommand=/usr/sbin/nginx -g "daemon off;"\n') => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile:
          'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisord.conf /etc/supervisor/conf.d/supervisord.conf\nCMD ["/usr/bin/supervisord", "-n"]\n',
        'supervisord.conf': `[supervisord]\nnodaemon=true\n\n${nginxProgram}\n[program:app]\ncommand=${command}\n`,
        'nginx.conf': `events {}\nhttp {\n    upstream app {\n        server ${pass};\n        keepalive 8;\n    }\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n        }\n    }\n}\n`,
      });
      return (await lintIn(root, ['.'])).findings
        .filter((finding) => ['upstream-keepalive-timeout-race', 'proxy-pass-port-mismatch'].includes(finding.ruleId ?? ''))
        .map((finding) => `${finding.line} ${finding.ruleId} ${finding.message}`);
    };
    const gthread = 'gunicorn --bind 127.0.0.1:8000 --threads 4 --keep-alive 2 app:app';
    expect(await findingsWith(gthread, '127.0.0.1:8000')).toEqual([
      '5 upstream-keepalive-timeout-race upstream app keeps idle connections 60s, not less than the 2s of app: POSTs get 502; set keepalive_timeout 1s',
    ]);
    expect((await findingsWith(gthread, 'localhost:8001'))[0]).toBe(
      '4 proxy-pass-port-mismatch server localhost:8001 in upstream app, but localhost (service app) listens on 8000 (supervisord.conf:8 --bind 127.0.0.1:8000): every request gets 502; use localhost:8000',
    );
    // Another interface than loopback, a host that is not nginx's container, a port nothing says: no claim.
    expect(await findingsWith('gunicorn --bind 10.0.0.5:8000 --threads 4 app:app', 'localhost:8001')).toEqual([]);
    expect(await findingsWith(gthread, 'app.internal:8001')).toEqual([]);
    expect(await findingsWith('gunicorn --threads 4 app:app', 'localhost:8001')).toEqual([]);
    // A unix socket is matched by its path: the program listening there, written alike.
    const socket = 'gunicorn --bind unix:/run/gunicorn.sock -k uvicorn.workers.UvicornWorker app:app';
    expect(await findingsWith(socket, 'unix:/run/gunicorn.sock')).toEqual([
      "5 upstream-keepalive-timeout-race upstream app keeps idle connections 60s, not less than the 2s of app (gunicorn (UvicornWorker worker)'s default, assumed): POSTs get 502; set keepalive_timeout 1s",
    ]);
    expect(await findingsWith(socket, 'unix:/run/other.sock')).toEqual([]);
    // supervisord configs that start no nginx are another container's.
    expect(await findingsWith(gthread, 'localhost:8001', '[program:cron]\ncommand=/usr/sbin/cron -f\n')).toEqual([]);
  });

  it('a loopback pass reaches the uWSGI supervisord starts beside nginx: the addresses of its command line and of the ini file it names', async () => {
    const findingsWith = async (program: string, ini: string, pass: string, env = '') => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile: `FROM python:3.12-slim\nRUN apt-get update && apt-get install -y nginx supervisor\n${env}COPY nginx.conf /etc/nginx/nginx.conf\nCOPY supervisord.conf /etc/supervisor/conf.d/supervisord.conf\nCOPY docker/uwsgi.ini /app/uwsgi.ini\nCMD ["/usr/bin/supervisord", "-n"]\n`,
        'supervisord.conf': `[supervisord]\nnodaemon=true\n\n[program:nginx]\ncommand=/usr/sbin/nginx -g "daemon off;"\n\n${program}\n`,
        'docker/uwsgi.ini': ini,
        'nginx.conf': `events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://${pass}; }\n    }\n}\n`,
      });
      return (await lintIn(root, ['.'])).findings
        .filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')
        .map((finding) => finding.message);
    };
    const ini = '[uwsgi]\nmodule = app:app\nhttp-socket = 127.0.0.1:8000\nsocket = /tmp/uwsgi.sock\n';
    expect(await findingsWith('[program:app]\ncommand=uwsgi --ini /app/uwsgi.ini', ini, '127.0.0.1:8000')).toEqual([]);
    expect(await findingsWith('[program:app]\ncommand=uwsgi --ini /app/uwsgi.ini', ini, '127.0.0.1:8080')).toEqual([
      'proxy_pass to 127.0.0.1:8080, but 127.0.0.1 (service app) listens on 8000 (supervisord.conf:8 docker/uwsgi.ini:3 http-socket = 127.0.0.1:8000): every request gets 502; use 127.0.0.1:8000',
    ]);
    // Each of several sockets is a port it listens on; the command line's and the ini file's alike.
    expect(await findingsWith('[program:app]\ncommand=uwsgi --ini /app/uwsgi.ini --stats :8080', ini, '127.0.0.1:8080')).toEqual([]);
    // An ini file the image does not hold from the repository, or a UWSGI_* variable of its environment=: not known.
    expect(await findingsWith('[program:app]\ncommand=uwsgi --ini /etc/uwsgi/app.ini', ini, '127.0.0.1:8080')).toEqual([]);
    expect(await findingsWith('[program:app]\ncommand=uwsgi --http :8000\nenvironment=UWSGI_SOCKET=":8080"', ini, '127.0.0.1:8080')).toEqual([]);
    expect(await findingsWith('[program:app]\ncommand=uwsgi --http :8000\nenvironment=UWSGI_PROCESSES="4"', ini, '127.0.0.1:8080')).toEqual([]);
    // Nor one the image's ENV gives supervisord, which its programs inherit.
    expect(await findingsWith('[program:app]\ncommand=uwsgi --http :8000', ini, '127.0.0.1:8080')).toHaveLength(1);
    expect(await findingsWith('[program:app]\ncommand=uwsgi --http :8000', ini, '127.0.0.1:8080', 'ENV UWSGI_SOCKET=:8080\n')).toEqual([]);
  });

  it("a loopback fastcgi_pass reaches the PHP-FPM supervisord starts beside nginx: the listen of the pool file the image COPYs (pterodactyl's www.conf as php-fpm.conf)", async () => {
    const findingsWith = async (pool: string, pass: string, run = '') => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile: `FROM php:8.2-fpm-alpine\nRUN apk add --no-cache nginx supervisor\nCOPY nginx.conf /etc/nginx/nginx.conf\nCOPY docker/www.conf /usr/local/etc/php-fpm.conf\n${run}COPY docker/supervisord.conf /etc/supervisord.conf\nCMD ["supervisord", "-n", "-c", "/etc/supervisord.conf"]\n`,
        'docker/supervisord.conf':
          "[supervisord]\nnodaemon=true\n\n[program:php-fpm]\ncommand=/usr/local/sbin/php-fpm -F\n\n[program:nginx]\ncommand=/usr/sbin/nginx -g 'daemon off;'\n",
        'docker/www.conf': pool,
        'nginx.conf': `events {}\nhttp {\n    server {\n        listen 80;\n        location ~ \\.php$ { fastcgi_pass ${pass}; }\n    }\n}\n`,
      });
      return (await lintIn(root, ['.'])).findings
        .filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')
        .map((finding) => finding.message);
    };
    const pool = '[www]\nuser = nginx\nlisten = 127.0.0.1:9000\npm = ondemand\n';
    expect(await findingsWith(pool, '127.0.0.1:9000')).toEqual([]);
    expect(await findingsWith(pool, '127.0.0.1:9001')).toEqual([
      'fastcgi_pass to 127.0.0.1:9001, but 127.0.0.1 (service php-fpm) listens on 9000 (docker/supervisord.conf:5 docker/www.conf:3 listen = 127.0.0.1:9000): every request gets 502; use 127.0.0.1:9000',
    ]);
    // A pool that listens on a variable the environment fills in: not known.
    expect(await findingsWith('[www]\nlisten = ${FPM_LISTEN}\n', '127.0.0.1:9001')).toEqual([]);
    // A pool file the build edits in place is not the repository's copy.
    expect(await findingsWith(pool, '127.0.0.1:9001', 'RUN sed -i -e "s/127.0.0.1:9000/127.0.0.1:9001/" /usr/local/etc/php-fpm.conf\n')).toEqual([]);
  });

  it("reads the pool file an Alpine image COPYs over its package's www.conf, its destination written with the image's ENV (TrafeX/docker-php-nginx)", async () => {
    const findingsWith = async (pass: string) => {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        Dockerfile:
          'FROM alpine:3.23\nRUN apk add --no-cache nginx php85-fpm supervisor\nCOPY config/nginx.conf /etc/nginx/nginx.conf\nENV PHP_VERSION=85\nENV PHP_INI_DIR="/etc/php${PHP_VERSION}"\nCOPY config/fpm-pool.conf ${PHP_INI_DIR}/php-fpm.d/www.conf\nCOPY config/supervisord.conf /etc/supervisor/conf.d/supervisord.conf\nCMD ["/usr/bin/supervisord", "-c", "/etc/supervisor/conf.d/supervisord.conf"]\n',
        'config/supervisord.conf':
          "[supervisord]\nnodaemon=true\n\n[program:php-fpm]\ncommand=php-fpm85 -F\n\n[program:nginx]\ncommand=nginx -g 'daemon off;'\n",
        'config/fpm-pool.conf': '[global]\nerror_log = /dev/stderr\n\n[www]\nlisten = 127.0.0.1:9000\npm = ondemand\n',
        'config/nginx.conf': `events {}\nhttp {\n    server {\n        listen 8080;\n        location ~ \\.php$ { fastcgi_pass ${pass}; }\n    }\n}\n`,
      });
      return (await lintIn(root, ['.'])).findings
        .filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')
        .map((finding) => finding.message);
    };
    expect(await findingsWith('127.0.0.1:9000')).toEqual([]);
    expect(await findingsWith('127.0.0.1:9001')).toEqual([
      'fastcgi_pass to 127.0.0.1:9001, but 127.0.0.1 (service php-fpm) listens on 9000 (config/supervisord.conf:5 config/fpm-pool.conf:5 listen = 127.0.0.1:9000): every request gets 502; use 127.0.0.1:9000',
    ]);
  });

  it('takes no nginx version from the tag of an nginx-* image that versions itself (nginxproxy/nginx-proxy:1.5 is no nginx 1.5)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  proxy:\n    image: nginxproxy/nginx-proxy:1.5\n    volumes: ["./proxy.conf:/etc/nginx/conf.d/proxy.conf"]\n',
      'proxy.conf': 'server {\n    listen 80;\n    http2 on;\n}\n',
    });
    const { findings, run } = await lintIn(root, ['proxy.conf']);
    // Read as nginx 1.5.x, `http2 on` (1.25.1) would be an unknown directive.
    expect(findings).toEqual([]);
    expect(run.results[0]?.nginxVersion?.source).toBe('default');
  });

  it("a config for an old distribution's nginx is checked against that nginx (seafile-docker: `ssl on;` on phusion/baseimage:focal)", async () => {
    const site =
      'server {\n    listen 443;\n    ssl on;\n    ssl_certificate /shared/ssl/cert.pem;\n    ssl_certificate_key /shared/ssl/key.pem;\n}\n';
    const repository = (dockerfile: string) =>
      tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'image/Dockerfile': dockerfile,
        'image/templates/seafile.nginx.conf.template': site,
      });
    // Ubuntu 20.04's nginx 1.18.0 still has `ssl` (removed in 1.25.1; nginx 1.22.1 measured: a deprecation warning,
    // `nginx -t` successful), also when the stage installing it is built on by a later one.
    for (const dockerfile of [
      'FROM phusion/baseimage:focal-1.0.0\nRUN apt-get install -y nginx\nCOPY templates /templates\n',
      'FROM debian:bullseye-slim AS base\nRUN apt-get install -y nginx\nFROM base AS final\nCOPY templates /templates\n',
    ]) {
      const { findings } = await lintIn(repository(dockerfile), ['.']);
      expect(findings, dockerfile).toEqual([]);
    }
    // nginx.org's repository gives its newest nginx whatever the distribution: the default version is assumed.
    const nginxOrg = await lintIn(
      repository(
        'FROM phusion/baseimage:focal-1.0.0\nRUN echo "deb http://nginx.org/packages/ubuntu focal nginx" > /etc/apt/sources.list.d/nginx.list\nRUN apt-get install -y nginx\nCOPY templates /templates\n',
      ),
      ['.'],
    );
    expect(nginxOrg.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[3, 'unknown-directive']]);
  });

  it("nginx installed in a RUN here-document, on a FROM named through a global ARG (misp-docker's core/Dockerfile)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'core/Dockerfile': [
        'ARG DOCKER_HUB_PROXY=""',
        'FROM "${DOCKER_HUB_PROXY}python:3.14-slim-trixie" AS php-base',
        'RUN <<-EOF',
        '        apt-get update',
        '        apt-get install -y --no-install-recommends \\',
        '            sudo \\',
        '            nginx \\',
        '            jq',
        'EOF',
        'FROM php-base',
        'RUN rm /etc/nginx/sites-enabled/*',
        'COPY files/ /',
        '',
      ].join('\n'),
      'core/files/etc/nginx/sites-available/misp':
        'server {\n    listen 80;\n    location ~ \\.php$ {\n        include snippets/fastcgi-php.conf;\n        fastcgi_pass unix:/run/php/php-fpm.sock;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['.']);
    // Debian's package is installed, so its snippets/fastcgi-php.conf is there; Debian 13's nginx is 1.26.3.
    expect(findings).toEqual([]);
    expect(run.results[0]?.nginxVersion).toMatchObject({ version: '1.26.3', source: 'image' });
  });

  it('a pinned package is installed nginx too (pixelfed: apt-get install nginx=${NGINX_VERSION}*, apk add nginx=1.24.0-r1)', async () => {
    for (const install of [
      'apt-get install -y --no-install-recommends nginx=${NGINX_VERSION}*',
      'apk add nginx=1.24.0-r1',
      'yum install -y nginx-1.24.0',
    ]) {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'compose.yaml': 'services:\n  web:\n    build: .\n',
        Dockerfile: `FROM php:8.3-fpm AS base\nFROM base AS nginx-runtime\nRUN ${install}\nCOPY nginx.conf /etc/nginx/nginx.conf\n`,
        'nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/mime.types;\n}\n',
      });
      // The package's mime.types is known: no include warning.
      expect((await lintIn(root, ['nginx.conf'])).findings, install).toEqual([]);
    }
  });

  it("takes no nginx version from an app's own image with nginx inside (acme/shop:1.24.0 is the shop's version)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  web:\n    image: acme/shop:1.24.0\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf"]\n',
      'nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n        http2 on;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['nginx.conf']);
    // Read as nginx 1.24.0, `http2 on` (1.25.1) would be an unknown directive.
    expect(findings).toEqual([]);
    expect(run.results[0]?.nginxVersion?.source).toBe('default');
  });

  it("an image a Compose service of the repository builds is that build wherever it is named (mediacms: web runs mediacms/mediacms, built elsewhere with apt's nginx)", async () => {
    const files = {
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile:
        'FROM python:3.13-slim-bookworm AS base\nRUN apt-get update && apt-get install -y supervisor nginx\nCOPY . /srv/app\nFROM base AS full\n',
      'compose.yaml': 'services:\n  web:\n    image: acme/shop:latest\n    volumes:\n      - ./:/srv/app/\n',
      'deploy/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/mime.types;\n    include /etc/nginx/proxy_params;\n}\n',
    };
    const builtElsewhere = { ...files, 'dev/compose.dev.yaml': 'services:\n  web:\n    build:\n      context: ..\n    image: acme/shop\n' };
    // The dev file builds acme/shop (no tag: latest) from the Dockerfile that installs Debian's nginx: its files are known.
    expect((await lintIn(tree(builtElsewhere), ['deploy/nginx.conf'])).findings).toEqual([]);
    // With no service building that image, nothing says what it holds.
    expect((await lintIn(tree(files), ['deploy/nginx.conf'])).findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [3, 'include-not-found'],
      [4, 'include-not-found'],
    ]);
  });

  it('…only a Dockerfile in a folder above the config: one beside it cannot reach out of its build context', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // docker build refuses `../` sources ("forbidden path outside the build context"): this image has no such file.
      'images/Dockerfile': 'FROM nginx:1.22-alpine\nCOPY ../site/nginx.conf /etc/nginx/nginx.conf\n',
      'site/Dockerfile': 'FROM nginx:1.27-alpine\nCOPY nginx.conf /etc/nginx/nginx.conf\n',
      'site/nginx.conf': 'events {}\nhttp {\n    server {\n        listen 80;\n        http2 on;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['site/nginx.conf']);
    expect(run.results[0]?.nginxVersion?.origin).toBe('Dockerfile:1 image nginx:1.27-alpine');
    expect(findings).toEqual([]);
  });
});

describe('the server a start script of the repository runs', () => {
  // An image that runs nginx and its app from one start script, nothing declared.
  const oneContainer = (script: string, pass: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile:
        'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y nginx\nCOPY site.conf /etc/nginx/conf.d/default.conf\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
      'start.sh': `#!/bin/sh\n${script}`,
      'site.conf': `server {\n    listen 80;\n    location / {\n        proxy_pass http://${pass};\n    }\n}\n`,
    });
  const mismatches = async (root: string) =>
    (await lintIn(root, ['.'])).findings.filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch').map((finding) => finding.message);

  it('the app a start script runs beside the nginx it starts is where nginx proxies on loopback', async () => {
    expect(await mismatches(oneContainer('nginx\nexec gunicorn -b 127.0.0.1:8000 app:app\n', '127.0.0.1:8080'))).toEqual([
      expect.stringContaining('start.sh:3 -b 127.0.0.1:8000'),
    ]);
    expect(await mismatches(oneContainer('gunicorn -b 127.0.0.1:8000 app:app &\nexec nginx -g "daemon off;"\n', '127.0.0.1:8000'))).toEqual([]);
    // Another program in the foreground, whose port is not known, may be the one on 3000.
    expect(await mismatches(oneContainer('nginx\ngunicorn -b 127.0.0.1:8000 app:app &\nnode other.js\n', '127.0.0.1:3000'))).toEqual([]);
  });

  const ctfd = (script: string, environment = '') => ({
    '.git/HEAD': 'ref: refs/heads/main\n',
    'docker-compose.yml': `services:\n  app:\n    build: .\n${environment}  nginx:\n    image: nginx:1.30.0\n    volumes:\n      - ./conf/nginx.conf:/etc/nginx/nginx.conf\n`,
    Dockerfile: 'FROM python:3.11-slim\nWORKDIR /opt/app\nCOPY . /opt/app\nENTRYPOINT ["/opt/app/docker-entrypoint.sh"]\n',
    'docker-entrypoint.sh': script,
    'conf/nginx.conf':
      'events {}\nhttp {\n    upstream app_servers {\n        server app:8000;\n    }\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://app_servers;\n        }\n    }\n}\n',
  });
  const gunicorn =
    '#!/bin/bash\nWORKER_CLASS=${WORKER_CLASS:-gevent}\nflask db upgrade\nexec gunicorn app --bind 0.0.0.0:8000 --worker-class "$WORKER_CLASS"\n';

  it("CTFd: the Dockerfile's ENTRYPOINT is a script that execs gunicorn's gevent worker (2s keep-alive) behind nginx 1.30's default pool", async () => {
    const { findings } = await lintIn(tree(ctfd(gunicorn)), ['conf/nginx.conf']);
    // (Line 4 of docker-compose.yml: nginx waits for nothing, while it resolves app at start-up.)
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [3, 'upstream-keepalive-timeout-race'],
      [4, 'compose-depends-on-unhealthy'],
    ]);
    expect(findings[0]!.message).toContain('gunicorn (gevent worker)');
  });

  it("the service's environment picks the worker: the sync worker closes every connection, so there is no race", async () => {
    const { findings } = await lintIn(tree(ctfd(gunicorn, '    environment:\n      - WORKER_CLASS=sync\n')), ['conf/nginx.conf']);
    // Only the start order of the Compose file, nothing of keep-alive.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker-compose.yml', 6, 'compose-depends-on-unhealthy'],
    ]);
  });

  it("a script that execs uWSGI: the ports of every socket of the ini file it names, read where the image's COPY puts it", async () => {
    const portFindings = async (ini: string) => {
      const files = { ...ctfd('#!/bin/sh\nset -e\nexec uwsgi --ini /opt/app/uwsgi.ini\n'), 'uwsgi.ini': ini };
      return (await lintIn(tree(files), ['conf/nginx.conf'])).findings
        .filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')
        .map((finding) => finding.message);
    };
    expect(await portFindings('[uwsgi]\nhttp-socket = :8080\nsocket = :3031\n')).toEqual([
      'server app:8000 in upstream app_servers, but app listens on 8080 (../docker-entrypoint.sh:3 ../uwsgi.ini:2 http-socket = :8080) or 3031 (../docker-entrypoint.sh:3 ../uwsgi.ini:3 socket = :3031): every request gets 502; use one of these ports',
    ]);
    expect(await portFindings('[uwsgi]\nhttp-socket = :8080\nsocket = :8000\n')).toEqual([]);
    // Placeholders say nothing certain about where it listens.
    expect(await portFindings('[uwsgi]\nhttp-socket = :%(port)\n')).toEqual([]);
    // Nor does an ini file the start script edits in place.
    const edited = {
      ...ctfd('#!/bin/sh\nsed -i "s/:8080/:8000/" /opt/app/uwsgi.ini\nexec uwsgi --ini /opt/app/uwsgi.ini\n'),
      'uwsgi.ini': '[uwsgi]\nhttp-socket = :8080\n',
    };
    expect((await lintIn(tree(edited), ['conf/nginx.conf'])).findings.filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')).toEqual([]);
  });

  it('an ENTRYPOINT through tini runs the script: its `umask 0 && exec gunicorn` is the server, unless the script also starts a daemon', async () => {
    const portFindings = async (script: string) => {
      const files = {
        ...ctfd(script),
        Dockerfile: 'FROM python:3.13-alpine\nWORKDIR /opt/app\nCOPY . ./\nENTRYPOINT ["/sbin/tini", "--", "/opt/app/boot.sh"]\n',
        'boot.sh': script,
      };
      return (await lintIn(tree(files), ['conf/nginx.conf'])).findings
        .filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch')
        .map((finding) => finding.message);
    };
    const boot = (before: string) =>
      `#!/bin/sh\nTHREADS="\${THREADS:-2}"\n${before}\numask 0 && exec gunicorn --bind 0.0.0.0:8080 --threads $THREADS app.wsgi\n`;
    expect(await portFindings(boot('python manage.py migrate'))).toEqual([
      'server app:8000 in upstream app_servers, but app listens on 8080 (../boot.sh:4 --bind 0.0.0.0:8080): every request gets 502; use app:8080',
    ]);
    // Its own nginx, started before gunicorn, listens too, where nginx-lint does not read: no port is claimed.
    expect(await portFindings(boot("nginx -g 'pid /tmp/nginx.pid;'"))).toEqual([]);
  });

  it('a script that execs its arguments says nothing of its own: the CMD is the server', async () => {
    const files = ctfd('#!/bin/sh\nset -e\nexec "$@"\n');
    const { findings } = await lintIn(
      tree({ ...files, Dockerfile: `${files.Dockerfile}CMD ["uvicorn", "app:app", "--host", "0.0.0.0", "--port", "8000"]\n` }),
      ['conf/nginx.conf'],
    );
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [3, 'upstream-keepalive-timeout-race'],
      [4, 'compose-depends-on-unhealthy'],
    ]);
    expect(findings[0]!.message).toContain('uvicorn');
  });
});

describe('templates rendered by start scripts', () => {
  it('envsubst < SRC > DEST in a script copied into the image makes DEST the rendered template: its resolver counts', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'images/Dockerfile': [
        'FROM nginx:1.25-alpine',
        'COPY ./files/nginx.conf.template /tmp/nginx.conf.template',
        'COPY ./files/resolvers.conf.template /tmp/resolvers.conf.template',
        'COPY ./files/entrypoint.sh /entrypoint.sh',
        '',
      ].join('\n'),
      // ${A:-$B}: a default that is itself a variable gives no value; the placeholder stays unjudged.
      'images/files/entrypoint.sh':
        '#!/bin/sh\nexport INTERNAL_RESOLVER=${INTERNAL_RESOLVER:-$DEFAULT_RESOLVER}\nenvsubst "\\$INTERNAL_RESOLVER" \\\n  < /tmp/resolvers.conf.template > /etc/nginx/http.d/resolvers.conf\nexec "$@"\n',
      'images/files/resolvers.conf.template': 'resolver $INTERNAL_RESOLVER valid=10s;\n',
      'images/files/nginx.conf.template':
        'events {}\nhttp {\n    include /etc/nginx/http.d/*.conf;\n    server {\n        listen 80;\n        location / {\n            proxy_pass https://fonts.example.com$request_uri;\n            proxy_ssl_server_name on;\n        }\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    expect(findings).toEqual([]);
  });

  it("cp SRC DEST in the script the image starts with puts the repository's file where nginx reads it (pterodactyl: ENTRYPOINT [ash, .github/docker/entrypoint.sh], WORKDIR /app)", async () => {
    const files = (copy: string) => ({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile: [
        'FROM nginx:1.27-alpine',
        'WORKDIR /app',
        'COPY . ./',
        'COPY docker/nginx.conf /etc/nginx/nginx.conf',
        'ENTRYPOINT ["/bin/ash", "docker/entrypoint.sh"]',
        '',
      ].join('\n'),
      'docker/entrypoint.sh': `#!/bin/ash\nif [ "$SSL" = "true" ]; then\n    ${copy}\nfi\nexec nginx -g 'daemon off;'\n`,
      'docker/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/panel.conf;\n}\n',
      // Read through the include, in the server context: its events-only directive is an error there.
      'docker/site-http.conf': 'server {\n    listen 80;\n    worker_connections 512;\n}\n',
    });
    for (const copy of ['cp docker/site-http.conf /etc/nginx/conf.d/panel.conf', 'cp -f /app/docker/site-http.conf /etc/nginx/conf.d/panel.conf']) {
      const { findings } = await lintIn(tree(files(copy)), ['docker/nginx.conf']);
      expect(
        findings.map((finding) => [finding.file, finding.line, finding.ruleId]),
        copy,
      ).toEqual([['docker/site-http.conf', 3, 'directive-not-allowed-here']]);
    }
    // Copied into a folder: the file keeps its name there, which is not the included one.
    const { findings } = await lintIn(tree(files('cp docker/site-http.conf /etc/nginx/conf.d/')), ['docker/nginx.conf']);
    expect(findings.map((finding) => finding.ruleId)).toEqual(['include-not-found']);
  });

  it("lines the start script deletes with sed -i '/RE/d' after envsubst are not read (openwisp's __UNSET__ sentinel); other sed edits are not followed", async () => {
    const repository = (sed: string) =>
      tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'images/Dockerfile':
          'FROM nginx:1.27-alpine\nWORKDIR /etc/nginx/\nCOPY ./common/init.sh ./nginx/ /etc/nginx/\nENV RLIMIT=__UNSET__\nCMD ["sh", "init.sh"]\n',
        'images/common/init.sh': `#!/bin/sh\nenvsubst </etc/nginx/nginx.template.conf >/etc/nginx/nginx.conf\n${sed} /etc/nginx/nginx.conf\nnginx -g 'daemon off;'\n`,
        'images/nginx/nginx.template.conf': 'worker_rlimit_nofile ${RLIMIT};\nevents {}\nhttp {\n    server { listen 80; }\n}\n',
      });
    const deleted = await lintIn(repository("sed -i '/__UNSET__/d; /^[[:space:]]*$/d'"), ['images/nginx/nginx.template.conf']);
    expect(deleted.findings).toEqual([]);
    // A substitution nginx-lint does not model: the line is judged as rendered, and nginx refuses __UNSET__.
    const substituted = await lintIn(repository("sed -i 's/__UNSET__/4096/'"), ['images/nginx/nginx.template.conf']);
    expect(substituted.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[1, 'invalid-value']]);
  });

  it("lines the start script deletes by number (instana/robot-shop: sed -i '1,3d' drops the tracing directives when no tracer is loaded)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'web/Dockerfile':
        'FROM nginx:1.21.6\nENV CATALOGUE_HOST=catalogue\nCOPY entrypoint.sh /root/\nENTRYPOINT ["/root/entrypoint.sh"]\nCOPY default.conf.template /etc/nginx/conf.d/default.conf.template\n',
      'web/entrypoint.sh': [
        '#!/usr/bin/env bash',
        "envsubst '${CATALOGUE_HOST}' < /etc/nginx/conf.d/default.conf.template > /etc/nginx/conf.d/default.conf",
        'if [ -f /tmp/ngx_http_opentracing_module.so ]',
        'then',
        '    echo "Patching for tracing"',
        'else',
        "    sed -i '1,3d' /etc/nginx/conf.d/default.conf",
        'fi',
        'exec nginx-debug -g "daemon off;"',
        '',
      ].join('\n'),
      'web/default.conf.template':
        '# tracing\nopentracing_load_tracer /usr/local/lib/libinstana_sensor.so /etc/instana-config.json;\nopentracing_propagate_context;\n\nserver {\n    listen 8080;\n    location /api/catalogue/ { proxy_pass http://${CATALOGUE_HOST}:8080/; }\n}\n',
    });
    const { findings } = await lintIn(root, ['web/default.conf.template']);
    expect(findings).toEqual([]);
  });
});

describe('what the image build and its start scripts do to files', () => {
  // zabbix's web-nginx images: the entrypoint fills `{NAME}` placeholders in with `sed -i`, its values from defaults.
  const zabbixLike = (uploadDefault: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'web/Dockerfile':
        'FROM alpine:3.20\nRUN apk add --no-cache nginx php83-fpm\nCOPY ["conf/etc/", "/etc/"]\nCOPY ["docker-entrypoint.sh", "/usr/bin/"]\nENTRYPOINT ["docker-entrypoint.sh"]\n',
      'web/docker-entrypoint.sh': [
        '#!/bin/bash',
        'ZABBIX_ETC_DIR="/etc/zabbix"',
        'UPLOAD_MAX_SIZE=${UPLOAD_MAX_SIZE:-' + uploadDefault + '}',
        'FCGI_READ_TIMEOUT=$(expr ${ZBX_MAXEXECUTIONTIME} + 1)',
        'sed -i \\',
        '    -e "s/{FCGI_READ_TIMEOUT}/${FCGI_READ_TIMEOUT}/g" \\',
        '"$ZABBIX_ETC_DIR/nginx.conf"',
        ': ${HTTP_INDEX_FILE:="index.php"}',
        'sed -i -e "s/{HTTP_INDEX_FILE}/${HTTP_INDEX_FILE}/g" "$ZABBIX_ETC_DIR/nginx.conf"',
        'sed -e "s#@UPLOAD_MAX_SIZE@#$UPLOAD_MAX_SIZE#g" /tpls/nginx.conf > /etc/nginx/nginx.conf',
        'exec supervisord',
        '',
      ].join('\n'),
      'web/conf/etc/zabbix/nginx.conf':
        'server {\n    listen 8080;\n    index {HTTP_INDEX_FILE};\n    client_max_body_size @UPLOAD_MAX_SIZE@;\n    location ~ \\.php$ {\n        fastcgi_pass unix:/tmp/php-fpm.sock;\n        fastcgi_index {HTTP_INDEX_FILE};\n        fastcgi_read_timeout {FCGI_READ_TIMEOUT};\n    }\n}\n',
    });

  it("fills in the placeholders a start script's sed replaces: the script's value, or an unknown word nothing judges", async () => {
    // Unrendered, nginx 1.22.1 refuses `index {HTTP_INDEX_FILE};`: directive "index" is not terminated by ";".
    expect((await lintIn(zabbixLike('16M'), ['.'])).findings).toEqual([]);
    // The value is the script's: a default nginx refuses is reported where the placeholder stands.
    const bad = await lintIn(zabbixLike('16X'), ['.']);
    expect(bad.findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['web/conf/etc/zabbix/nginx.conf', 4, 'invalid-value'],
    ]);
  });

  // webdevops/Dockerfile's php-nginx images: nginx from the distribution through the base image's `apt-install` wrapper,
  // the configs COPYed under /opt/docker, `<NAME>` placeholders filled in by go-replace from the image's ENV.
  const webdevopsLike = (timeout: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'php-nginx/Dockerfile': `FROM webdevops/php:8.2\nENV WEB_PHP_TIMEOUT=${timeout}\nENV WEB_PHP_SOCKET=""\nCOPY conf/ /opt/docker/\nRUN set -x && apt-install nginx && docker-run-bootstrap\n`,
      'php-nginx/conf/provision/entrypoint.d/20-nginx.sh':
        '# Replace markers\ngo-replace \\\n    -s "<PHP_TIMEOUT>" -r "$WEB_PHP_TIMEOUT" \\\n    -s "<PHP_SOCKET>" -r "$WEB_PHP_SOCKET" \\\n    --path=/opt/docker/etc/nginx/ \\\n    --path-pattern=\'*.conf\' \\\n    --ignore-empty\n' +
        'if [[ -z "$WEB_PHP_SOCKET" ]]; then\n    rm -f -- /opt/docker/etc/nginx/conf.d/10-php.conf\nfi\n',
      // Left as `<PHP_SOCKET>` by --ignore-empty when the image sets no socket, and then deleted.
      'php-nginx/conf/etc/nginx/conf.d/10-php.conf': 'upstream php {\n    server <PHP_SOCKET>;\n}\n',
      'php-nginx/conf/etc/nginx/vhost.conf': 'server {\n    listen 80;\n    include /opt/docker/etc/nginx/vhost.common.d/*.conf;\n}\n',
      'php-nginx/conf/etc/nginx/vhost.common.d/10-php.conf':
        'location ~ \\.php$ {\n    fastcgi_pass 127.0.0.1:9000;\n    fastcgi_read_timeout <PHP_TIMEOUT>;\n}\n',
    });

  it("reads a distribution's nginx installed through a base image's wrapper, and fills in go-replace's <NAME> placeholders", async () => {
    // Unrendered, nginx refuses `fastcgi_read_timeout <PHP_TIMEOUT>;`; the include resolves through the COPY.
    expect((await lintIn(webdevopsLike('600'), ['.'])).findings).toEqual([]);
    const bad = await lintIn(webdevopsLike('10x'), ['.']);
    expect(bad.findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['php-nginx/conf/etc/nginx/vhost.common.d/10-php.conf', 3, 'invalid-value'],
    ]);
  });

  it('a conf.d beside nginx.conf that the image COPYs elsewhere is not the mount /etc/nginx/conf.d/*.conf lacks', async () => {
    // webdevops' variants each COPY conf/ to /opt/docker; the image's bootstrap links into nginx's own conf.d.
    const variant = (folder: string) => ({
      [`${folder}/Dockerfile`]: 'FROM webdevops/base:alpine\nCOPY conf/ /opt/docker/\nRUN set -x && apk-install nginx\n',
      [`${folder}/conf/etc/nginx/conf.d/10-php.conf`]: 'upstream php {\n    server 127.0.0.1:9000;\n}\n',
    });
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      ...variant('docker/nginx/alpine'),
      ...variant('docker/php-nginx/8.2'),
      'docker/nginx/alpine/conf/etc/nginx/nginx.conf': 'events {}\nhttp {\n    include /etc/nginx/conf.d/*.conf;\n}\n',
    });
    expect((await lintIn(root, ['.'])).findings).toEqual([]);
  });

  // coreruleset/modsecurity-crs-docker: the image renders the template, then an entrypoint.d script replaces the bare
  // word PROXY_SSL_CONFIG (alone on its line) with an include or nothing, its sed command quoted in pieces.
  const coreRuleSetLike = (directive: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'nginx/Dockerfile':
        'FROM nginx:1.28.0\nENV PORT=8080 PROXY_SSL=off\nCOPY nginx/docker-entrypoint.d/*.sh /docker-entrypoint.d/\nCOPY nginx/templates /etc/nginx/templates/\n',
      'nginx/docker-entrypoint.d/93-update-proxy-ssl-config.sh': [
        '#!/bin/sh',
        'PROXY_SSL_CONFIG=""',
        'if [ "${PROXY_SSL}" = "on" ]; then',
        '    PROXY_SSL_CONFIG="include includes/proxy_backend_ssl.conf;"',
        'fi',
        `sed -i.bak -r 's#PROXY_SSL_CONFIG#'"\${PROXY_SSL_CONFIG}"'#' /etc/nginx/conf.d/default.conf`,
        '',
      ].join('\n'),
      'nginx/templates/conf.d/default.conf.template': `server {\n    listen \${PORT} default_server;\n\n    PROXY_SSL_CONFIG\n\n    location / {\n        ${directive}\n    }\n}\n`,
    });

  it("fills in a bare-word placeholder an entrypoint's sed replaces after envsubst, and still renders the template's variables", async () => {
    // Unrendered, nginx would read `PROXY_SSL_CONFIG location / {…}` as one directive: unknown directive.
    expect((await lintIn(coreRuleSetLike('return 200;'), ['.'])).findings).toEqual([]);
    // The template is still rendered and judged: an error after the placeholder is reported at its own line.
    const bad = await lintIn(coreRuleSetLike('client_max_body_size 16X;'), ['.']);
    expect(bad.findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['nginx/templates/conf.d/default.conf.template', 7, 'invalid-value'],
    ]);
  });

  // huly-selfhost: nginx.sh copies .template.nginx.conf to nginx.conf, then rewrites each empty statement whole with sed.
  const hulyLike = (script: string) =>
    tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'nginx.sh': script,
      '.template.nginx.conf':
        'server {\n    server_name ;\n    listen ;\n    client_max_body_size 10m;\n    location / {\n        proxy_pass ;\n        proxy_read_timeout ;\n    }\n}\n',
    });
  const HULY_SCRIPT = [
    '#!/bin/bash',
    'cp .template.nginx.conf nginx.conf',
    'sed -i.bak "s|server_name .*;|server_name ${HOST_ADDRESS};|" ./nginx.conf',
    'sed -i.bak "s|proxy_pass .*;|proxy_pass http://${HTTP_BIND:-127.0.0.1}:${HTTP_PORT};|" ./nginx.conf',
    'sed -i.bak "s|client_max_body_size .*;|client_max_body_size 1X;|" ./nginx.conf',
    'if [[ -n "$SECURE" ]]; then',
    "    sed -i.bak -E 's|(listen )(.*:)?([0-9]+)?;|\\1443 ssl;|' ./nginx.conf",
    'else',
    '    sed -i.bak -E "s|(listen )(.*:)?([0-9]+)?;|\\1\\280;|" ./nginx.conf',
    'fi',
    'sed -i "s|^\\s*proxy_read_timeout .*|    proxy_read_timeout ${READ_TIMEOUT:-5X};|" ./nginx.conf',
    '',
  ].join('\n');

  it("fills in the statements a start script's sed rewrites whole: the value it writes, or an unknown word nothing judges", async () => {
    // As written, nginx refuses `server_name ;`, `listen ;` and `proxy_pass ;`: invalid number of arguments.
    const bare = await lintIn(hulyLike('#!/bin/bash\necho nothing\n'), ['.template.nginx.conf']);
    expect(bare.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([
      [2, 'invalid-arguments'],
      [3, 'invalid-arguments'],
      [6, 'invalid-arguments'],
      [7, 'invalid-arguments'],
    ]);
    // Rewritten: ${HOST_ADDRESS} and ${HTTP_PORT} are unknown, the two branches write `listen 443 ssl` and `listen 80`;
    // proxy_read_timeout's value is the script's default, which nginx refuses. client_max_body_size was written with an
    // argument, so it is judged as written (the script's `1X` would be refused).
    const rewritten = await lintIn(hulyLike(HULY_SCRIPT), ['.template.nginx.conf']);
    expect(rewritten.findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[7, 'invalid-value']]);
  });

  it('an include of a file the Dockerfile downloads or a start script writes is not missing; another still is', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile:
        'FROM nginx:1.27-alpine\nCOPY install/ /\nRUN mkdir -p /etc/nginx/snippets/blockbots && \\\n    curl -sSL https://example.com/globalblacklist.conf -o /etc/nginx/snippets/blockbots/globalblacklist.conf && \\\n    echo done\n',
      'install/etc/cont-init.d/10-nginx': '#!/command/with-contenv bash\necho "resolver 127.0.0.11;" > /etc/nginx/snippets/resolver.conf\n',
      'install/etc/nginx/nginx.conf':
        'events {}\nhttp {\n    include /etc/nginx/snippets/blockbots/globalblacklist.conf;\n    include /etc/nginx/snippets/resolver.conf;\n    include /etc/nginx/snippets/nothing-writes-this.conf;\n    server { listen 80; }\n}\n',
    });
    const { findings } = await lintIn(root, ['install/etc/nginx/nginx.conf']);
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[5, 'include-not-found']]);
  });

  it("an include of a file a start script copies (linuxserver's cp of nginx.conf.sample into /config) reads the copied file, not a namesake", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile: 'FROM ghcr.io/linuxserver/baseimage-alpine:3.22\nRUN apk add --no-cache nginx\nCOPY root/ /\n',
      'root/etc/nginx/nginx.conf': 'include /config/nginx/nginx.conf;\n',
      'root/etc/s6-overlay/s6-rc.d/init-nginx/run':
        '#!/usr/bin/with-contenv bash\nif [[ ! -f /config/nginx/nginx.conf ]]; then\n    cp /defaults/nginx/nginx.conf.sample /config/nginx/nginx.conf\nfi\n',
      'root/defaults/nginx/nginx.conf.sample': 'events {}\nhttp {\n    server { listen 80; client_max_body_size 16X; }\n}\n',
    });
    const { findings } = await lintIn(root, ['root/etc/nginx/nginx.conf']);
    // Read through the include (only nginx.conf was asked for): the sample's error, and no include cycle of nginx.conf.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['root/defaults/nginx/nginx.conf.sample', 3, 'invalid-value'],
    ]);
  });
  it("a relative include of a file the entrypoint links or writes (geonode's nginx.https.enabled.conf) reads the link's target", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker/nginx/Dockerfile':
        'FROM nginx:1.28.0-alpine\nWORKDIR /etc/nginx/\nADD nginx.conf.envsubst nginx.https.available.conf.envsubst ./\nADD docker-entrypoint.sh /\nENTRYPOINT ["/docker-entrypoint.sh"]\nCMD ["nginx", "-g", "daemon off;"]\n',
      'docker/nginx/docker-entrypoint.sh':
        '#!/bin/sh\nenvsubst < /etc/nginx/nginx.conf.envsubst > /etc/nginx/nginx.conf\nenvsubst < /etc/nginx/nginx.https.available.conf.envsubst > /etc/nginx/nginx.https.available.conf\nif [ -z "${HTTPS_HOST}" ]; then\n        echo "" > /etc/nginx/nginx.https.enabled.conf\nelse\n        ln -sf /etc/nginx/nginx.https.available.conf /etc/nginx/nginx.https.enabled.conf\nfi\nexec "$@"\n',
      'docker/nginx/nginx.conf.envsubst':
        'events {}\nhttp {\n    include nginx.https.enabled.conf;\n    include nothing-writes-this.conf;\n    server { listen 80; }\n}\n',
      'docker/nginx/nginx.https.available.conf.envsubst':
        'server {\n    listen 443 ssl;\n    ssl_certificate /certificate_symlink/fullchain.pem;\n    ssl_certificate_key /certificate_symlink/privkey.pem;\n    client_max_body_size 16X;\n}\n',
    });
    const { findings } = await lintIn(root, ['docker/nginx/nginx.conf.envsubst']);
    // The linked file is read through the link (its error is reported); a relative include nothing writes is missing.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker/nginx/nginx.conf.envsubst', 4, 'include-not-found'],
      ['docker/nginx/nginx.https.available.conf.envsubst', 5, 'invalid-value'],
    ]);
  });

  it("an upstream whose servers come from a file the entrypoint writes (DefectDojo's uwsgi_server) is not empty; one with nothing is", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile:
        'FROM nginx:1.29.3-alpine\nCOPY nginx/nginx.conf /etc/nginx/\nCOPY docker/entrypoint-nginx.sh /\nENTRYPOINT ["/entrypoint-nginx.sh"]\n',
      'docker/entrypoint-nginx.sh':
        '#!/bin/sh\necho "server ${DD_UWSGI_HOST}:${DD_UWSGI_PORT};" > /run/defectdojo/uwsgi_server\nexec nginx -c /etc/nginx/nginx.conf -g "daemon off;"\n',
      'nginx/nginx.conf':
        'events {}\nhttp {\n    upstream uwsgi_server {\n        include /run/defectdojo/uwsgi_server;\n    }\n    upstream empty {\n    }\n    server {\n        listen 8080;\n        location / { uwsgi_pass uwsgi_server; }\n        location /x { proxy_pass http://empty; }\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['nginx/nginx.conf']);
    expect(
      findings.filter((finding) => finding.ruleId === 'invalid-value').map((finding) => [finding.line, finding.ruleId, finding.message]),
    ).toEqual([[7, 'invalid-value', 'no servers are inside upstream: nginx -t fails']]);
  });

  it("the line a start script echoes into an included file is read with the container's environment (DefectDojo's upstream server)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.yml':
        'services:\n  nginx:\n    build:\n      context: ./\n      dockerfile: Dockerfile.nginx\n    depends_on:\n      uwsgi:\n        condition: service_started\n    environment:\n      DD_UWSGI_HOST: "${DD_UWSGI_HOST:-uwsgi}"\n  uwsgi:\n    image: acme/dojo:latest\n    command: uwsgi --socket 0.0.0.0:3031 --wsgi dojo.wsgi:application\n',
      'Dockerfile.nginx':
        'FROM nginx:1.29.3-alpine\nENV DD_UWSGI_PORT="3031"\nCOPY nginx/nginx.conf /etc/nginx/\nCOPY docker/entrypoint-nginx.sh /\nENTRYPOINT ["/entrypoint-nginx.sh"]\n',
      'docker/entrypoint-nginx.sh':
        '#!/bin/sh\necho "server ${DD_UWSGI_HOST}:${DD_UWSGI_PORT};" > /run/defectdojo/uwsgi_server\nexec nginx -c /etc/nginx/nginx.conf -g "daemon off;"\n',
      'nginx/nginx.conf':
        'events {}\nhttp {\n    upstream uwsgi_server {\n        include /run/defectdojo/uwsgi_server;\n    }\n    server {\n        listen 8080;\n        location / {\n            include /etc/nginx/uwsgi_params;\n            uwsgi_pass uwsgi_server;\n        }\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    // uwsgi:3031 is behind nginx only through the echoed line; the line itself is never reported on.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker-compose.yml', 7, 'compose-depends-on-unhealthy'],
    ]);
  });

  it("a start script's cp from a folder it names in a variable (kobo's cp ${KOBO_DOCKER_SCRIPTS_DIR}/x /etc/nginx/includes/x) writes the file", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  nginx:\n    image: nginx:1.27\n    volumes:\n      - ./nginx/init.sh:/docker-entrypoint.d/30-init.sh\n      - ./nginx/scripts/:/kobo-docker-scripts\n',
      'nginx/init.sh':
        "#!/bin/bash\nKOBO_DOCKER_SCRIPTS_DIR='/kobo-docker-scripts'\nINCLUDES_DIR=/etc/nginx/includes\ncp ${KOBO_DOCKER_SCRIPTS_DIR}/nginx.conf /etc/nginx/nginx.conf\ncp ${KOBO_DOCKER_SCRIPTS_DIR}/include.common.conf ${INCLUDES_DIR}/common.conf\ncp $UNKNOWN/include.other.conf /etc/nginx/includes/other.conf\n",
      'nginx/scripts/nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 80;\n        include /etc/nginx/includes/common.conf;\n        include /etc/nginx/includes/other.conf;\n        include /etc/nginx/includes/missing.conf;\n    }\n}\n',
      'nginx/scripts/include.common.conf': 'client_max_body_size 16X;\n',
    });
    const { findings } = await lintIn(root, ['nginx/scripts/nginx.conf']);
    // common.conf is the repository's include.common.conf (its error is reported); other.conf is written from a
    // folder the script does not name, so it is there with unknown content; missing.conf nothing writes.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['nginx/scripts/include.common.conf', 1, 'invalid-value'],
      ['nginx/scripts/nginx.conf', 7, 'include-not-found'],
    ]);
  });
});

describe('templates', () => {
  it('renders *.conf.template with the service environment; unknown placeholders cannot cause errors', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  web:\n    image: nginx:1.27\n    environment:\n      API_HOST: api\n      MAX_UPLOAD_MiB: ${DATA_UPLOAD_MAX_MEMORY_MiB:-100}\n    volumes: ["./templates:/etc/nginx/templates"]\n  api:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8000\n',
      'templates/default.conf.template':
        'server {\n    listen ${NGINX_PORT};\n    server_name ${SERVER_NAME};\n    # bookwyrm: an environment name need not be all upper case; Compose gives it its default\n    client_max_body_size ${MAX_UPLOAD_MiB}m;\n    location / {\n        proxy_pass http://${API_HOST}:9000;\n        proxy_set_header Host $host;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    // API_HOST is api, which listens on 8000 (--port): the rendered template's 9000 is wrong; and web, which resolves
    // api at start-up, waits for nothing. Nothing else is reported. The port's column is the template's: it stands
    // after `${API_HOST}`, which rendered is 7 characters shorter.
    expect(findings.map((finding) => [finding.file, finding.line, finding.column, finding.ruleId])).toEqual([
      ['compose.yaml', 2, 3, 'compose-depends-on-unhealthy'],
      ['templates/default.conf.template', 7, 'proxy_pass http://${API_HOST}:'.length + 9, 'proxy-pass-port-mismatch'],
    ]);
  });

  it("an unknown placeholder alone on its line where a statement starts stands for statements (kobo's ${SCHEMAS_DIRECTIVE_INCLUDE}), not a word", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml': 'services:\n  web:\n    image: nginx:1.27\n    volumes: ["./templates:/etc/nginx/templates"]\n',
      'templates/default.conf.template':
        'server {\n    listen 80;\n    server_name\n        ${SERVER_NAME}\n        example.org;\n    client_max_body_size 16X;\n    # set by the start script to an include, or to nothing\n    ${SCHEMAS_DIRECTIVE_INCLUDE}\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    // Unrendered, nginx refuses the line (`unexpected "}"`); as an argument among others it stays a neutral word.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['templates/default.conf.template', 6, 'invalid-value'],
    ]);
  });

  it("takes values from the nginx image's Dockerfile ENV and the service's env_file; a statement with an unknown placeholder is not judged", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  web:\n    build:\n      context: images\n      dockerfile: web/Dockerfile\n    env_file: [.env]\n  api:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8000\n    healthcheck:\n      test: ["CMD", "true"]\n',
      '.env': 'API_PORT=8000\n',
      'images/web/Dockerfile':
        'FROM nginx:1.27-alpine\nENV GZIP_SWITCH=on \\\n    # a comment inside a continued instruction\n    API_HOST=api \\\n    API_PORT=9000\nCOPY web/site.template.conf /etc/nginx/conf.d/site.conf\n',
      'images/web/site.template.conf':
        'server {\n    listen 80;\n    gzip ${GZIP_SWITCH};\n    gzip_comp_level ${GZIP_LEVEL};\n    location / {\n        proxy_pass http://${API_HOST}:${API_PORT};\n    }\n    location /other/ {\n        uwsgi_pass ${APP_SERVICE}:${APP_PORT};\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    // gzip on (ENV), api:8000 (env_file wins over ENV): nothing wrong in the config; GZIP_LEVEL and APP_* are unknown
    // placeholders. Only web's start order: it waits for nothing, while it resolves api at start-up.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([['compose.yaml', 2, 'compose-depends-on-unhealthy']]);
  });

  it('a Jinja template of a project generator ({{cookiecutter.project_slug}}/…) is read rendered, Compose file included', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '{{cookiecutter.project_slug}}/docker-compose.yml':
        'services:\n  nginx:\n    image: nginx:1.25\n    ports:\n      - {{cookiecutter.port}}:80\n    volumes: ["./nginx/site.conf:/etc/nginx/conf.d/default.conf"]\n  backend:\n    image: python:3.12\n    command: uvicorn main:app --host 0.0.0.0 --port 8888\n    healthcheck:\n      test: ["CMD", "true"]\n',
      '{{cookiecutter.project_slug}}/nginx/site.conf':
        'server {\n    listen 80;\n    server_name {{cookiecutter.domain}};\n    {% if cookiecutter.tls %}# tls{% endif %}\n    location /api {\n        proxy_pass http://backend:9000;\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['.']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['{{cookiecutter.project_slug}}/docker-compose.yml', 2, 'compose-depends-on-unhealthy'],
      ['{{cookiecutter.project_slug}}/nginx/site.conf', 6, 'proxy-pass-port-mismatch'],
    ]);
  });

  it("a Compose file that is a Jinja template whatever its name (an Ansible role's templates/docker-compose.yml) is read rendered; a valid one is not touched", async () => {
    const compose = (jinja: boolean) =>
      [
        'services:',
        '  proxy:',
        '    image: docker.io/library/nginx',
        '    ports:',
        `      - "127.0.0.1:${jinja ? '{{ lemmy_port }}' : '8536'}:8536"`,
        '    volumes:',
        '      - ./nginx_internal.conf:/etc/nginx/nginx.conf:ro,Z',
        '    depends_on:',
        '      - lemmy',
        ...(jinja ? ['{% if anubis is defined %}', '      - anubis', '{% endif %}'] : []),
        '  lemmy:',
        `    image: ${jinja ? '{{ lemmy_docker_image }}' : 'dessalines/lemmy:0.19.3'}`,
        '',
      ].join('\n');
    const config = 'events {}\nhttp {\n    server {\n        listen 8536;\n        location / { proxy_pass http://lemmy:8536; }\n    }\n}\n';
    for (const jinja of [true, false]) {
      const root = tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'templates/docker-compose.yml': compose(jinja),
        'templates/nginx_internal.conf': config,
      });
      const { findings } = await lintIn(root, ['.']);
      // Read: proxy waits only for lemmy to start (not "app-side facts skipped: … invalid YAML").
      expect(findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`)).toEqual([
        'templates/docker-compose.yml:9 compose-depends-on-unhealthy',
      ]);
    }
  });

  it('a Go template a container renders at start (tpl, gomplate: {{ .Env.X }}) is read rendered, lines kept', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'rootfs/defaults/nginx.conf': [
        'worker_processes {{ .Env.NGINX_WORKER_PROCESSES | default "4" }};',
        'events {',
        '    worker_connections {{ .Env.NGINX_WORKER_CONNECTIONS | default "768" }};',
        '}',
        'http {',
        '    {{ if .Env.NGINX_RESOLVER }}',
        '    resolver {{ .Env.NGINX_RESOLVER }};',
        '    {{ else }}',
        '    resolver 127.0.0.11;',
        '    {{ end -}}',
        '    {{/* a comment */}}',
        '    server {',
        '        listen 80;',
        '        location / {',
        '            proxy_pass http://127.0.0.1:{{ $PORT }};',
        '            proxy_http_version 1.0;',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['rootfs/defaults/nginx.conf']);
    // One resolver (the else branch is dropped, as two would be a duplicate), the defaults read as values, the rest
    // of the file checked at its own lines: the unknown port is a placeholder, so nothing is claimed about it.
    expect(findings).toEqual([]);
    const broken = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // The default is what the container runs without the variable: nginx refuses it.
      'nginx.conf': 'events {}\nhttp {\n    keepalive_timeout {{ .Env.TIMEOUT | default "abc" }};\n}\n',
    });
    const { findings: invalid } = await lintIn(broken, ['nginx.conf']);
    expect(invalid.map((finding) => [finding.line, finding.ruleId])).toEqual([[3, 'invalid-value']]);
  });

  it("a Go template's define bodies are rendered where `template` calls them, not where defined (nginx-proxy's nginx.tmpl)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      Dockerfile: 'FROM nginx:1.27-alpine\nCOPY nginx.tmpl /app/\nCMD ["forego", "start", "-r"]\n',
      Procfile: 'dockergen: docker-gen -watch /app/nginx.tmpl /etc/nginx/conf.d/default.conf\n',
      // Rendered into conf.d, so read in http: a define body read in place would put `location` and `ssl_ciphers`
      // at the top of the file, and no context would take them all.
      'nginx.tmpl': [
        '{{- define "ssl_policy" }}',
        '    ssl_ciphers ECDHE-ECDSA-AES256-GCM-SHA384;',
        '{{- end }}',
        '{{- define "location" }}',
        'location {{ .Path }} {',
        '    proxy_pass http://{{ .Upstream }};',
        '}',
        '{{- end }}',
        '{{- range $host, $vhost := $globals.vhosts }}',
        '    {{- if eq $host "skip" }}{{ continue }}{{ end }}',
        '    {{- if eq $host "last" }}{{ break }}{{ end }}',
        'map $http_upgrade $connection_upgrade {',
        '    default upgrade;',
        "    '' close;",
        '}',
        'server {',
        '    listen 80;',
        '    {{ template "ssl_policy" $vhost }}',
        '    {{- if (exists (printf "/etc/nginx/vhost.d/%s" $host)) }}',
        '    include {{ printf "/etc/nginx/vhost.d/%s" $host }};',
        '    {{- end }}',
        '    {{ template "location" $vhost }}',
        '}',
        '{{- end }}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['nginx.tmpl']);
    // No "not allowed here" for the define bodies, no `continue`/`break` read as directives, and no missing file for
    // an include whose path is a placeholder: docker-gen names a file nginx-lint cannot know.
    expect(findings).toEqual([]);
  });

  it('a gomplate template whose only actions are function calls (pixelfed: {{ getenv "APP_DOMAIN" }}) is read rendered too', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'templates/etc/nginx/conf.d/default.conf':
        'server {\n    listen 80;\n    server_name {{ getenv "APP_DOMAIN" }};\n    client_max_body_size {{ getenv "MAX_BODY" "abc" }};\n}\n',
    });
    const { findings } = await lintIn(root, ['templates/etc/nginx/conf.d/default.conf']);
    // No syntax error at the braces; the default "abc" is what the container runs without MAX_BODY, and nginx refuses it.
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[4, 'invalid-value']]);
  });

  it('a template docker-gen renders in its own Compose service into a folder the nginx service mounts is read where nginx reads it (evertramos/nginx-proxy-automation)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.yml': [
        'services:',
        '  web:',
        '    image: nginx:${NGINX_IMAGE_VERSION:-stable-alpine}',
        '    volumes:',
        '      - ${NGINX_FILES_PATH:-./data}/conf.d:/etc/nginx/conf.d',
        '  gen:',
        '    image: nginxproxy/docker-gen:0.7.7',
        '    command: -notify-sighup web -watch -wait 5s:30s /etc/docker-gen/templates/nginx.tmpl /etc/nginx/conf.d/default.conf',
        '    volumes:',
        '      - ${NGINX_FILES_PATH:-./data}/conf.d:/etc/nginx/conf.d',
        '      - ./nginx.tmpl:/etc/docker-gen/templates/nginx.tmpl:ro',
        '',
      ].join('\n'),
      'nginx.tmpl': [
        'server {',
        '    listen 80;',
        '    location / {',
        '        include uwsgi_params;',
        '        include fastcgi_params;',
        '        uwsgi_pass 127.0.0.1:8000;',
        '    }',
        '    location /x {',
        '        include nonexistent_params;',
        '        return 204;',
        '    }',
        '}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['nginx.tmpl']);
    // The rendering is /etc/nginx/conf.d/default.conf in nginx:stable-alpine: uwsgi_params and fastcgi_params are the
    // image's own, read from /etc/nginx; a file the image lacks is still missing.
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[9, 'include-not-found']]);
  });

  it('docker-gen\'s {{ if exists "FILE" }}: the file is mounted at run time, so the else branch is read (nginx-proxy\'s nginx.tmpl)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'nginx.tmpl': [
        '{{- if (exists "/etc/nginx/proxy.conf") }}',
        'include /etc/nginx/proxy.conf;',
        '{{- else }}',
        'proxy_http_version 1.1;',
        'proxy_set_heder Host $host;',
        '{{- end }}',
        'server {',
        '    listen 80;',
        '    {{- if (exists (printf "/etc/nginx/vhost.d/%s" $host)) }}',
        '    include {{ printf "/etc/nginx/vhost.d/%s" $host }};',
        '    {{- else if (exists "/etc/nginx/vhost.d/default") }}',
        '    include /etc/nginx/vhost.d/default;',
        '    {{- end }}',
        '}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['nginx.tmpl']);
    // No include of a file only the running container may have; the default branch is read, its typo found.
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[5, 'unknown-directive']]);
  });

  it('a template expression alone on its line stands for whole statements: nothing, not a word that breaks the syntax (Ansible roles)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'templates/vhost.conf.j2': [
        'server {',
        '    listen {{ item.listen | default("80") }};',
        '{% for v in item.extra %}',
        '    {{ v }}',
        '{% endfor %}',
        '{% if item.extra_parameters is defined %}',
        '    {{ item.extra_parameters|indent(4) }}',
        '{% endif %}',
        '    locaton / {',
        '    }',
        '}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['templates/vhost.conf.j2']);
    // No syntax error at lines 4 and 7; the typo after them is still found at its own line.
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[9, 'unknown-directive']]);
  });

  it("a template expression alone on its line inside a statement is a word of it (frappe/bench's server_name, one name a line)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'templates/nginx.conf': [
        'server {',
        '    listen 80;',
        '    server_name',
        '        {% for name in server_names -%}',
        '        {{ name }}',
        '        {% endfor -%}',
        '        ;',
        '    locaton / {',
        '    }',
        '}',
        '',
      ].join('\n'),
    });
    const { findings } = await lintIn(root, ['templates/nginx.conf']);
    // Not a server_name without names (invalid-arguments at line 3); the typo after it is found at its own line.
    expect(findings.map((finding) => [finding.line, finding.ruleId])).toEqual([[8, 'unknown-directive']]);
  });

  it("a Jinja template that names a Lua file (YunoHost's server.tpl.conf) is rendered; one with inline Lua code is not", async () => {
    const site = (lua: string) =>
      tree({
        '.git/HEAD': 'ref: refs/heads/main\n',
        'conf/nginx/server.tpl.conf': `server {\n    listen 80;\n    server_name {{ domain }};\n    ${lua}\n    location / {\n        proxy_buferring off;\n    }\n}\n`,
      });
    const rules = async (lua: string) =>
      (await lintIn(site(lua), ['conf/nginx/server.tpl.conf'])).findings.map((finding) => [finding.line, finding.ruleId]);
    // Rendered: the typo at line 6 is found, no syntax error at {{ domain }}.
    expect(await rules('access_by_lua_file /usr/share/ssowat/access.lua;')).toEqual([[6, 'unknown-directive']]);
    // lua-resty-template's tags inside Lua code look the same: the file is read as it is (nginx would refuse it).
    expect((await rules("content_by_lua_block { ngx.say('{{ x }}') }")).map(([, rule]) => rule)).toContain('syntax-error');
  });

  it("a Jinja template whatever its name (Mailu's conf/nginx.conf): first branch of an if, lines kept; its include's namesake beside it", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'core/nginx/Dockerfile': 'FROM alpine:3.20\nRUN apk add --no-cache nginx\nCOPY conf/ /conf/\n',
      'core/nginx/conf/nginx.conf': [
        'events {}',
        'http {',
        '    resolver {{ RESOLVER }} valid=30s;',
        '    {% if REAL_IP_HEADER %}',
        '    real_ip_header {{ REAL_IP_HEADER }};',
        '    {% elif PROXY_PROTOCOL %}',
        '    real_ip_header proxy_protocol;',
        '    {% endif %}',
        '    server {',
        '        listen 80;',
        '        location / {',
        '            include /etc/nginx/proxy.conf;',
        '            proxy_pass http://127.0.0.1:8080;',
        '        }',
        '    }',
        '}',
        '',
      ].join('\n'),
      'core/nginx/conf/proxy.conf':
        'proxy_set_header Host $http_host;\n{% if X %}\nproxy_set_header X-Real-IP $remote_addr;\n{% endif %}\nproxy_buferring off;\n',
      // Another program's file of the same name, farther from the includer.
      'core/dovecot/proxy.conf': 'login_trusted_networks = 10.0.0.0/8\n',
    });
    const { findings } = await lintIn(root, ['core/nginx/conf/nginx.conf']);
    // No syntax error at the tags, no duplicate real_ip_header; the included proxy.conf is read, its typo at its own line.
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([['core/nginx/conf/proxy.conf', 5, 'unknown-directive']]);
  });

  it("an include's only namesake is another program's file: the template nginx's copy is rendered from is read instead", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // serversideup/docker-php: the nginx variation renders site-opts.d/http.conf from http.conf.template at start.
      'fpm-nginx/etc/nginx/sites-available/ssl-off': 'server {\n    include /etc/nginx/site-opts.d/http.conf;\n}\n',
      'fpm-nginx/etc/nginx/site-opts.d/http.conf.template': 'listen ${NGINX_HTTP_PORT};\nlocation / {\n    proxy_buferring off;\n}\n',
      // The Apache variation's vhost of the same name.
      'fpm-apache/etc/apache2/vhost-templates/http.conf': '# Apache\n<Directory ${APACHE_DOCUMENT_ROOT}>\n    AllowOverride All\n</Directory>\n',
    });
    const { findings } = await lintIn(root, ['fpm-nginx/etc/nginx/sites-available/ssl-off']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['fpm-nginx/etc/nginx/site-opts.d/http.conf.template', 3, 'unknown-directive'],
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

describe("a host's config beside a Compose deployment (libretime's installer)", () => {
  // The Compose nginx runs docker/nginx.conf; installer/nginx/libretime.conf is what the install script writes into a
  // Debian or Ubuntu host's sites-available, its @@NAME@@ placeholders filled in with sed.
  const SITE =
    'server {\n    listen @@LISTEN_PORT@@;\n    listen [::]:@@LISTEN_PORT@@;\n    location /api {\n        include proxy_params;\n        proxy_pass http://127.0.0.1:9001;\n    }\n}\n';
  const INSTALL =
    '#!/usr/bin/env bash\ntemplate_file cp_if_different installer/nginx/libretime.conf /etc/nginx/sites-available/libretime.conf \\\n  sed -e "s|@@LISTEN_PORT@@|${LIBRETIME_LISTEN_PORT}|g"\n';
  const repository = (extra: Record<string, string> = {}) =>
    tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'installer/nginx/libretime.conf': SITE, install: INSTALL, ...extra });
  const COMPOSE = {
    'docker-compose.yml': 'services:\n  nginx:\n    image: nginx:1.18\n    volumes:\n      - ./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro\n',
    'docker/nginx.conf': 'server {\n    listen 8080;\n}\n',
  };
  const site = async (root: string) => {
    const { findings, run } = await lintIn(root, ['installer/nginx/libretime.conf']);
    const result = run.results.find((each) => each.filePath.endsWith('libretime.conf'));
    return { rules: findings.map((finding) => [finding.line, finding.ruleId]), version: result?.nginxVersion?.source };
  };

  it("an @@NAME@@ placeholder the install script's sed replaces is not judged as the port it stands for", async () => {
    expect((await site(repository())).rules).toEqual([]);
    // Without the script nothing replaces it: nginx would read it as written.
    const unreplaced = await site(repository({ install: '#!/usr/bin/env bash\necho done\n' }));
    expect(unreplaced.rules).toEqual([[3, 'invalid-value']]);
  });

  it("a config nothing in the repository runs or places includes its host's Debian proxy_params; another missing file is still missing", async () => {
    expect((await site(repository())).rules).not.toContainEqual([5, 'include-not-found']);
    const other = await site(repository({ 'installer/nginx/libretime.conf': SITE.replace('proxy_params', 'proxy_settings') }));
    expect(other.rules).toContainEqual([5, 'include-not-found']);
  });

  it("an override file's nginx service keeps what the main file says of it: its depends_on, its image", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.yml': 'services:\n  legacy:\n    image: php:8.3-fpm\n  nginx:\n    image: nginx:1.27\n    depends_on:\n      - legacy\n',
      'docker-compose.override.yml': 'services:\n  nginx:\n    volumes:\n      - ./docker/nginx.conf:/etc/nginx/conf.d/default.conf:ro\n',
      'docker/nginx.conf': 'server {\n    listen 8080;\n    location ~ \\.php$ {\n        fastcgi_pass legacy:9000;\n    }\n}\n',
    });
    const { findings, run } = await lintIn(root, ['docker/nginx.conf']);
    expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['docker-compose.yml', 7, 'compose-depends-on-unhealthy'],
    ]);
    expect(run.results.find((result) => result.filePath.endsWith('nginx.conf'))?.nginxVersion?.source).toBe('image');
  });

  it('the only nginx service, which runs its own mounted config, is not taken to run a config it does not mount', async () => {
    const beside = await site(repository(COMPOSE));
    expect(beside).toEqual({ rules: [], version: 'default' });
    // A sole nginx service that mounts no config of the repository may still run this one, some way not seen here.
    const bare = await site(repository({ 'docker-compose.yml': 'services:\n  nginx:\n    image: nginx:1.18\n' }));
    expect(bare.version).toBe('image');
  });
});

describe('Compose variants: the deployment in docker-compose.prod.yml', () => {
  const NGINX_CONF =
    'events {}\nhttp {\n    include mime.types;\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://api:8000;\n        }\n    }\n}\n';
  // A finding in the Compose file (compose-depends-on-unhealthy) is a result of its own: the config's is the one.
  const versionOf = (run: Awaited<ReturnType<typeof lintIn>>['run']) =>
    run.results.find((result) => result.filePath.endsWith('nginx.conf'))?.nginxVersion;
  const variant = (nginxImage: string, apiPort: string) =>
    `services:\n  api:\n    image: node:20\n    command: node server.js\n    expose: ["${apiPort}"]\n  nginx:\n    image: ${nginxImage}\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n    depends_on:\n      api:\n        condition: service_started\n`;

  it('a variant alone: its nginx service gives the image, and its app services the ports', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.prod.yml': variant('nginx:1.27-alpine', '3000'),
      'nginx/nginx.conf': NGINX_CONF,
    });
    const { findings, run } = await lintIn(root, ['nginx/nginx.conf']);
    expect(versionOf(run)).toEqual({ version: '1.27.5', source: 'image', origin: '../docker-compose.prod.yml:7 image nginx:1.27-alpine' });
    const mismatch = findings.find((finding) => finding.ruleId === 'proxy-pass-port-mismatch');
    expect(mismatch?.message).toContain('../docker-compose.prod.yml:5');
    expect(findings.filter((finding) => finding.ruleId === 'compose-depends-on-unhealthy').map((finding) => [finding.file, finding.line])).toEqual([
      ['docker-compose.prod.yml', 11],
    ]);
  });

  it("the default file without nginx (dev) is not mixed in: the app's ports come from the variant nginx runs from", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // Dev: the app alone on 8000. Were it read with the variant, 8000 would be a port of api and nothing would be wrong.
      'docker-compose.yml': 'services:\n  api:\n    image: node:20\n    command: npm run dev\n    ports: ["8000:8000"]\n',
      'docker-compose.prod.yml': variant('nginx:1.27-alpine', '3000'),
      'nginx/nginx.conf': NGINX_CONF,
    });
    const { findings, run } = await lintIn(root, ['nginx/nginx.conf']);
    expect(versionOf(run)?.origin).toBe('../docker-compose.prod.yml:7 image nginx:1.27-alpine');
    const mismatch = findings.find((finding) => finding.ruleId === 'proxy-pass-port-mismatch');
    expect(mismatch?.message).toContain('../docker-compose.prod.yml:5');
    expect(mismatch?.message).not.toContain('docker-compose.yml');
  });

  it('two variants mount the config: the one named prod wins over the first by name', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.dev.yml': variant('nginx:1.25-alpine', '8000'),
      'docker-compose.prod.yml': variant('nginx:1.27-alpine', '3000'),
      'nginx/nginx.conf': NGINX_CONF,
    });
    const { findings, run } = await lintIn(root, ['nginx/nginx.conf']);
    expect(versionOf(run)?.origin).toBe('../docker-compose.prod.yml:7 image nginx:1.27-alpine');
    expect(findings.find((finding) => finding.ruleId === 'proxy-pass-port-mismatch')?.message).toContain('../docker-compose.prod.yml:5');
  });

  it('a variant with no image or build of its own overlays the main file: its mount and ports, the main file’s image', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // Two nginx images in the main file, neither mounting the config: alone it names no nginx service.
      'compose.yaml': 'services:\n  api:\n    image: node:20\n  nginx:\n    image: nginx:1.27-alpine\n  docs:\n    image: nginx:1.25-alpine\n',
      'compose.prod.yaml': 'services:\n  api:\n    expose: ["3000"]\n  nginx:\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n',
      'nginx/nginx.conf': NGINX_CONF,
    });
    const { findings, run } = await lintIn(root, ['nginx/nginx.conf']);
    expect(versionOf(run)?.origin).toBe('../compose.yaml:5 image nginx:1.27-alpine');
    expect(findings.find((finding) => finding.ruleId === 'proxy-pass-port-mismatch')?.message).toContain('../compose.prod.yaml:3');
  });

  it('a variant adding nginx to services of the main file (mattermost style) is an overlay too: the app stays known', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'docker-compose.yml': 'services:\n  api:\n    image: node:20\n    expose: ["3000"]\n',
      // api has neither image nor build here: docker compose refuses this file alone.
      'docker-compose.nginx.yml':
        'services:\n  nginx:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n  api:\n    environment: [NODE_ENV=production]\n',
      'nginx/nginx.conf': NGINX_CONF,
    });
    const { findings, run } = await lintIn(root, ['nginx/nginx.conf']);
    expect(versionOf(run)?.origin).toBe('../docker-compose.nginx.yml:3 image nginx:1.27-alpine');
    expect(findings.find((finding) => finding.ruleId === 'proxy-pass-port-mismatch')?.message).toContain('../docker-compose.yml:4');
  });

  it("an overlay's depends_on merges over the main file's, as Compose merges them: each entry reported in its own file", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'compose.yaml':
        'services:\n  api:\n    image: node:20\n    expose: ["8000"]\n  web:\n    image: node:20\n    expose: ["8000"]\n  nginx:\n    image: nginx:1.27-alpine\n    depends_on:\n      api:\n        condition: service_started\n      web:\n        condition: service_healthy\n',
      // The variant's entry for web wins over the main file's; api's stays the main file's.
      'compose.prod.yaml':
        'services:\n  nginx:\n    volumes:\n      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro\n    depends_on:\n      web:\n        condition: service_started\n',
      'nginx/nginx.conf':
        'events {}\nhttp {\n    server {\n        listen 80;\n        location / { proxy_pass http://api:8000; }\n        location /web/ { proxy_pass http://web:8000; }\n    }\n}\n',
    });
    const { findings } = await lintIn(root, ['nginx/nginx.conf']);
    expect(
      findings.filter((finding) => finding.ruleId === 'compose-depends-on-unhealthy').map((finding) => [finding.file, finding.line, finding.message]),
    ).toEqual([
      ['compose.prod.yaml', 6, expect.stringContaining('depends_on web waits for it to start')],
      ['compose.yaml', 11, expect.stringContaining('depends_on api waits for it to start')],
    ]);
  });
});

describe("the repository's root bounds what a Compose file leads to, not the Compose file's own folder", () => {
  it('reads a server config file a service mounts from above the Compose folder (`../:/src`)', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'hack/compose.yaml':
        'services:\n  dashboard:\n    image: python:3.12\n    command: gunicorn -c /src/install/gunicorn.py wsgi\n    volumes:\n      - "../:/src"\n  nginx:\n    image: nginx:1.27-alpine\n    volumes:\n      - ./nginx.conf:/etc/nginx/conf.d/default.conf:ro\n    depends_on:\n      dashboard:\n        condition: service_healthy\n',
      'hack/nginx.conf': 'server {\n    listen 80;\n    location / {\n        proxy_pass http://dashboard:8001;\n    }\n}\n',
      'install/gunicorn.py': 'bind = "0.0.0.0:8000"\n',
    });
    const { findings } = await lintIn(root, ['.']);
    expect(findings.filter((finding) => finding.ruleId === 'proxy-pass-port-mismatch').map((finding) => finding.message)).toEqual([
      expect.stringContaining('dashboard listens on 8000 (compose.yaml:4 ../install/gunicorn.py:1 bind = 0.0.0.0:8000)'),
    ]);
  });
});
