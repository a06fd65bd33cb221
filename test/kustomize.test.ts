/**
 * kustomize's configMapGenerator (src/context/kustomize.ts): a ConfigMap a kustomization makes from files of the
 * repository, mounted by a Deployment of the same build, is those files, each linted at its own lines in that
 * container. Each case is a small repository (a `.git` marks its root) linted through the real engine.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kustomizeBuilds, kustomizedImage } from '../src/context/kustomize.js';
import { temporaryTrees, writeFiles } from './helpers/files.js';
import { lintIn } from './helpers/lint.js';

const tree = temporaryTrees();

const lines = (...text: string[]) => `${text.join('\n')}\n`;

const DEPLOYMENT = lines(
  'apiVersion: apps/v1', //                       1
  'kind: Deployment', //                          2
  'metadata:', //                                 3
  '  name: web', //                               4
  'spec:', //                                     5
  '  template:', //                               6
  '    spec:', //                                 7
  '      containers:', //                         8
  '        - name: nginx', //                     9
  '          image: nginx:1.18-alpine', //        10
  '          volumeMounts:', //                   11
  '            - name: conf', //                  12
  '              mountPath: /etc/nginx/nginx.conf',
  '              subPath: nginx.conf',
  '            - name: sites',
  '              mountPath: /etc/nginx/conf.d',
  '      volumes:',
  '        - name: conf',
  '          configMap: { name: nginx-conf }',
  '        - name: sites',
  '          configMap: { name: nginx-sites }',
);

/** Not YAML (kubepress's nginx.conf): a file linted as itself is never read as a manifest for service facts. */
const NGINX_CONF = lines(
  'events {}',
  'http {',
  '    sendfile on;',
  '    #tcp_nopush on;',
  '',
  '    keepalive_timeout 65;',
  '    include /etc/nginx/conf.d/*.conf;',
  '}',
);
/** `http2 on;` is nginx 1.25.1's: unknown to the Deployment's nginx 1.18. */
const SITE = lines('server {', '    listen 80;', '    http2 on;', '}');

const BASE = {
  '.git/HEAD': 'ref: refs/heads/main\n',
  'k8s/base/deployment.yaml': DEPLOYMENT,
  'k8s/base/kustomization.yaml': lines(
    'resources:',
    '  - deployment.yaml',
    'configMapGenerator:',
    '  - name: nginx-conf',
    '    files: [nginx/nginx.conf]',
    '  - name: nginx-sites',
    '    files:',
    '      - site.conf=nginx/site.nginx',
  ),
  'k8s/base/nginx/nginx.conf': NGINX_CONF,
  'k8s/base/nginx/site.nginx': SITE,
};

const found = (findings: readonly { file: string; line: number; ruleId: string | null }[]) =>
  findings.map((finding) => [finding.file, finding.line, finding.ruleId]);

