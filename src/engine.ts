/**
 * Runs rules over configurations: reads each entry file with its includes, builds the model, runs every enabled
 * rule (a rule that throws becomes an internal-error finding, not a dead run), applies severities per physical
 * file, suppressions and the baseline, and — for --fix — applies fixes in passes until stable, keeping only
 * passes that introduce no structural problem.
 */
import path from 'node:path';
import { type SourceFile, positionAt } from './ast.js';
import { applyBaseline } from './baseline.js';
import { loadConfigFor, resolveRulesFor, isIgnored, printableConfig } from './config/index.js';
import type { ResolvedConfig, RuleSetting } from './config/types.js';
import { type BlockContext, checkStatement } from './directives.js';
import { fixUntilStable, mergeChanges, type OffsetChange } from './fix/apply.js';
import { expandInputs } from './inputs.js';
import { InputError, loadProgram, type Program } from './loader.js';
import { buildModel, type Model } from './model.js';
import { type LintMessage, type LintResult, type RuleDocs, countSeverities } from './results.js';
import { RuleRegistry } from './registry.js';
import { toolVersion } from './package-info.js';
import type { Report, Rule, Suggestion, TextChange } from './rule.js';
import { loadServiceCatalog, type ServiceCatalog } from './services/index.js';
import { findSuppressions } from './suppressions.js';
import { buildTree, contextPragma, includeChain, statementText, type ConfigNode, type ConfigTree } from './tree.js';
import { satisfies } from './version.js';

export interface LintOptions {
  readonly cwd: string;
  readonly configFile?: string;
  readonly configLookup?: boolean;
  readonly cliRules?: readonly string[];
  readonly nginxVersion?: string;
  readonly prefix?: string;
  readonly context?: BlockContext;
  readonly followIncludes?: boolean;
  /** Report errors only, and do not run rules that can only warn. */
  readonly quiet?: boolean;
  /** Compute fixed texts (the caller decides whether to write them or print a diff). */
  readonly fix?: boolean;
  readonly stdin?: { readonly text: string; readonly filename: string };
  readonly baseline?: { readonly file: string; readonly update: boolean };
  /** Print a progress line on stderr when many files are linted. */
  readonly progress?: boolean;
  readonly debug?: boolean;
}

export interface FixedFile {
  readonly path: string;
  readonly before: string;
  readonly after: string;
  readonly encoding: 'utf8' | 'latin1';
}

export interface LintRun {
  readonly results: LintResult[];
  readonly rules: ReadonlyMap<string, RuleDocs>;
  readonly fixedFiles: FixedFile[];
  /** Operands that matched no file. */
  readonly unmatched: string[];
  /** Things the user should know that are not findings (a fix dropped, a baseline written). */
  readonly notes: string[];
  readonly toolVersion: string;
}

/** A finding before it is turned into a message: it still knows its file and statement. */
interface Finding {
  readonly ruleId: string;
  readonly severity: 1 | 2;
  readonly message: string;
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  readonly lineAt: number;
  readonly node: ConfigNode | null;
  /** A finding with no statement in an included file (a syntax error): the `include` that first read the file. */
  readonly includedVia?: ConfigNode;
  readonly fix: readonly TextChange[] | null;
  readonly suggestions: readonly Suggestion[];
  /** The rule asked for this finding to be a warning at most. */
  readonly capAtWarning?: boolean;
  /** A rule crashed or facts could not be read: the result is incomplete. Its severity is not configurable. */
  readonly fatal?: boolean;
}

interface EntryOutcome {
  readonly program: Program;
  readonly findings: Finding[];
  readonly config: ResolvedConfig;
}

/** Rules whose findings mean nginx -t fails: a fix must never add one. */
const STRUCTURAL_RULES = new Set(['syntax-error', 'unknown-directive', 'directive-not-allowed-here', 'invalid-arguments', 'include-not-found', 'include-cycle']);
const MAX_FIX_PASSES = 10;
/** The rule id of findings that belong to no rule; they become `ruleId: null` in the output. */
const INTERNAL = '';
const PROGRESS_THRESHOLD = 20;
/** The contexts tried, in order, for a snippet file with no `--context` and no pragma. */
const INFERRED_CONTEXTS: readonly BlockContext[] = ['main', 'http', 'server', 'location', 'upstream', 'stream'];

/**
 * The context a file without `--context` or pragma is linted in: the first of main, http, server, location, … that
 * accepts every top-level statement — a `conf.d/site.conf` holding `server { }` blocks is then linted in http.
 */
