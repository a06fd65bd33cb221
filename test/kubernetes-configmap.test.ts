/**
 * nginx config held in a Kubernetes ConfigMap that an nginx container mounts: linted as the container sees it, and
 * reported at the manifest's own line and column. Each case is a small repository (a `.git` marks its root) linted
 * through the real engine. The line numbers in the comments of each manifest are the lines the tests expect.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintIn } from './helpers/lint.js';
import { fileURLToPath } from 'node:url';
import { temporaryTrees } from './helpers/files.js';

const repoRoot = fileURLToPath(new URL('..', import.meta.url));

const tree = temporaryTrees();

const lines = (...text: string[]) => `${text.join('\n')}\n`;

/** One manifest: the ConfigMap (nginx.conf and a site), and a Deployment mounting each key with subPath. */
const ONE_FILE = lines(
  'apiVersion: v1', //                              1
  'kind: ConfigMap', //                             2
  'metadata:', //                                   3
  '  name: nginx-conf', //                          4
  'data:', //                                       5
  '  nginx.conf: |', //                             6
  '    events {}', //                               7
  '    http {', //                                  8
  '        include mime.types;', //                 9
  '        include /etc/nginx/conf.d/*.conf;', //   10
  '    }', //                                       11
  '  site.conf: |', //                              12
  '    server {', //                                13
  '        listen 80;', //                          14
  '        http2 on;', //                           15
  '    }', //                                       16
  '---', //                                         17
  'apiVersion: apps/v1', //                         18
  'kind: Deployment', //                            19
  'metadata:', //                                   20
  '  name: proxy', //                               21
  'spec:', //                                       22
  '  template:', //                                 23
  '    spec:', //                                   24
  '      containers:', //                           25
  '        - name: nginx', //                       26
  '          image: nginx:1.22-alpine', //          27
  '          volumeMounts:', //                     28
  '            - name: conf', //                    29
  '              mountPath: /etc/nginx/nginx.conf', // 30
  '              subPath: nginx.conf', //           31
  '            - name: conf', //                    32
  '              mountPath: /etc/nginx/conf.d/site.conf', // 33
  '              subPath: site.conf', //            34
  '      volumes:', //                              35
  '        - name: conf', //                        36
  '          configMap:', //                        37
  '            name: nginx-conf', //                38
);

