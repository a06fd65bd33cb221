/**
 * Helm charts (src/context/helm.ts): a chart's manifests read rendered with its values, so the nginx config of a
 * ConfigMap template and the image of its Deployment template are what `helm template` gives.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helmChartOf, helmValue, renderHelmTemplate, type HelmChart } from '../src/context/helm.js';
import { temporaryTrees } from './helpers/files.js';
import { lintIn } from './helpers/lint.js';

const tree = temporaryTrees();

const CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\nappVersion: "1.4.2"\n',
  'values.yaml': 'nginx:\n  image:\n    repository: nginx\n    tag: 1.18-alpine\n  port: 8080\n  unset:\napi:\n  port: 8000\n',
};

const chart: HelmChart = {
  root: '/chart',
  chart: { Name: 'shop', Version: '0.1.0', AppVersion: '1.4.2' },
  values: { nginx: { image: { repository: 'nginx', tag: '1.18-alpine' }, port: 8080, unset: null }, api: { port: 8000 } },
};

describe('Helm value actions', () => {
  it.each([
    ['.Values.nginx.port', '8080'],
    ['$.Values.nginx.port', '8080'],
    ['.Values.nginx.image.tag | quote', '"1.18-alpine"'],
    ['.Values.nginx.image.tag | upper', '1.18-ALPINE'],
    ['printf "%s:%s" .Values.nginx.image.repository .Values.nginx.image.tag', 'nginx:1.18-alpine'],
    ['.Values.nginx.unset | default "80"', '80'],
    ['.Values.missing.port | default 80', '80'],
    ['default 80 .Values.api.port', '8000'],
    ['.Release.Name', 'release-name'],
    ['.Release.Namespace', 'default'],
    ['.Chart.AppVersion', '1.4.2'],
  ])('%s renders %s', (action, rendered) => {
    expect(helmValue(action, chart)).toBe(rendered);
  });

  it('reads a field named default as a field, not as a default (nextcloud: print .Values.nginx.config.default "-" …)', () => {
    expect(helmValue('print .Values.nginx.config.default "-" .Values.nginx.config.custom | sha256sum', chart)).toBeNull();
    expect(renderHelmTemplate('hash: {{ print .Values.nginx.config.default "-" .Values.nginx.config.custom | sha256sum }}\n', chart).text).toBe(
      'hash: print_values_nginx_config_default_values_nginx_config_custom_sha256sum\n',
    );
  });

  it('renders a template call inline as a placeholder word, and alone on its line as nothing (sentry: server {{ template … }}-web:…)', () => {
    const rendered = renderHelmTemplate(
      'server {{ template "sentry.fullname" . }}-web:{{ template "sentry.port" }};\n{{ template "more" . }}\n',
      chart,
    );
    expect(rendered.text).toBe('server template_sentry_fullname-web:template_sentry_port;\n\n');
    expect(rendered.placeholders).toHaveLength(2);
  });

  it.each([
    ['a value the chart leaves unset', '.Values.nginx.unset'],
    ['a map', '.Values.nginx'],
    ['a named template', 'include "shop.fullname" .'],
    ['a function not evaluated here', '.Values.nginx | toYaml'],
    ['a parenthesized call', 'default (include "shop.port" .) .Values.api.port'],
    ['a variable', '$port'],
    ['printf with an unset value', 'printf "%s:%s" .Values.nginx.image.repository .Values.missing'],
  ])('gives nothing known for %s', (_, action) => {
    expect(helmValue(action, chart)).toBeNull();
  });

  it.each([
    ['{{ .Files.Get "files/nginx.conf" | indent 4 }}', false],
    ['    {{- .Files.Get "files/nginx.conf" | trimSuffix "\\n" | nindent 4 }}', false],
    ['    {{ .Files.Get "files/nginx.conf" | indent 4 | trim }}', false],
    ['{{ tpl (.Files.Get "files/nginx.conf") . | indent 4 }}', true],
    ['    {{- tpl (.Files.Get "files/nginx.conf") $ | nindent 4 }}', true],
  ])('reads %s as the chart file written whole', (line, rendered) => {
    expect(renderHelmTemplate(`data:\n  nginx.conf: |-\n${line}\n`, chart).filesWritten).toEqual([
      { line: 3, file: path.join('/chart', 'files', 'nginx.conf'), rendered },
    ]);
  });

  it('reads no file the action does more with, or that lies outside the chart', () => {
    for (const line of ['{{ .Files.Get "files/nginx.conf" | replace "__X__" "y" | indent 4 }}', '{{ .Files.Get "../../etc/passwd" | indent 4 }}']) {
      expect(renderHelmTemplate(`data:\n  nginx.conf: |-\n${line}\n`, chart).filesWritten).toEqual([]);
    }
  });

  it('finds the chart of a manifest under templates/, and none without a Chart.yaml beside that folder', () => {
    const root = tree({ ...CHART, 'templates/app.yaml': '', 'templates/sub/more.yaml': '', 'other/templates/x.yaml': '' });
    expect(helmChartOf(path.join(root, 'templates/app.yaml'))).toMatchObject({ root, chart: { Name: 'shop', AppVersion: '1.4.2' } });
    expect(helmChartOf(path.join(root, 'templates/sub/more.yaml'))?.root).toBe(root);
    expect(helmChartOf(path.join(root, 'other/templates/x.yaml'))).toBeNull();
    expect(helmChartOf(path.join(root, 'values.yaml'))).toBeNull();
  });
});

const NGINX_TEMPLATE = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata:',
  '  name: {{ include "shop.fullname" . }}-nginx',
  '  labels:',
  '    {{- include "shop.labels" . | nindent 4 }}',
  'data:',
  '  default.conf: |',
  '    upstream api {',
  '        server {{ include "shop.fullname" . }}-api:{{ .Values.api.port }};',
  '        keepalive 16;',
  '    }',
  '    server {',
  '        listen {{ .Values.nginx.port }};',
  '        http2 on;',
  '        location / {',
  '            proxy_pass http://api;',
  '            proxy_http_version 1.1;',
  '            proxy_set_header Connection "";',
  '        }',
  '    }',
  '---',
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: {{ include "shop.fullname" . }}-nginx',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: nginx',
  '          image: "{{ .Values.nginx.image.repository }}:{{ .Values.nginx.image.tag }}"',
  '          volumeMounts:',
  '            - name: conf',
  '              mountPath: /etc/nginx/conf.d',
  '      volumes:',
  '        - name: conf',
  '          configMap:',
  '            name: {{ include "shop.fullname" . }}-nginx',
  '',
].join('\n');

describe('a Helm chart in the repository', () => {
  it("lints a ConfigMap template's nginx config as the chart's values render it, against its Deployment's image", async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', ...prefixed('chart/', CHART), 'chart/templates/nginx.yaml': NGINX_TEMPLATE });
    const { findings, run } = await lintIn(root, ['.']);
    expect(run.results.find((result) => result.filePath.endsWith('nginx.yaml'))?.nginxVersion).toMatchObject({
      version: '1.18.0',
      origin: 'nginx.yaml:32 image nginx:1.18-alpine',
    });
    // The upstream server's name is an unknown placeholder, its port the chart's 8000: nothing judges that statement.
    expect(findings.map((finding) => [finding.file, finding.line, finding.column, finding.ruleId])).toEqual([
      ['chart/templates/nginx.yaml', 15, 9, 'unknown-directive'],
    ]);
  });

  it("reports a finding after a rendered value at the template's own column, not the rendered text's", async () => {
    const template = NGINX_TEMPLATE.replace(
      '            proxy_pass http://api;',
      '            set $api {{ .Values.api.port }}; proxy_pass http://localhost:{{ .Values.api.port }};',
    );
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', ...prefixed('chart/', CHART), 'chart/templates/nginx.yaml': template });
    const { findings } = await lintIn(root, ['.']);
    const line = template.split('\n').findIndex((text) => text.includes('proxy_pass http://localhost'));
    // Rendered, `{{ .Values.api.port }}` is `8000`: 18 characters fewer before the pass's host than the template has.
    expect(findings.filter((finding) => finding.ruleId === 'proxy-pass-localhost').map((finding) => [finding.line, finding.column])).toEqual([
      [line + 1, template.split('\n')[line]!.indexOf('localhost:') + 1],
    ]);
  });

  it("lints the chart's file a ConfigMap template writes whole (tpl (.Files.Get …)) at its own lines, in that container", async () => {
    const configMap = [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: {{ template "shop.fullname" . }}-nginxconfig',
      'data:',
      '  {{- if .Values.nginx.config.default }}',
      '  default.conf: |-',
      '    {{- tpl (.Files.Get "files/nginx.conf.tpl") . | nindent 4 }}',
      '  {{- end }}',
      '  {{- with .Values.nginx.config.custom }}',
      '  zz-custom.conf: |-',
      '    {{- . | nindent 4 }}',
      '  {{- end }}',
      '',
    ].join('\n');
    // The Deployment of the first test, its volume naming this ConfigMap.
    const deployment = NGINX_TEMPLATE.slice(NGINX_TEMPLATE.indexOf('---\n') + 4).replace(
      /(configMap:\n\s+name: )\{\{ include "shop\.fullname" \. \}\}-nginx/,
      '$1{{ template "shop.fullname" . }}-nginxconfig',
    );
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      ...prefixed('chart/', CHART),
      'chart/values.yaml': `${CHART['values.yaml']}  config:\n    default: true\n    custom:\n`,
      'chart/templates/nginx-config.yaml': configMap,
      'chart/templates/deployment.yaml': deployment,
      'chart/files/nginx.conf.tpl': 'server {\n    listen {{ .Values.nginx.port }};\n    http2 on;\n}\n',
    });
    for (const operands of [['.'], ['chart/files/nginx.conf.tpl']]) {
      const { findings, run } = await lintIn(root, operands);
      const tpl = run.results.find((result) => result.filePath === path.join(root, 'chart/files/nginx.conf.tpl'));
      expect(tpl?.nginxVersion).toMatchObject({ version: '1.18.0', origin: 'deployment.yaml:10 image nginx:1.18-alpine' });
      expect(findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
        ['chart/files/nginx.conf.tpl', 3, 'unknown-directive'],
      ]);
      // The key `with` fills from an unset value renders empty: nothing to lint, nothing to say about it.
      expect(run.notes.filter((note) => note.includes('zz-custom.conf'))).toEqual([]);
    }
  });

  it("reads a chart's .tpl manifests as Helm renders them, but not its _ partials", async () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      ...prefixed('chart/', CHART),
      'chart/templates/nginx.tpl': NGINX_TEMPLATE,
      'chart/templates/_nginx.tpl': NGINX_TEMPLATE.replace('http2 on;', 'http3 on;'),
    });
    expect((await lintIn(root, ['.'])).findings.map((finding) => [finding.file, finding.line, finding.ruleId])).toEqual([
      ['chart/templates/nginx.tpl', 15, 'unknown-directive'],
    ]);
  });

  it('leaves the same manifest alone outside a chart: it is no YAML until rendered', async () => {
    const root = tree({ '.git/HEAD': 'ref: refs/heads/main\n', 'k8s/nginx.yaml': NGINX_TEMPLATE });
    expect((await lintIn(root, ['.'])).findings).toEqual([]);
  });
});

function prefixed(prefix: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([name, text]) => [prefix + name, text]));
}
