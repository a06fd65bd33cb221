/**
 * `nginx-lint --lsp` as an editor runs it: the built CLI in a child process, driven over stdio by a scripted client
 * (test/helpers/lsp-client.ts). An open buffer is linted from its unsaved text, through the main config that includes
 * it, with the repository's .nginx-lint.json services; its quick fixes are applied the way an editor applies a
 * WorkspaceEdit, and the diagnostics they answer go away.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { CodeAction, Diagnostic, Hover, PublishDiagnosticsParams, TextDocumentEdit, TextEdit } from 'vscode-languageserver';
import { CLI_PATH, cliEnvironment, temporaryProjects } from './helpers/cli.js';
import { LspClient } from './helpers/lsp-client.js';

const writeProject = temporaryProjects();

const MAIN = `events {}
http {
    upstream api {
        server api:9000;
    }
    include conf.d/*.conf;
}
`;

/** On disk: nothing to report. The buffer the test opens differs (SITE_BUFFER). */
const SITE_ON_DISK = `server {
    listen 80;
    location / {
        proxy_pass http://api;
        proxy_read_timeout 10s;
    }
}
`;

/** Unsaved: a timeout under the service's P99 (safe fix), localhost (unsafe fix), a typo (suggestion). */
const SITE_BUFFER = `server {
    listen 80;
    location / {
        proxy_pass http://api;
        proxy_read_timeout 1s;
    }
    location /legacy {
        proxy_pass http://localhost:3000;
    }
    locaton /old {
        return 410;
    }
}
`;

const PROJECT = {
  'nginx.conf': MAIN,
  'conf.d/site.conf': SITE_ON_DISK,
  '.nginx-lint.json': JSON.stringify({ services: { api: { port: 9000, p99: '3s' } } }),
};

const clients: LspClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) if (client.child.exitCode === null) client.child.kill();
});

async function startServer(root: string, initializationOptions: object = { debounceMs: 50 }): Promise<LspClient> {
  const client = LspClient.spawn(process.execPath, [CLI_PATH, '--lsp'], root, cliEnvironment());
  clients.push(client);
  const initialized = await client.request<{ capabilities: Record<string, unknown>; serverInfo: { name: string } }>('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(root).href,
    capabilities: { workspace: { workspaceEdit: { documentChanges: true } } },
    initializationOptions,
  });
  expect(initialized.serverInfo.name).toBe('nginx-lint');
  expect(initialized.capabilities).toMatchObject({
    hoverProvider: true,
    codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.nginx-lint'] },
  });
  client.notify('initialized', {});
  return client;
}

function diagnosticsFor(client: LspClient, uri: string, version: number, from = 0): Promise<PublishDiagnosticsParams> {
  return client.waitFor<PublishDiagnosticsParams>(
    'textDocument/publishDiagnostics',
    (params) => params.uri === uri && params.version === version,
    from,
  );
}

/** What an editor does with a WorkspaceEdit of one document: apply its edits to the text. */
function applyEdit(text: string, uri: string, action: CodeAction): string {
  const [change] = action.edit!.documentChanges! as TextDocumentEdit[];
  expect(change!.textDocument.uri).toBe(uri);
  return TextDocument.applyEdits(TextDocument.create(uri, 'nginx', 0, text), change!.edits as TextEdit[]);
}

const codes = (diagnostics: readonly Diagnostic[]) => diagnostics.map((diagnostic) => diagnostic.code).sort();

