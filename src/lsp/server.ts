/**
 * `nginx-lint --lsp`: a language server over stdio (docs/editors.md). Every open buffer is linted as the CLI lints a
 * file — through the main config that includes it, with the repository's `.nginx-lint.json`, facts and services —
 * but with the unsaved text of every open buffer in place of the disk. Runs are debounced while the user types and
 * never overlap; each run lints all open buffers at once, because an edit in one (an `upstream` block) changes the
 * findings of another (the `proxy_pass` that names it).
 *
 * Loaded only for `--lsp` and bundled apart (scripts/bundle.mjs): a lint run never parses this module.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  TextDocumentEdit,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type Hover,
  type HoverParams,
  type InitializeParams,
  type InitializeResult,
  type Range,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { lintSession } from '../run.js';
import type { LintOptions } from '../lint/runner.js';
import type { LintMessage, RuleDocs, TextEdit } from '../lint/results.js';
import type { Model } from '../model/index.js';
import { parse } from '../syntax/parser.js';
import { toolVersion } from '../package-info.js';
import { hoverText } from './hover.js';

const SOURCE = 'nginx-lint';
const DEFAULT_DEBOUNCE_MS = 250;
const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.nginx-lint`;

/** What the client may set in `initializationOptions`. */
export interface ServerSettings {
  /** Milliseconds of quiet after an edit before the buffers are linted again (default 250). */
  readonly debounceMs?: number;
  /** `--nginx-version` for every run; default: the config's `nginxVersion`, else `nginx -v`. */
  readonly nginxVersion?: string;
  /** `--root`; default: the nearest folder holding `.git` above each file. */
  readonly root?: string;
}

/** One buffer as the last run saw it. */
interface Linted {
  readonly version: number;
  /** The text the offsets of the messages' fixes point into. */
  readonly document: TextDocument;
  readonly messages: readonly LintMessage[];
  /** The models of the entries whose configuration holds this buffer, for hovers. */
  readonly models: readonly Model[];
}

interface FixAllData {
  readonly uri: string;
  readonly version: number;
}

function pathOf(uri: string): string | null {
  return uri.startsWith('file:') ? path.normalize(fileURLToPath(uri)) : null;
}