describe('a ConfigMap mounted into an nginx container is linted as the container sees it', () => {
  it('nginx-lint manifest.yaml: findings at the manifest line and column, the version from the image tag', async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'deploy/nginx.yaml': ONE_FILE });
    const { findings, run } = await lintIn(root, ['deploy/nginx.yaml']);
    // http2 on; appeared in 1.25.1: the image runs 1.22. Column 9: four spaces of YAML, four of nginx.
    expect(findings.map(({ file, line, column, ruleId }) => [file, line, column, ruleId])).toEqual([
      ['deploy/nginx.yaml', 15, 9, 'unknown-directive'],
    ]);
    expect(run.results).toHaveLength(1);
    expect(run.results[0]!.nginxVersion).toEqual({ version: '1.22.1', source: 'image', origin: 'nginx.yaml:27 image nginx:1.22-alpine' });
    expect(run.results[0]!.messages[0]!.includedFrom).toEqual([`${path.join(root, 'deploy/nginx.yaml')}:10`]);
    // The code frame shows the manifest itself.
    expect(run.sources.get(path.join(root, 'deploy/nginx.yaml'))).toBe(ONE_FILE);
  });

  it('nginx-lint . finds it too, and lints every key once', async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'deploy/nginx.yaml': ONE_FILE });
    const { findings, run } = await lintIn(root, ['.']);
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([['deploy/nginx.yaml', 15, 'unknown-directive']]);
    expect(run.results.map((result) => path.relative(root, result.filePath))).toEqual(['deploy/nginx.yaml']);
  });

  it('a valid config in a newer image has no findings', async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'deploy/nginx.yaml': ONE_FILE.replace('nginx:1.22-alpine', 'nginx:1.25-alpine') });
    const { findings, run } = await lintIn(root, ['deploy/nginx.yaml']);
    expect(findings).toEqual([]);
    expect(run.results[0]!.nginxVersion).toMatchObject({ version: '1.25.5', source: 'image' });
  });

  it('a folder mount hides the image files there; the ConfigMap may sit in another manifest; the image nginx.conf includes it', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'k8s/configmap.yaml': lines(
        'apiVersion: v1', //                     1
        'kind: ConfigMap', //                    2
        'metadata:', //                          3
        '  name: sites', //                      4
        '  namespace: web', //                   5
        'data:', //                              6
        '  app.conf: |-', //                     7
        '    server {', //                       8
        '      listen 80;', //                   9
        '      include /etc/nginx/conf.d/extra.conf;', // 10
        '      location / { proxy_pass http://api:9000; }', // 11
        '    }', //                              12
        '  README: not nginx', //                13
      ),
      'k8s/deployment.yaml': lines(
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: proxy',
        '  namespace: web',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: nginx',
        '          image: nginx:1.27',
        '          volumeMounts:',
        '            - { name: sites, mountPath: /etc/nginx/conf.d }',
        '      volumes:',
        '        - name: sites',
        '          configMap:',
        '            name: sites',
        '            items:',
        '              - { key: app.conf, path: app.conf }',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: api',
        '  namespace: web',
        'spec:',
        '  ports:',
        '    - port: 8000',
      ),
    });
    const { findings } = await lintIn(root, ['k8s/deployment.yaml']);
    expect(findings.map(({ file, line, column, ruleId }) => [file, line, column, ruleId])).toEqual([
      // The ConfigMap has no key for extra.conf, and the folder mount hides the image's own conf.d.
      ['k8s/configmap.yaml', 10, 7, 'include-not-found'],
      // The Service in the manifests listens on 8000, not 9000: the finding points at the port.
      ['k8s/configmap.yaml', 11, 42, 'proxy-pass-port-mismatch'],
    ]);
    expect(findings[0]!.message).toContain('the ConfigMap mounted at /etc/nginx/conf.d');
  });

  it('a key written as a quoted or folded scalar is not linted, and the run says so', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'nginx.yaml': ONE_FILE.replace(
        '  site.conf: |\n    server {\n        listen 80;\n        http2 on;\n    }\n',
        '  site.conf: "server { http2 on; }"\n',
      ),
    });
    const { findings, run } = await lintIn(root, ['nginx.yaml']);
    expect(findings).toEqual([]);
    expect(run.notes).toContain(
      'nginx.yaml:12: ConfigMap nginx-conf key site.conf (mounted at /etc/nginx/conf.d/site.conf) is not linted: only a literal block scalar (`site.conf: |`) maps back to the manifest line by line',
    );
  });

  /** A ConfigMap whose keys the nginx container mounts in several places, with `extra` as the container's command. */
  const mountedAround = (extra: { command?: string; site?: string; siteAt?: string } = {}) =>
    lines(
      'apiVersion: v1', //                                    1
      'kind: ConfigMap', //                                   2
      'metadata:', //                                         3
      '  name: web', //                                       4
      'data:', //                                             5
      '  site.conf: |', //                                    6
      ...(extra.site ?? '    server {\n        listen 80;\n        http2 on;\n    }').split('\n'), // 7-10
      '  index.html: |', //                                   11
      '    <html><body>Hello; world</body></html>', //        12
      '  entrypoint.sh: |', //                                13
      '    #!/bin/sh', //                                     14
      '    export SITE=web', //                               15
      `    exec nginx -g 'daemon off;'`, //                   16
      '  upstreams.conf: |', //                               17
      '    upstream api { server api:8000 }', //              18
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  template:',
      '    spec:',
      '      containers:',
      '        - name: nginx',
      '          image: nginx:1.22-alpine',
      `          command: [${extra.command ?? '"/entrypoint.sh"'}]`,
      '          volumeMounts:',
      `            - { name: web, mountPath: ${extra.siteAt ?? '/etc/nginx/conf.d/site.conf'}, subPath: site.conf }`,
      '            - { name: web, mountPath: /usr/share/nginx/html/index.html, subPath: index.html }',
      '            - { name: web, mountPath: /entrypoint.sh, subPath: entrypoint.sh }',
      '            - { name: web, mountPath: /opt/shared/upstreams.conf, subPath: upstreams.conf }',
      '      volumes:',
      '        - name: web',
      '          configMap: { name: web, defaultMode: 0755 }',
    );

  it('keys mounted where nginx reads no config (an entrypoint script, a page, a file nothing includes) are not linted as nginx config', async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'k8s/web.yaml': mountedAround() });
    const { findings } = await lintIn(root, ['.']);
    // Only conf.d/site.conf is nginx's: its http2 on; is too new for 1.22. Before, index.html (line 12), the script
    // (line 16) and the unincluded upstreams.conf (line 18, a missing ";") were each reported as broken nginx config.
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([['k8s/web.yaml', 9, 'unknown-directive']]);
  });

  it('such a key is read where a config includes it, and a config named by nginx -c is linted wherever it is mounted', async () => {
    const site = '    include /opt/shared/upstreams.conf;\n    server {\n        listen 80;\n    }';
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'k8s/web.yaml': mountedAround({ site, siteAt: '/config/site.conf', command: '"nginx", "-c", "/config/site.conf"' }),
    });
    const { findings } = await lintIn(root, ['.']);
    // Only the included upstreams.conf is broken (its server lacks a ";"): it is read through the include, at its line.
    expect(new Set(findings.map(({ file, line }) => `${file}:${line}`))).toEqual(new Set(['k8s/web.yaml:18']));
    expect(findings.map(({ ruleId }) => ruleId)).toContain('syntax-error');
  });

  it("ModSecurity's nginx image runs the config too, and the files it ships under /etc/nginx are not reported missing", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'k8s/waf.yaml': lines(
        'apiVersion: v1', //                                                  1
        'kind: ConfigMap', //                                                 2
        'metadata:', //                                                       3
        '  name: waf', //                                                     4
        'data:', //                                                           5
        '  site.conf: |', //                                                  6
        '    server {', //                                                    7
        '        listen 8080;', //                                            8
        '        include /etc/nginx/includes/location_common.conf;', //       9
        '        location / { proxy_pass http://api:9000; }', //              10
        '    }', //                                                           11
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: waf',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: nginx',
        '          image: owasp/modsecurity-crs:3.3.2-nginx-alpine',
        '          volumeMounts:',
        '            - { name: waf, mountPath: /etc/nginx/conf.d/site.conf, subPath: site.conf }',
        '      volumes:',
        '        - name: waf',
        '          configMap: { name: waf }',
        '---',
        'apiVersion: v1',
        'kind: Service',
        'metadata:',
        '  name: api',
        'spec:',
        '  ports:',
        '    - port: 8000',
      ),
    });
    const { findings, run } = await lintIn(root, ['.']);
    // Linted (before: the image was not nginx's, so nothing was); location_common.conf is the image's own.
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([['k8s/waf.yaml', 10, 'proxy-pass-port-mismatch']]);
    // The tag is the rule set's release: no nginx version is read from it.
    expect(run.results.find((result) => result.filePath.endsWith('waf.yaml'))!.nginxVersion).toMatchObject({ source: 'default' });
  });

  it('of two ConfigMaps of one name (separate samples in one repository), a workload mounts the one beside it', async () => {
    const other = lines(
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: nginx-conf',
      'data:',
      '  default.conf.template: |',
      '    server {}',
    );
    // kubernetes-engine-samples: databases/qdrant and databases/redis-enterprise-operator each have an nginx-conf.
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'a-qdrant/metrics-cm.yaml': other, 'b-redis/metrics-proxy.yaml': ONE_FILE });
    const { findings } = await lintIn(root, ['.']);
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([['b-redis/metrics-proxy.yaml', 15, 'unknown-directive']]);
  });

  it("an app's image with nginx inside runs the config a ConfigMap mounts into its /etc/nginx (hubble-ui's frontend)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'ui.yaml': ONE_FILE.replace('nginx:1.22-alpine', 'quay.io/cilium/hubble-ui:v0.11.0').replace('http2 on;', 'http3_bogus on;'),
    });
    const { findings, run } = await lintIn(root, ['.']);
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([['ui.yaml', 15, 'unknown-directive']]);
    // The image's tag is the app's: no nginx version is read from it.
    expect(run.results[0]!.nginxVersion).toMatchObject({ source: 'default' });
  });

  it("a relative include of a file such an image may ship is unknown, not missing (MISP's misp-core: include snippets/fastcgi-php.conf)", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      'ui.yaml': ONE_FILE.replace('nginx:1.22-alpine', 'ghcr.io/misp/misp-docker/misp-core:latest').replace(
        'include mime.types;',
        'include snippets/fastcgi-php.conf;',
      ),
    });
    const { findings } = await lintIn(root, ['.']);
    expect(findings.map(({ file, line, ruleId }) => [file, line, ruleId])).toEqual([]);
  });

  it('an include of a file in an emptyDir or Secret volume of the pod (a sidecar writes it) is unknown; one nothing mounts is said', async () => {
    const manifest = (volumeMount: string, volume: string) =>
      ONE_FILE.replace('include mime.types;', 'include /etc/letsencrypt/options-ssl-nginx.conf;')
        .replace('              subPath: site.conf\n', `              subPath: site.conf\n${volumeMount}`)
        .replace('            name: nginx-conf\n', `            name: nginx-conf\n${volume}`);
    const mount = '            - name: certs\n              mountPath: /etc/letsencrypt\n';
    const ruleFindings = async (text: string) =>
      (await lintIn(tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'proxy.yaml': text }), ['.'])).findings.map(({ line, ruleId }) => [line, ruleId]);
    expect(await ruleFindings(manifest('', ''))).toEqual([
      [9, 'include-not-found'],
      [15, 'unknown-directive'],
    ]);
    expect(await ruleFindings(manifest(mount, '        - name: certs\n          emptyDir: {}\n'))).toEqual([[15, 'unknown-directive']]);
    expect(await ruleFindings(manifest(mount, '        - name: certs\n          secret:\n            secretName: certbot-options\n'))).toEqual([
      [15, 'unknown-directive'],
    ]);
  });

  it('a manifest with no ConfigMap mounted into nginx lints nothing and says so', async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      // A node container that mounts the ConfigMap as its own config: nothing puts it where nginx reads config.
      'app.yaml': ONE_FILE.replace('nginx:1.22-alpine', 'node:20').replace(/mountPath: \/etc\/nginx\//g, 'mountPath: /app/config/'),
    });
    const { run } = await lintIn(root, ['app.yaml']);
    expect(run.results).toEqual([]);
    expect(run.notes.some((note) => note.includes('app.yaml: no nginx config in it'))).toBe(true);
  });

  it('--fix never rewrites the manifest: fixable findings are reported with a note, the YAML is untouched', async () => {
    const manifest = ONE_FILE.replace('        http2 on;\n', '        location / {\n            proxy_pass https://example.com;\n        }\n');
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'nginx.yaml': manifest });
    const { run, findings } = await lintIn(root, ['nginx.yaml'], { fix: true, fixUnsafe: true });
    // In a plain file this finding's fix adds `proxy_ssl_server_name on;`.
    expect(findings.map(({ line, column, ruleId }) => [line, column, ruleId])).toEqual([[16, 13, 'proxy-ssl-server-name-missing']]);
    expect(run.fixedFiles).toEqual([]);
    for (const message of run.results.flatMap((result) => result.messages)) {
      expect(message.fix).toBeUndefined();
      expect(message.suggestions).toBeUndefined();
    }
    expect(readFileSync(path.join(root, 'nginx.yaml'), 'utf8')).toBe(manifest);
    expect(run.notes.some((note) => note.includes('fixes that are not applied: nginx-lint does not rewrite the file that holds the config'))).toBe(
      true,
    );
  });
});