export function inferContext(file: SourceFile): BlockContext {
  const accepts = (context: BlockContext) =>
    file.directives.every((directive) => {
      const problem = checkStatement({ name: directive.name, context, args: directive.args.map((arg) => arg.value), hasBlock: directive.terminator === '{' });
      return problem?.kind !== 'not-allowed-here';
    });
  return INFERRED_CONTEXTS.find(accepts) ?? 'main';
}

function isSnippetContext(value: string): value is BlockContext {
  return (INFERRED_CONTEXTS as readonly string[]).concat(['stream-server', 'mail', 'events', 'if-in-location', 'limit_except']).includes(value);
}

class Linter {
  readonly registry = new RuleRegistry();
  private readonly configs = new Map<string, ResolvedConfig>();
  private readonly settings = new Map<string, Map<string, RuleSetting>>();
  private readonly catalogs = new Map<string, ServiceCatalog>();

  constructor(private readonly options: LintOptions) {}

  async configFor(filePath: string): Promise<ResolvedConfig> {
    const known = this.configs.get(filePath);
    if (known) return known;
    const config = await loadConfigFor(
      filePath,
      { cwd: this.options.cwd, explicitConfig: this.options.configFile, noLookup: this.options.configLookup === false, cliRules: this.options.cliRules },
      this.registry,
    );
    this.configs.set(filePath, config);
    return config;
  }

  /** Compose files, Kubernetes manifests and declared services, read once per directory and config. */
  private servicesFor(nginxConfigDir: string, config: ResolvedConfig): ServiceCatalog {
    const key = `${config.filePath ?? ''}\0${nginxConfigDir}`;
    let catalog = this.catalogs.get(key);
    if (!catalog) {
      catalog = loadServiceCatalog({
        nginxConfigDir,
        declared: config.services,
        ...(config.filePath ? { declaredOrigin: config.filePath } : {}),
        serviceFiles: config.serviceFiles.flatMap((group) =>
          group.patterns.map((pattern) =>
            pattern.startsWith('!') ? `!${path.resolve(group.baseDir, pattern.slice(1))}` : path.resolve(group.baseDir, pattern),
          ),
        ),
      });
      this.catalogs.set(key, catalog);
    }
    return catalog;
  }

  /** Rule settings for the file where a finding physically is — overrides match include targets too. */
  settingsFor(config: ResolvedConfig, filePath: string): Map<string, RuleSetting> {
    const key = `${config.filePath ?? ''}\0${filePath}`;
    let settings = this.settings.get(key);
    if (!settings) {
      settings = resolveRulesFor(config, filePath);
      this.settings.set(key, settings);
    }
    return settings;
  }

  /** Lints one entry file with the given file texts overriding the disk. */
  async lintEntry(entryPath: string, overlay: ReadonlyMap<string, string>): Promise<EntryOutcome> {
    const config = await this.configFor(entryPath);
    const program = loadProgram(entryPath, { prefix: this.options.prefix, overlay, followIncludes: this.options.followIncludes });
    const pragma = contextPragma(program.entry);
    const rootContext = this.options.context ?? (pragma && isSnippetContext(pragma) ? pragma : inferContext(program.entry));
    const tree = buildTree(program, rootContext);
    const nginxVersion = this.options.nginxVersion ?? config.nginxVersion ?? undefined;
    const findings: Finding[] = [];
    const services = this.servicesFor(path.dirname(entryPath), config);
    for (const error of services.errors) {
      findings.push(internalFinding(INTERNAL, program.entry, `app-side facts skipped: ${error.message}`, 1));
    }
    const model = buildModel(tree, { nginxVersion, services });

    const entrySettings = this.settingsFor(config, entryPath);
    for (const rule of this.registry.all()) {
      const setting = entrySettings.get(rule.meta.id) ?? this.firstEnablingSetting(config, program, rule.meta.id);
      if (!setting) continue;
      if (this.options.quiet && setting.severity === 1 && rule.meta.severity === 'warn') continue;
      // A rule about some nginx releases only (meta.nginxVersions) has nothing to say about the others. Checked after
      // the setting, so that only an enabled rule makes the model detect the installed nginx's version.
      if (rule.meta.nginxVersions !== undefined && !satisfies(model.nginxVersion.version, rule.meta.nginxVersions)) continue;
      this.runRule(rule, setting, model, findings);
    }
    return { program, findings, config };
  }

  private firstEnablingSetting(config: ResolvedConfig, program: Program, ruleId: string): RuleSetting | undefined {
    for (const filePath of program.files.keys()) {
      const setting = this.settingsFor(config, filePath).get(ruleId);
      if (setting) return setting;
    }
    return undefined;
  }