describe('nginx-lint --lsp', () => {
  it('writes nothing but the protocol: an input that ends at once gets no output, and the process exits', async () => {
    const client = LspClient.spawn(process.execPath, [CLI_PATH, '--lsp', '--stdio'], writeProject(), cliEnvironment());
    clients.push(client);
    let stdout = '';
    client.child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    client.child.stdin.end();
    // 1: the input ended without a shutdown request (the protocol's rule for `exit` without `shutdown`).
    expect(await client.exited).toBe(1);
    expect(stdout).toBe('');
    expect(client.stderr.join('')).toBe('');
  });

  it('lints an unsaved buffer in its main config, fixes it with code actions, and clears the diagnostics', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root);
    const uri = pathToFileURL(path.join(root, 'conf.d/site.conf')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: SITE_BUFFER } });
    const published = await diagnosticsFor(client, uri, 1);
    expect(codes(published.diagnostics)).toEqual(['proxy-pass-localhost', 'proxy-timeout-below-p99', 'unknown-directive']);
    const timeout = published.diagnostics.find((diagnostic) => diagnostic.code === 'proxy-timeout-below-p99')!;
    // 1-based line 5, column 28 in the CLI's terms: the `1s` of the unsaved text.
    expect(timeout.range.start).toEqual({ line: 4, character: 27 });
    expect(timeout.severity).toBe(1);
    expect(timeout.source).toBe('nginx-lint');
    expect(timeout.codeDescription?.href).toMatch(/proxy-timeout-below-p99\.md$/);

    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 13, character: 0 } },
      context: { diagnostics: published.diagnostics },
    });
    const titled = (pattern: RegExp) => actions.find((action) => pattern.test(action.title))!;
    const safe = titled(/^Fix \(proxy-timeout-below-p99\)/);
    const unsafe = titled(/^Unsafe fix \(proxy-pass-localhost\)/);
    const suggestion = titled(/^Suggestion \(unknown-directive\): Rename to "location"/);
    expect(safe).toMatchObject({ kind: 'quickfix', isPreferred: true });
    expect(unsafe).toMatchObject({ kind: 'quickfix', isPreferred: false });
    expect(unsafe.title).toContain('changes behaviour');
    expect(suggestion.kind).toBe('quickfix');
    expect((safe.edit!.documentChanges![0] as TextDocumentEdit).textDocument.version).toBe(1);

    // The safe fix: the timeout becomes P99 + 1s, and only that diagnostic goes away.
    let text = applyEdit(SITE_BUFFER, uri, safe);
    expect(text).toContain('proxy_read_timeout 4s;');
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text }] });
    expect(codes((await diagnosticsFor(client, uri, 2)).diagnostics)).toEqual(['proxy-pass-localhost', 'unknown-directive']);

    // The other two, from a fresh request (the first edits' offsets are for version 1): nothing left.
    const next = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 13, character: 0 } },
      context: { diagnostics: [] },
    });
    text = applyEdit(
      text,
      uri,
      next.find((action) => action.title.startsWith('Unsafe fix'))!,
    );
    expect(text).toContain('proxy_pass http://127.0.0.1:3000;');
    client.notify('textDocument/didChange', { textDocument: { uri, version: 3 }, contentChanges: [{ text }] });
    await diagnosticsFor(client, uri, 3);
    const last = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 9, character: 0 }, end: { line: 9, character: 10 } },
      context: { diagnostics: [] },
    });
    text = applyEdit(
      text,
      uri,
      last.find((action) => action.title.startsWith('Suggestion'))!,
    );
    client.notify('textDocument/didChange', { textDocument: { uri, version: 4 }, contentChanges: [{ text }] });
    expect((await diagnosticsFor(client, uri, 4)).diagnostics).toEqual([]);

    expect(await client.stop()).toBe(0);
  });

  it('uses the unsaved text of every open buffer: an upstream removed in nginx.conf changes the findings of the file it includes', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root);
    const site = pathToFileURL(path.join(root, 'conf.d/site.conf')).href;
    const main = pathToFileURL(path.join(root, 'nginx.conf')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri: site, languageId: 'nginx', version: 1, text: SITE_ON_DISK } });
    expect((await diagnosticsFor(client, site, 1)).diagnostics).toEqual([]);

    // Without the upstream block, `proxy_pass http://api` connects to api:80, and api listens on 9000 only.
    const from = client.notifications.length;
    const withoutUpstream = MAIN.replace(/ {4}upstream api \{\n.*\n {4}\}\n/, '');
    client.notify('textDocument/didOpen', { textDocument: { uri: main, languageId: 'nginx', version: 1, text: withoutUpstream } });
    const siteAgain = await diagnosticsFor(client, site, 1, from);
    expect(codes(siteAgain.diagnostics)).toEqual(['proxy-pass-port-mismatch']);

    // Closing the buffer without saving: the file on disk counts again.
    const closed = client.notifications.length;
    client.notify('textDocument/didClose', { textDocument: { uri: main } });
    expect((await diagnosticsFor(client, site, 1, closed)).diagnostics).toEqual([]);
    expect(await client.stop()).toBe(0);
  });

  it('lints a file that exists only in the editor, not yet on disk, in the repository it will be saved in', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root);
    const uri = pathToFileURL(path.join(root, 'conf.d/new.conf')).href;
    const text = 'server {\n    listen 81;\n    location / {\n        proxy_pass http://api:8000;\n    }\n}\n';
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text } });
    // The service's port comes from the repository's .nginx-lint.json: the unsaved file is checked against it.
    expect(codes((await diagnosticsFor(client, uri, 1)).diagnostics)).toEqual(['proxy-pass-port-mismatch']);
    expect(await client.stop()).toBe(0);
  });

  it('debounces: a burst of edits is linted once, at its last version', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root, { debounceMs: 300 });
    const uri = pathToFileURL(path.join(root, 'conf.d/site.conf')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: SITE_ON_DISK } });
    await diagnosticsFor(client, uri, 1);
    const from = client.notifications.length;
    for (let version = 2; version <= 6; version++) {
      const text = SITE_ON_DISK.replace('10s', `${version - 1}s`);
      client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
    }
    const published = await diagnosticsFor(client, uri, 6, from);
    // 5s is over P99 + 1s: nothing to report; 1s…3s would have been.
    expect(published.diagnostics).toEqual([]);
    const versions = client.notifications
      .slice(from)
      .filter((note) => note.method === 'textDocument/publishDiagnostics')
      .map((note) => (note.params as PublishDiagnosticsParams).version);
    expect(versions).toEqual([6]);
    expect(await client.stop()).toBe(0);
  });

  it('offers every safe fix at once as source.fixAll', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root);
    const uri = pathToFileURL(path.join(root, 'conf.d/site.conf')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: SITE_BUFFER } });
    await diagnosticsFor(client, uri, 1);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    expect(actions.map((action) => action.kind)).toEqual(['source.fixAll.nginx-lint']);
    const fixed = applyEdit(SITE_BUFFER, uri, actions[0]!);
    // The safe fix only: localhost and the typo stay for the user to decide.
    expect(fixed).toBe(SITE_BUFFER.replace('proxy_read_timeout 1s;', 'proxy_read_timeout 4s;'));
    expect(await client.stop()).toBe(0);
  });

  it('hovers a directive with its documentation, its effective value and the service behind a proxy_pass', async () => {
    const root = writeProject(PROJECT);
    const client = await startServer(root);
    const uri = pathToFileURL(path.join(root, 'conf.d/site.conf')).href;
    client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'nginx', version: 1, text: SITE_BUFFER } });
    const timeout = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 12 } });
    const timeoutText = (timeout.contents as { value: string }).value;
    expect(timeoutText).toContain('**proxy_read_timeout** — `ngx_http_proxy_module`');
    expect(timeoutText).toContain('- Default: `proxy_read_timeout 60s;`');
    expect(timeoutText).toContain('- Context: `http`, `server`, `location`');
    expect(timeoutText).toContain('Effective here: `proxy_read_timeout 1s;`');
    expect(timeoutText).toMatch(/included by nginx\.conf:6/);
    expect(timeout.range).toEqual({ start: { line: 4, character: 8 }, end: { line: 4, character: 26 } });

    // At the server level: the value there, and the location that sets its own.
    const serverLevel = SITE_BUFFER.replace('    listen 80;\n', '    listen 80;\n    proxy_read_timeout 30s;\n');
    client.notify('textDocument/didChange', { textDocument: { uri, version: 2 }, contentChanges: [{ text: serverLevel }] });
    const atServer = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 6 } });
    const atServerText = (atServer.contents as { value: string }).value;
    expect(atServerText).toContain('Effective here: `proxy_read_timeout 30s;`');
    expect(atServerText).toContain('Replaced in nested blocks by:\n- `location /` `proxy_read_timeout 1s;` — conf.d/site.conf:6');

    const pass = await client.request<Hover>('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 30 } });
    const passText = (pass.contents as { value: string }).value;
    expect(passText).toContain('Sends to upstream `api` (nginx.conf:3): `api:9000`');
    expect(passText).toContain('service `api` (.nginx-lint.json services.api)');
    expect(passText).toContain('P99 3s');

    // Inside a block's body but on no statement: nothing.
    const blank = await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 13, character: 1 } });
    expect(blank).toBeNull();
    expect(await client.stop()).toBe(0);
  });
});