describe("the containers of nginx's pod", () => {
  it("localhost:9000 reaches PHP-FPM of a php or app fpm image in the same pod over ::1 and 127.0.0.1 alike (matomo's chart)", async () => {
    const manifest = (appImage: string) =>
      lines(
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: nginx-conf',
        'data:',
        '  default.conf: |',
        '    upstream php {',
        '        server localhost:9000;',
        '    }',
        '    server {',
        '        listen 80;',
        '        location / { fastcgi_pass php; include fastcgi_params; }',
        '    }',
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: web',
        'spec:',
        '  template:',
        '    spec:',
        '      containers:',
        '        - name: nginx',
        '          image: nginx:1.27-alpine',
        '          volumeMounts: [{ name: conf, mountPath: /etc/nginx/conf.d }]',
        '        - name: app',
        `          image: ${appImage}`,
        '      volumes:',
        '        - name: conf',
        '          configMap: { name: nginx-conf }',
      );
    const findingsWith = async (appImage: string) =>
      (await lintIn(tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'k8s.yaml': manifest(appImage) }), ['k8s.yaml'])).findings.map(
        (finding) => `${finding.line} ${finding.ruleId}`,
      );
    // The official fpm images (php's own, and the PHP applications' built on them) bind [::]:9000 dual-stack.
    expect(await findingsWith('matomo:5-fpm')).toEqual([]);
    expect(await findingsWith('php:8.3-fpm-alpine')).toEqual([]);
    // An image of another namespace, or without PHP-FPM: which address its program binds is not known.
    expect(await findingsWith('bitnami/php-fpm:8.3')).toEqual(['8 proxy-pass-localhost']);
    expect(await findingsWith('matomo:5-apache')).toEqual(['8 proxy-pass-localhost']);
  });
});

describe('examples/k8s', () => {
  it('reports the keepalive race of the ConfigMap config against uvicorn, at the manifest line, with the image version', async () => {
    const { findings, run } = await lintIn(repoRoot, ['examples/k8s']);
    // The orders Deployment nginx proxies to has neither a readinessProbe nor a preStop hook: two rollout findings.
    expect(findings.map(({ file, line, column, ruleId }) => [file, line, column, ruleId])).toEqual([
      ['examples/k8s/nginx.yaml', 18, 9, 'upstream-keepalive-timeout-race'],
      ['examples/k8s/orders.yaml', 26, 11, 'k8s-rollout-drops-requests'],
      ['examples/k8s/orders.yaml', 26, 11, 'k8s-rollout-drops-requests'],
    ]);
    expect(findings[0]!.message).toContain("uvicorn's default, assumed");
    expect(run.results[0]!.nginxVersion).toEqual({ version: '1.27.5', source: 'image', origin: 'nginx.yaml:43 image nginx:1.27-alpine' });
  });
});