  private runRule(rule: Rule<any>, setting: RuleSetting, model: Model, findings: Finding[]): void {
    const options = { ...(rule.meta.defaultOptions ?? {}), ...((setting.options as object | undefined) ?? {}) };
    const ruleId = rule.meta.id;
    try {
      rule.check({
        model,
        options,
        report: (report) => findings.push(toFinding(ruleId, setting.severity, report, model.tree)),
      });
    } catch (error) {
      const detail = this.options.debug && error instanceof Error ? `\n${error.stack}` : '';
      findings.push(internalFinding(ruleId, model.tree.program.entry, `rule "${ruleId}" crashed: ${(error as Error).message}${detail}`, 2));
    }
  }
}

function toFinding(ruleId: string, severity: 1 | 2, report: Report, tree: ConfigTree): Finding {
  const directive = report.node?.directive;
  const file = report.span?.file ?? directive?.file;
  if (!file) throw new Error(`rule "${ruleId}" reported a finding with neither node nor span`);
  const start = report.token?.start ?? report.span?.start ?? directive!.start;
  const end = report.token?.end ?? report.span?.end ?? directive!.end;
  return {
    ruleId,
    severity,
    message: report.message,
    file,
    start,
    end,
    lineAt: report.lineAt ?? start,
    node: report.node ?? null,
    includedVia: report.node ? undefined : tree.firstInclusion.get(file),
    fix: report.fix && report.fix.length > 0 ? report.fix : null,
    suggestions: report.suggestions ?? [],
    capAtWarning: report.severity === 'warn',
  };
}

function internalFinding(ruleId: string, file: SourceFile, message: string, severity: 1 | 2): Finding {
  return { ruleId, severity, message, file, start: 0, end: 0, lineAt: 0, node: null, fix: null, suggestions: [], fatal: true };
}

/** ESLint's message shape; the fix is kept only when all its edits are in the reported file (merged into one). */
function toMessage(finding: Finding): LintMessage {
  const { file } = finding;
  const start = positionAt(file, finding.start);
  const anchor = positionAt(file, finding.lineAt);
  const end = positionAt(file, finding.end);
  const line = anchor.line;
  const column = anchor.line === start.line ? start.column : anchor.column;
  const message: { -readonly [K in keyof LintMessage]: LintMessage[K] } = {
    ruleId: finding.ruleId === INTERNAL ? null : finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    line,
    column,
    endLine: Math.max(end.line, line),
    endColumn: end.line >= line ? end.column : column,
  };
  if (finding.fatal) message.fatal = true;
  // A file cut out of an nginx -T dump exists only inside the dump: nothing there can be fixed in place.
  const merged = finding.fix && !file.virtual ? singleEdit(finding.fix, file) : null;
  if (merged) message.fix = { range: [merged.start, merged.end], text: merged.text };
  const suggestions = finding.suggestions.flatMap((suggestion) => {
    const change = singleEdit(suggestion.changes, file);
    return change ? [{ desc: suggestion.desc, fix: { range: [change.start, change.end] as const, text: change.text } }] : [];
  });
  if (suggestions.length > 0) message.suggestions = suggestions;
  const chain = finding.node ? includeChain(finding.node) : finding.includedVia ? [...includeChain(finding.includedVia), finding.includedVia] : [];
  if (chain.length > 0) message.includedFrom = chain.map((include) => `${include.directive.file.path}:${positionAt(include.directive.file, include.directive.terminatorStart).line}`);
  return message;
}

/** The fix as one edit in `file` (ESLint's shape), or null when it touches another file or cannot be merged. */
function singleEdit(changes: readonly TextChange[], file: SourceFile): OffsetChange | null {
  if (changes.length === 0 || changes.some((change) => change.file.path !== file.path)) return null;
  const merged = mergeChanges(file.text, changes);
  return 'invalid' in merged ? null : merged;
}

function findingKey(finding: Finding): string {
  return `${finding.ruleId}\0${finding.file.path}\0${finding.start}\0${finding.end}\0${finding.message}`;
}

/** The structural problems of a lint, one key per problem, positions left out so that moving lines changes nothing. */
function structuralProblemKeys(findings: readonly Finding[]): string[] {
  return findings.filter((finding) => STRUCTURAL_RULES.has(finding.ruleId)).map((finding) => `${finding.ruleId}\0${finding.file.path}\0${finding.message}`);
}

