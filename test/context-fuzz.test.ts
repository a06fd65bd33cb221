/**
 * The files nginx-lint reads for facts (Compose files, Dockerfiles, start scripts, supervisord configs, Kubernetes
 * manifests, a Helm chart) come from the repository under review, in any state. Mutated at random, they must never
 * make the lint fail: what cannot be read is a reported problem ("app-side facts skipped: …"), not an internal error.
 * An alias of no anchor in a Compose file was one until this test's ad hoc predecessor found it.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { temporaryTrees } from './helpers/files.js';
import { lintIn } from './helpers/lint.js';

const tree = temporaryTrees();

/** A repository whose context files use most of what the fact sources read. */
const REPOSITORY: Readonly<Record<string, string>> = {
  'compose.yaml': [
    'x-defaults: &defaults',
    '  restart: unless-stopped',
    '  healthcheck: &check',
    '    test: ["CMD", "curl", "-f", "http://localhost:8000/health"]',
    'services:',
    '  proxy:',
    '    <<: *defaults',
    '    build: {context: ., dockerfile: Dockerfile}',
    '    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro", "certs:/etc/letsencrypt"]',
    '    depends_on: {api: {condition: service_healthy}}',
    '  api:',
    '    <<: [*defaults]',
    '    image: python:3.12',
    '    command: gunicorn --bind 0.0.0.0:8000 --keep-alive 2 app:app',
    '    environment: {PORT: "8000"}',
    'volumes: {certs: {}}',
    '',
  ].join('\n'),
  Dockerfile: [
    'ARG NGINX=1.27',
    'FROM nginx:${NGINX}-alpine',
    'ENV UPSTREAM=api',
    'COPY entrypoint.sh /docker-entrypoint.d/40-render.sh',
    'RUN echo "server { listen 81; location / { proxy_pass http://\\$UPSTREAM:8000; } }" > /etc/nginx/conf.d/extra.conf',
    'COPY supervisord.conf /etc/supervisor/conf.d/app.conf',
    '',
  ].join('\n'),
  'entrypoint.sh':
    '#!/bin/sh\nsed -i "s/{UPSTREAM}/${UPSTREAM:-api}/g" /etc/nginx/nginx.conf\nexec tini -- gunicorn --bind unix:/run/app.sock app:app\n',
  'supervisord.conf': '[program:app]\ncommand=uwsgi --http-socket :9000 --ini app.ini\nenvironment=PORT="9000"\n',
  'nginx.conf':
    'events {}\nhttp {\n    upstream app { server api:8000; keepalive 8; }\n    server {\n        listen 80;\n        location / {\n            proxy_pass http://app;\n            proxy_http_version 1.1;\n            proxy_set_header Connection "";\n        }\n        include /etc/letsencrypt/options-ssl-nginx.conf;\n    }\n}\n',
  'k8s/proxy.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: proxy}',
    'data:',
    '  default.conf: |',
    '    server { listen 80; location / { proxy_pass http://localhost:8000; } }',
    '---',
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata: {name: proxy}',
    'spec:',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: nginx',
    '          image: nginx:1.25',
    '          volumeMounts: [{name: conf, mountPath: /etc/nginx/conf.d}]',
    '      volumes: [{name: conf, configMap: {name: proxy}}]',
    '',
  ].join('\n'),
  'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 0.1.0\n',
  'chart/values.yaml': 'nginx:\n  tag: "1.25"\n  port: 8080\n',
  'chart/templates/nginx.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-nginx\ndata:\n  default.conf: |\n    server {\n        listen {{ .Values.nginx.port }};\n        {{- if .Values.nginx.tls }}\n        listen 443 ssl;\n        {{- end }}\n    }\n',
};
const CONTEXT_FILES = Object.keys(REPOSITORY).filter((file) => file !== 'nginx.conf');
/** What a careless edit or a hostile pull request puts in: YAML, template and shell syntax, odd characters. */
const JUNK = [
  '{{',
  '}}',
  '{{ .Values.x }}',
  ':',
  '- ',
  "'",
  '"',
  '\t',
  '[',
  ']',
  '{',
  '}',
  '<<EOF\n',
  '$$',
  '${',
  '\\',
  '&',
  '*',
  '*defaults',
  '<<: 5',
  '!!',
  '%',
  '\u0000',
  'é',
  '\n  - x',
  ';',
  '#',
  '---\n',
  '<<: *nothing',
];

/** An edit of one file: a junk insertion, a cut, or a repeated line, at relative positions. */
const edit = fc.record({
  file: fc.constantFrom(...CONTEXT_FILES),
  kind: fc.constantFrom('insert', 'cut', 'repeat'),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  length: fc.double({ min: 0, max: 0.3, noNaN: true }),
  junk: fc.constantFrom(...JUNK),
});

type Edit = { file: string; kind: 'insert' | 'cut' | 'repeat'; at: number; length: number; junk: string };

function applied(files: Record<string, string>, { file, kind, at, length, junk }: Edit): void {
  const text = files[file]!;
  const position = Math.floor(at * text.length);
  if (kind === 'insert') files[file] = text.slice(0, position) + junk + text.slice(position);
  else if (kind === 'cut') files[file] = text.slice(0, position) + text.slice(position + Math.floor(length * text.length));
  else {
    const lines = text.split('\n');
    const index = Math.floor(at * lines.length);
    lines.splice(index, 0, lines[index] ?? '');
    files[file] = lines.join('\n');
  }
}

describe('context files in any state', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('never make a folder scan fail, nor print a warning of their own: the nginx config is still linted', async () => {
    // The YAML library's warnings (an unknown `!!tag`) went to stderr as Node warnings, around the report.
    const warnings = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        warnings.mockClear();
        const files: Record<string, string> = { ...REPOSITORY };
        for (const each of edits) applied(files, each);
        const { files: linted } = await lintIn(tree({ '.git/HEAD': 'ref: refs/heads/main\n', ...files }), ['.']);
        expect(linted).toContain('nginx.conf');
        expect(warnings.mock.calls.map(([warning]) => String(warning))).toEqual([]);
      }),
      { numRuns: 60, seed: 20261204 },
    );
  });
});