function rangeOf(message: LintMessage): Range {
  return {
    start: { line: message.line - 1, character: message.column - 1 },
    end: { line: message.endLine - 1, character: message.endColumn - 1 },
  };
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

function overlaps(a: Range, b: Range): boolean {
  return !before(a.end, b.start) && !before(b.end, a.start);
}

/** `includedFrom` entries are `path:line`. */
function includeLocation(entry: string): { uri: string; range: Range } | null {
  const match = /^(.*):(\d+)$/.exec(entry);
  if (!match) return null;
  const line = Number(match[2]) - 1;
  return { uri: pathToFileURL(match[1]!).href, range: { start: { line, character: 0 }, end: { line, character: 0 } } };
}

function toDiagnostic(message: LintMessage, rules: ReadonlyMap<string, RuleDocs>): Diagnostic {
  const url = message.ruleId ? rules.get(message.ruleId)?.url : null;
  const related = (message.includedFrom ?? []).flatMap((entry) => {
    const location = includeLocation(entry);
    return location ? [{ location, message: 'included from here' }] : [];
  });
  return {
    range: rangeOf(message),
    severity: message.severity === 2 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: SOURCE,
    message: message.message,
    ...(message.ruleId ? { code: message.ruleId } : {}),
    ...(url ? { codeDescription: { href: url } } : {}),
    ...(related.length > 0 ? { relatedInformation: related } : {}),
  };
}

function toLspEdit(document: TextDocument, edit: TextEdit): LspTextEdit {
  return { range: { start: document.positionAt(edit.range[0]), end: document.positionAt(edit.range[1]) }, newText: edit.text };
}

class NginxLintServer {
  private readonly documents = new TextDocuments(TextDocument);
  private readonly linted = new Map<string, Linted>();
  private settings: ServerSettings = {};
  private cwd = process.cwd();
  private documentChanges = false;
  private resolveEdits = false;
  private watchFiles = false;
  private timer: NodeJS.Timeout | null = null;
  /** Bumped by every change a run must see: an edit, an open, a close, a watched file. */
  private generation = 0;
  private lintedGeneration = -1;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly connection: Connection) {
    connection.onInitialize((params) => this.initialize(params));
    connection.onInitialized(() => {
      if (this.watchFiles)
        void connection.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: ['**/.nginx-lint.json', '**/*.conf', '**/*.{yml,yaml}', '**/*.template'].map((globPattern) => ({ globPattern })),
        });
    });
    this.documents.onDidChangeContent(() => this.changed());
    this.documents.onDidClose((event) => {
      this.linted.delete(event.document.uri);
      void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
      // A closed buffer's unsaved text no longer stands in for the file: the others are linted against the disk.
      this.changed();
    });
    connection.onDidChangeWatchedFiles(() => this.changed());
    connection.onCodeAction((params) => this.codeActions(params));
    connection.onCodeActionResolve((action) => this.resolveFixAll(action));
    connection.onHover((params) => this.hover(params));
    connection.onShutdown(() => {
      if (this.timer) clearTimeout(this.timer);
    });
    this.documents.listen(connection);
  }

  private initialize(params: InitializeParams): InitializeResult {
    this.settings = (params.initializationOptions ?? {}) as ServerSettings;
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri;
    const folderPath = folder ? pathOf(folder) : null;
    if (folderPath) this.cwd = folderPath;
    const capabilities = params.capabilities;
    this.documentChanges = capabilities.workspace?.workspaceEdit?.documentChanges ?? false;
    this.resolveEdits = capabilities.textDocument?.codeAction?.resolveSupport?.properties.includes('edit') ?? false;
    this.watchFiles = capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration ?? false;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: true },
        hoverProvider: true,
      },
      serverInfo: { name: SOURCE, version: toolVersion() },
    };
  }

  private changed(): void {
    this.generation++;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.settings.debounceMs ?? DEFAULT_DEBOUNCE_MS);
  }

  /** Lints now (after any run under way) unless the last run already saw every change. */
  private flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = this.queue.then(async () => {
      if (this.lintedGeneration === this.generation) return;
      await this.lintOpenDocuments().catch((error: unknown) => this.connection.console.error(`nginx-lint: ${(error as Error).stack ?? error}`));
    });
    return this.queue;
  }

  private options(): LintOptions {
    return {
      cwd: this.cwd,
      ...(this.settings.nginxVersion ? { nginxVersion: this.settings.nginxVersion } : {}),
      ...(this.settings.root ? { root: this.settings.root } : {}),
    };
  }

  private async lintOpenDocuments(): Promise<void> {
    const generation = this.generation;
    const open = this.documents.all().flatMap((document) => {
      const filePath = pathOf(document.uri);
      return filePath ? [{ filePath, snapshot: TextDocument.create(document.uri, document.languageId, document.version, document.getText()) }] : [];
    });
    if (open.length === 0) {
      this.lintedGeneration = generation;
      return;
    }
    const files = new Map(open.map(({ filePath, snapshot }) => [filePath, snapshot.getText()]));
    const models = new Map<string, Model[]>();
    let run;
    try {
      run = await lintSession([...files.keys()], this.options(), {
        files,
        onEntry: (outcome) => {
          for (const filePath of outcome.program.files.keys())
            if (files.has(filePath)) models.set(filePath, [...(models.get(filePath) ?? []), outcome.model]);
        },
      });
    } catch (error) {
      // A config that does not load, an entry that cannot be read: shown where the user looks, on every buffer.
      const message = `nginx-lint could not lint: ${(error as Error).message}`;
      for (const { snapshot } of open) {
        this.linted.set(snapshot.uri, { version: snapshot.version, document: snapshot, messages: [], models: [] });
        const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        void this.connection.sendDiagnostics({
          uri: snapshot.uri,
          version: snapshot.version,
          diagnostics: [{ range, severity: DiagnosticSeverity.Error, source: SOURCE, message }],
        });
      }
      this.lintedGeneration = generation;
      return;
    }
    for (const note of run.notes) this.connection.console.info(`nginx-lint: ${note}`);
    const byPath = new Map(run.results.map((result) => [result.filePath, result.messages]));
    for (const { filePath, snapshot } of open) {
      const messages = byPath.get(filePath) ?? [];
      this.linted.set(snapshot.uri, { version: snapshot.version, document: snapshot, messages, models: models.get(filePath) ?? [] });
      void this.connection.sendDiagnostics({
        uri: snapshot.uri,
        version: snapshot.version,
        diagnostics: messages.map((message) => toDiagnostic(message, run.rules)),
      });
    }
    this.lintedGeneration = generation;
  }

  /** The last run's view of a buffer, linting first when the buffer changed since. */
  private async current(uri: string): Promise<Linted | null> {
    const document = this.documents.get(uri);
    if (!document) return null;
    if (this.linted.get(uri)?.version !== document.version || this.lintedGeneration !== this.generation) await this.flush();
    const linted = this.linted.get(uri);
    return linted && linted.version === document.version ? linted : null;
  }

  private workspaceEdit(document: TextDocument, edits: LspTextEdit[]): WorkspaceEdit {
    return this.documentChanges
      ? { documentChanges: [TextDocumentEdit.create({ uri: document.uri, version: document.version }, edits)] }
      : { changes: { [document.uri]: edits } };
  }

  private async codeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const linted = await this.current(params.textDocument.uri);
    if (!linted) return [];
    const wanted = (kind: string) => !params.context.only || params.context.only.some((only) => kind === only || kind.startsWith(`${only}.`));
    const actions: CodeAction[] = [];
    const { document } = linted;
    if (wanted(CodeActionKind.QuickFix)) {
      for (const message of linted.messages) {
        if (!overlaps(rangeOf(message), params.range)) continue;
        const diagnostic = toDiagnostic(message, new Map());
        const rule = message.ruleId ? ` (${message.ruleId})` : '';
        if (message.fix) {
          const unsafe = message.fixSafety === 'unsafe';
          actions.push({
            title: unsafe ? `Unsafe fix${rule}: ${message.message} — changes behaviour, review it` : `Fix${rule}: ${message.message}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            isPreferred: !unsafe,
            edit: this.workspaceEdit(document, [toLspEdit(document, message.fix)]),
          });
        }
        for (const suggestion of message.suggestions ?? []) {
          actions.push({
            title: `Suggestion${rule}: ${suggestion.desc}`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [diagnostic],
            edit: this.workspaceEdit(document, [toLspEdit(document, suggestion.fix)]),
          });
        }
      }
    }
    const safeFixes = linted.messages.filter((message) => message.fix && message.fixSafety !== 'unsafe').length;
    // Asked for by name (editor.codeActionsOnSave, :lua vim.lsp.buf.code_action{context={only={'source.fixAll'}}}),
    // or offered beside the quick fixes when the client can fetch the edit only once the user picks it.
    const explicit = params.context.only?.some((only) => FIX_ALL_KIND.startsWith(only) && only !== '') ?? false;
    if (safeFixes > 0 && wanted(FIX_ALL_KIND) && (explicit || (this.resolveEdits && safeFixes > 1))) {
      const action: CodeAction = {
        title: `Fix all safe problems (${safeFixes}) with nginx-lint`,
        kind: FIX_ALL_KIND,
        data: { uri: document.uri, version: document.version } satisfies FixAllData,
      };
      actions.push(this.resolveEdits && !explicit ? action : await this.resolveFixAll(action));
    }
    return actions;
  }

  /** All safe fixes of a buffer, applied until stable by the fixer the CLI's --fix uses: one edit of the buffer. */
  private async resolveFixAll(action: CodeAction): Promise<CodeAction> {
    const data = action.data as FixAllData | undefined;
    const document = data ? this.documents.get(data.uri) : undefined;
    const filePath = document ? pathOf(document.uri) : null;
    if (!data || !document || !filePath || document.version !== data.version) return action;
    const files = new Map(
      this.documents.all().flatMap((open) => {
        const openPath = pathOf(open.uri);
        return openPath ? [[openPath, open.getText()] as const] : [];
      }),
    );
    const run = await lintSession([filePath], { ...this.options(), fix: true }, { files });
    const fixed = run.fixedFiles.find((file) => file.path === filePath);
    if (!fixed || fixed.before !== document.getText()) return action;
    const text = document.getText();
    const whole = { start: document.positionAt(0), end: document.positionAt(text.length) };
    return { ...action, edit: this.workspaceEdit(document, [{ range: whole, newText: fixed.after }]) };
  }

  private async hover(params: HoverParams): Promise<Hover | null> {
    const document = this.documents.get(params.textDocument.uri);
    if (!document) return null;
    const linted = await this.current(document.uri);
    const file = parse(document.getText(), pathOf(document.uri) ?? document.uri);
    const found = hoverText(file, document.offsetAt(params.position), linted?.models ?? []);
    if (!found) return null;
    const { nameToken } = found.directive;
    return {
      contents: { kind: 'markdown', value: found.text },
      range: { start: document.positionAt(nameToken.start), end: document.positionAt(nameToken.end) },
    };
  }
}

/**
 * Serves the protocol on stdin/stdout until the client sends `exit` (the library then exits the process). Nothing
 * else may write to stdout: a plugin's console.log goes to stderr, where editors keep the server's log.
 */
export function startLanguageServer(): Promise<number> {
  console.log = console.info = console.debug = (...values: unknown[]) => console.error(...values);
  const connection = createConnection(process.stdin, process.stdout);
  new NginxLintServer(connection);
  connection.listen();
  return new Promise<number>(() => undefined);
}