describe('kustomize configMapGenerator', () => {
  it('lints the files a generated ConfigMap is made of at their own lines, in the container of the build that mounts it, whatever the run names', async () => {
    const root = tree(BASE);
    for (const operands of [['.'], ['k8s'], ['k8s/base/nginx/site.nginx'], ['k8s/base/nginx/nginx.conf']]) {
      const { findings, run } = await lintIn(root, operands);
      const site = run.results.find((result) => result.filePath === path.join(root, 'k8s/base/nginx/site.nginx'));
      // The key `site.conf` (from `site.conf=nginx/site.nginx`) is mounted into conf.d: the generated nginx.conf includes it.
      expect(site?.nginxVersion, operands.join(' ')).toMatchObject({ version: '1.18.0', origin: 'deployment.yaml:10 image nginx:1.18-alpine' });
      expect(found(findings), operands.join(' ')).toEqual([['k8s/base/nginx/site.nginx', 3, 'unknown-directive']]);
    }
  });

  it("reads an overlay's build: its namespace and namePrefix go on both, and behavior: merge replaces the base's key there only", async () => {
    const root = tree({
      ...BASE,
      'k8s/overlays/prod/kustomization.yaml': lines(
        'namespace: shop',
        'namePrefix: prod-',
        'resources: [../../base]',
        'configMapGenerator:',
        '  - name: nginx-sites',
        '    behavior: merge',
        '    files: [site.conf=site.conf]',
      ),
      'k8s/overlays/prod/site.conf': lines(
        'server {',
        '    listen 80;',
        '    location / {',
        '        proxy_pass http://api:8000;',
        '    }',
        '    http3 on;',
        '}',
      ),
    });
    const builds = kustomizeBuilds(root);
    expect(builds.map((build) => path.relative(root, build.kustomization))).toEqual([
      'k8s/base/kustomization.yaml',
      'k8s/overlays/prod/kustomization.yaml',
    ]);
    expect(builds[1]!.configMaps.map((map) => [map.namespace, map.name, map.keys?.map((key) => path.relative(root, key.file ?? ''))])).toEqual([
      ['shop', 'nginx-conf', ['k8s/base/nginx/nginx.conf']],
      ['shop', 'nginx-sites', ['k8s/overlays/prod/site.conf']],
    ]);
    const { findings, run } = await lintIn(root, ['.']);
    const overlay = run.results.find((result) => result.filePath === path.join(root, 'k8s/overlays/prod/site.conf'));
    expect(overlay?.nginxVersion).toMatchObject({ version: '1.18.0' });
    expect(found(findings).filter(([, , rule]) => rule === 'unknown-directive')).toEqual([
      ['k8s/base/nginx/site.nginx', 3, 'unknown-directive'],
      ['k8s/overlays/prod/site.conf', 6, 'unknown-directive'],
    ]);
  });

  it('reads no file outside the repository, and a generator whose keys are not all known leaves the ConfigMap unknown', async () => {
    const outside = tree({ 'site.conf': SITE });
    const root = tree(BASE);
    const escape = path.relative(path.join(root, 'k8s/base'), path.join(outside, 'site.conf')).split(path.sep).join('/');
    writeFiles(root, {
      'k8s/base/kustomization.yaml': lines(
        'resources: [deployment.yaml]',
        'configMapGenerator:',
        '  - name: nginx-conf',
        '    files: [nginx/nginx.conf]',
        '  - name: nginx-sites',
        `    files: [site.conf=${escape}]`,
      ),
    });
    expect(kustomizeBuilds(root)[0]!.configMaps.map((map) => [map.name, map.keys === null])).toEqual([
      ['nginx-conf', false],
      ['nginx-sites', true],
    ]);
    // The include of the unknown conf.d is not reported; the file outside is not linted.
    const { findings, files } = await lintIn(root, ['.']);
    expect(found(findings)).toEqual([]);
    expect(files.some((file) => file.includes('site.conf'))).toBe(false);
  });

  it("runs the image the build's images transformer gives the container, its version from that line", async () => {
    const root = tree({
      ...BASE,
      'k8s/base/kustomization.yaml': `${BASE['k8s/base/kustomization.yaml']}images:\n  - name: nginx\n    newTag: 1.27-alpine\n`,
    });
    const { findings, run } = await lintIn(root, ['.']);
    const site = run.results.find((result) => result.filePath === path.join(root, 'k8s/base/nginx/site.nginx'));
    // `http2 on;` is known to nginx 1.27.
    expect(site?.nginxVersion).toMatchObject({ version: '1.27.5', origin: 'kustomization.yaml:10 image nginx:1.27-alpine' });
    expect(found(findings)).toEqual([]);
  });

  it.each([
    ['nginx:1.18-alpine', { name: 'nginx', newTag: '1.27' }, 'nginx:1.27'],
    ['nginx', { name: 'nginx', newName: 'registry:5000/nginx', newTag: '1.25' }, 'registry:5000/nginx:1.25'],
    ['registry:5000/nginx:1.18', { name: 'registry:5000/nginx', digest: 'sha256:abc' }, 'registry:5000/nginx@sha256:abc'],
  ])('kustomizes the image %s with %o into %s', (image, override, expected) => {
    expect(kustomizedImage(image, [{ ...override, file: 'k', line: 1 }])?.image).toBe(expected);
    expect(kustomizedImage(image, [{ name: 'nginx-other', newTag: '1', file: 'k', line: 1 }])).toBeNull();
  });

  it('does not give a generated ConfigMap to a workload its build does not hold', async () => {
    const root = tree({
      ...BASE,
      'k8s/base/kustomization.yaml': lines('configMapGenerator:', '  - name: nginx-sites', '    files: [site.conf=nginx/site.nginx]'),
    });
    const { run } = await lintIn(root, ['k8s/base/nginx/site.nginx']);
    expect(run.results[0]?.nginxVersion?.version).not.toBe('1.18.0');
  });
});