/** Where a finding sits, for baselines: the statement and its enclosing blocks, stable across line moves. */
function fingerprintOf(finding: Finding): string {
  const parts: string[] = [];
  for (let node = finding.node; node; node = node.parent) parts.unshift(statementText(node));
  return parts.join(' > ') || finding.file.text.slice(finding.start, finding.end);
}

export async function lint(operands: readonly string[], options: LintOptions): Promise<LintRun> {
  const linter = new Linter(options);
  const notes: string[] = [];
  const overlay = new Map<string, string>();
  let candidates: string[];
  let unmatched: string[] = [];
  if (options.stdin) {
    const stdinPath = path.resolve(options.cwd, options.stdin.filename);
    overlay.set(stdinPath, options.stdin.text);
    candidates = [stdinPath];
  } else {
    ({ files: candidates, unmatched } = expandInputs(operands, options.cwd));
  }

  // Lint main configs first, so the files they include are linted in the context nginx gives them, not alone.
  const ordered = orderEntries(candidates);
  const covered = new Set<string>();
  const findingsByFile = new Map<string, Finding[]>();
  const seen = new Set<string>();
  const filesLinted = new Map<string, SourceFile>();
  const fixedFiles: FixedFile[] = [];

  const configOfFile = new Map<string, ResolvedConfig>();
  let done = 0;
  for (const entry of ordered) {
    done++;
    if (options.progress && ordered.length >= PROGRESS_THRESHOLD) process.stderr.write(`\rnginx-lint: ${done}/${ordered.length} files`);
    if (covered.has(entry)) continue;
    const config = await linter.configFor(entry);
    if (isIgnored(config, entry)) continue;

    let outcome = await linter.lintEntry(entry, overlay);
    if (options.fix) {
      const fixed = await fixEntry(linter, entry, overlay, outcome, notes);
      outcome = fixed.outcome;
      fixedFiles.push(...fixed.files);
    }
    for (const file of outcome.program.files.values()) {
      if (isIgnored(outcome.config, file.path) || filesLinted.has(file.path)) continue;
      covered.add(file.path);
      filesLinted.set(file.path, file);
      configOfFile.set(file.path, outcome.config);
    }
    for (const finding of outcome.findings) {
      const key = findingKey(finding);
      if (seen.has(key) || configOfFile.get(finding.file.path) !== outcome.config) continue;
      seen.add(key);
      const configured = finding.fatal ? finding.severity : linter.settingsFor(outcome.config, finding.file.path).get(finding.ruleId)?.severity;
      if (configured === undefined) continue;
      const severity = finding.capAtWarning ? 1 : configured;
      const list = findingsByFile.get(finding.file.path) ?? [];
      list.push({ ...finding, severity });
      findingsByFile.set(finding.file.path, list);
    }
  }
  if (options.progress && ordered.length >= PROGRESS_THRESHOLD) process.stderr.write('\n');

  let kept: Finding[] = [];
  for (const [filePath, file] of filesLinted) {
    const requireReason = configOfFile.get(filePath)!.requireSuppressionReason;
    kept.push(...applySuppressionComments(file, findingsByFile.get(filePath) ?? [], requireReason));
  }
  // After suppressions, so that a suppression of a warning is not reported as unused under --quiet.
  if (options.quiet) kept = kept.filter((finding) => finding.severity === 2);
  if (options.baseline) {
    const baselinePath = path.resolve(options.cwd, options.baseline.file);
    const outcome = applyBaseline(
      baselinePath,
      kept.map((finding) => ({ finding, filePath: finding.file.path, ruleId: finding.ruleId, fingerprint: fingerprintOf(finding) })),
      { update: options.baseline.update, lintedFiles: [...filesLinted.keys()] },
    );
    // Updating records every finding, so none of them fails this run (ESLint's --suppress-all does the same).
    kept = outcome.fresh.map((entry) => entry.finding);
    if (options.baseline.update) notes.push(`wrote ${outcome.known.length} finding(s) to ${options.baseline.file}`);
    else if (outcome.known.length > 0) notes.push(`${outcome.known.length} known finding(s) in ${options.baseline.file} not reported`);
  }

  const byFile = new Map<string, Finding[]>();
  for (const finding of kept) byFile.set(finding.file.path, [...(byFile.get(finding.file.path) ?? []), finding]);
  const results: LintResult[] = [];
  for (const filePath of filesLinted.keys()) {
    const messages = (byFile.get(filePath) ?? []).map(toMessage);
    messages.sort((a, b) => a.line - b.line || a.column - b.column);
    const fixed = fixedFiles.find((candidate) => candidate.path === filePath);
    results.push({ filePath, messages, ...countSeverities(messages), ...(fixed ? { output: fixed.after } : {}) });
  }

  const rules = new Map<string, RuleDocs>();
  for (const id of linter.registry.ids()) rules.set(id, linter.registry.docs(id)!);
  results.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return { results, rules, fixedFiles, unmatched, notes, toolVersion: toolVersion() };
}

function orderEntries(files: readonly string[]): string[] {
  const rank = (file: string) => (path.basename(file) === 'nginx.conf' ? 0 : 1);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
}

function applySuppressionComments(file: SourceFile, findings: Finding[], requireReason: boolean): Finding[] {
  const candidates = findings.map((finding) => ({ ruleId: finding.ruleId, start: finding.start, line: positionAt(file, finding.lineAt).line }));
  const outcome = findSuppressions(file, candidates, { requireReason });
  const kept = findings.filter((_, index) => !outcome.suppressed.has(index));
  for (const problem of outcome.unused) kept.push(suppressionFinding('unused-suppression', file, problem, 1));
  for (const problem of outcome.missingReasons) kept.push(suppressionFinding('suppression-reason-missing', file, problem, 2));
  return kept;
}

function suppressionFinding(ruleId: string, file: SourceFile, problem: { message: string; start: number; end: number }, severity: 1 | 2): Finding {
  return { ruleId, severity, message: problem.message, file, start: problem.start, end: problem.end, lineAt: problem.start, node: null, fix: null, suggestions: [] };
}

/**
 * Fixes an entry and the files it includes. Each file with fixes goes through `fixUntilStable` (passes of
 * non-overlapping fixes, re-linting the whole program each time, dropping any fix that would add a structural
 * problem anywhere); rounds repeat while some file changed, because a fix in one file can enable one in another.
 * The texts live in `overlay` until the caller writes them.
 */
async function fixEntry(
  linter: Linter,
  entry: string,
  overlay: Map<string, string>,
  initial: EntryOutcome,
  notes: string[],
): Promise<{ outcome: EntryOutcome; files: FixedFile[] }> {
  const originals = new Map(initial.program.files);
  let outcome = initial;
  for (let round = 0; round < MAX_FIX_PASSES; round++) {
    const filesWithFixes = new Set<string>();
    for (const finding of outcome.findings) {
      const target = finding.fix?.[0]?.file;
      if (!target || target.virtual) continue;
      if (finding.fix!.some((change) => change.file.path !== target.path)) {
        notes.push(`fix for ${finding.ruleId} in ${finding.file.path} spans several files and was not applied`);
        continue;
      }
      filesWithFixes.add(target.path);
    }
    let changed = false;
    for (const filePath of filesWithFixes) {
      const fixesIn = (findings: readonly Finding[]) =>
        findings.flatMap((finding) => (finding.fix?.every((change) => change.file.path === filePath) ? [{ ruleId: finding.ruleId, changes: finding.fix }] : []));
      const result = await fixUntilStable({
        initialText: overlay.get(filePath) ?? originals.get(filePath)!.text,
        maxPasses: MAX_FIX_PASSES,
        lintForFixes: async (text) => {
          overlay.set(filePath, text);
          const trial = await linter.lintEntry(entry, overlay);
          return { fixes: fixesIn(trial.findings), problemKeys: structuralProblemKeys(trial.findings) };
        },
      });
      overlay.set(filePath, result.text);
      for (const dropped of result.dropped) notes.push(`fix for ${dropped.ruleId} in ${filePath} was not applied: ${dropped.reason}`);
      if (result.changed) changed = true;
    }
    // The last trial lint may have been of a text that was then rejected: lint what was kept.
    outcome = await linter.lintEntry(entry, overlay);
    if (!changed) break;
  }

  const files: FixedFile[] = [];
  for (const [filePath, original] of originals) {
    const after = overlay.get(filePath);
    if (after !== undefined && after !== original.text) files.push({ path: filePath, before: original.text, after, encoding: original.encoding ?? 'utf8' });
  }
  return { outcome, files };
}

export async function printConfigFor(filePath: string, options: LintOptions): Promise<unknown> {
  const linter = new Linter(options);
  const config = await linter.configFor(filePath);
  return printableConfig(config, filePath);
}

export function ruleCatalog(): RuleDocs[] {
  const registry = new RuleRegistry();
  return registry.ids().map((id) => registry.docs(id)!).sort((a, b) => a.id.localeCompare(b.id));
}
