/**
 * A whole run, the pipeline end to end: expands the operands, lints main configs before the files they include (so
 * those are linted in the context nginx gives them), fixes when asked, applies severities per physical file,
 * suppressions and the baseline, and returns results in the public shape.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SourceFile } from './syntax/ast.js';
import { applyBaseline } from './lint/baseline.js';
import { isIgnored, printableConfig } from './config/index.js';
import type { ResolvedConfig } from './config/types.js';
import { fixEntry, type FixedFile } from './fix/fix-entry.js';
import { expandInputs, readsAsNginx } from './load/inputs.js';
import { applySuppressionComments, FindingSet, fingerprintOf, toMessage, type Finding } from './lint/findings.js';
import { type LintResult, type RuleDocs, countSeverities } from './lint/results.js';
import { RuleRegistry } from './lint/registry.js';
import { Linter, type EntryOutcome, type LintOptions } from './lint/runner.js';
import { planEntries, type EntryPlan } from './lint/entries.js';
import { toolVersion } from './package-info.js';

export type { FixedFile } from './fix/fix-entry.js';
export { inferContext, type LintOptions } from './lint/runner.js';

const PROGRESS_THRESHOLD = 20;

export interface LintRun {
  /** The text of every linted file as it was checked (after --fix, the fixed text), by path. */
  readonly sources: ReadonlyMap<string, string>;
  readonly results: LintResult[];
  readonly rules: ReadonlyMap<string, RuleDocs>;
  readonly fixedFiles: FixedFile[];
  /** Operands that matched no file. */
  readonly unmatched: string[];
  /** Things the user should know that are not findings (a fix dropped, a baseline written). */
  readonly notes: string[];
  readonly toolVersion: string;
}

export async function lint(operands: readonly string[], options: LintOptions): Promise<LintRun> {
  return lintSession(operands, options, {});
}

/** What an editor adds to a run (src/lsp): not part of the public API. */
export interface LintSession {
  /** Texts that replace the disk, by absolute path: the editor's unsaved buffers. A path here need not exist on disk. */
  readonly files?: ReadonlyMap<string, string>;
  /** Called with each entry linted: its program and model, before fixes. */
  readonly onEntry?: (outcome: EntryOutcome) => void;
}

/** `lint` with the texts of unsaved buffers, reporting each entry's model: the language server's run. */
export async function lintSession(operands: readonly string[], options: LintOptions, session: LintSession): Promise<LintRun> {
  const linter = new Linter(options, session.files);
  await linter.registry.loadCommandLinePlugins(options.plugins ?? [], options.cwd);
  linter.grantOperands(operands);
  const notes: string[] = [];
  const overlay = new Map<string, string>(session.files);
  let candidates: string[];
  let unmatched: string[] = [];
  if (options.stdin) {
    const stdinPath = path.resolve(options.cwd, options.stdin.filename);
    overlay.set(stdinPath, options.stdin.text);
    candidates = [stdinPath];
  } else {
    const expanded = expandInputs(operands, options.cwd);
    ({ files: candidates, unmatched } = expanded);
    // A buffer not saved yet is linted from its text alone.
    const unsaved = unmatched.filter((operand) => overlay.has(path.resolve(options.cwd, operand)));
    candidates.push(...unsaved.map((operand) => path.resolve(options.cwd, operand)));
    unmatched = unmatched.filter((operand) => !unsaved.includes(operand));
    // What the repository's nginx containers read from nginx's folders, whatever its name (`COPY nginx.prod
    // /etc/nginx/conf.d/default.conf`): linted as the configs found by name are.
    for (const folder of expanded.folders) {
      const root = linter.rootFor(folder);
      if (root === null) continue;
      for (const file of linter.configsNginxReads(root)) {
        if ((file === folder || file.startsWith(folder + path.sep)) && !candidates.includes(file) && readsAsNginx(file)) candidates.push(file);
      }
    }
    // nginx config held in Kubernetes ConfigMaps that nginx containers mount: each key is linted as a file of its own.
    for (const manifest of expanded.manifests) {
      const { paths, skipped } = linter.embeddedConfigsIn(manifest);
      for (const virtualPath of paths) if (!candidates.includes(virtualPath)) candidates.push(virtualPath);
      for (const reason of skipped) if (!notes.includes(reason)) notes.push(reason);
      if (paths.length === 0 && skipped.length === 0 && expanded.namedManifests.includes(manifest)) {
        notes.push(`${manifest}: no nginx config in it: no ConfigMap of the repository that an nginx container mounts`);
      }
    }
  }

  // Main configs first, and every other file through the main config that includes it: in the context nginx gives it.
  const plans: EntryPlan[] =
    options.stdin || options.followIncludes === false ? orderEntries(candidates).map((entry) => ({ entry })) : await planEntries(candidates, linter);
  const covered = new Set<string>();
  const findingsByFile = new Map<string, Finding[]>();
  const seen = new FindingSet();
  const filesLinted = new Map<string, SourceFile>();
  const fixedFiles: FixedFile[] = [];

  const configOfFile = new Map<string, ResolvedConfig>();
  const versionOfFile = new Map<string, NonNullable<LintResult['nginxVersion']>>();
  let done = 0;
  for (const { entry, reportOnly } of plans) {
    done++;
    if (options.progress && plans.length >= PROGRESS_THRESHOLD) process.stderr.write(`\rnginx-lint: ${done}/${plans.length} files`);
    if (covered.has(entry) && !reportOnly) continue;
    const config = await linter.configFor(entry);
    if (isIgnored(config, entry)) continue;

    let outcome = await linter.lintEntry(entry, overlay);
    session.onEntry?.(outcome);
    if (options.fix) {
      const fixed = await fixEntry(linter, entry, overlay, outcome, notes, options.fixUnsafe, reportOnly);
      outcome = fixed.outcome;
      // Never a file whose real path is outside the project root (file-access.ts); only read files get here anyway.
      const access = linter.accessForEntry(entry);
      for (const file of fixed.files) {
        if (access.canWrite(file.path)) fixedFiles.push(file);
        else notes.push(`${file.path} not fixed: it is outside the project root (${access.root})`);
      }
    }
    for (const file of outcome.program.files.values()) {
      if (file.fromImage || isIgnored(outcome.config, file.path) || filesLinted.has(file.path) || (reportOnly && !reportOnly.has(file.path)))
        continue;
      covered.add(file.path);
      filesLinted.set(file.path, file);
      configOfFile.set(file.path, outcome.config);
      const { version, source, origin } = outcome.nginxVersion;
      versionOfFile.set(file.path, { version, source, origin: origin ?? source });
    }
    // Findings come file by file: the settings and list of the last file are kept at hand, not looked up by a key
    // string made for each finding.
    let lastPath: string | undefined;
    let lastSettings: ReturnType<Linter['settingsFor']> | undefined;
    let lastList: Finding[] | undefined;
    for (const finding of outcome.findings) {
      // A finding in a deployment file (a Compose file) the program did not read: that file is reported too.
      const { file } = finding;
      if (file.virtual && !file.fromImage && !outcome.program.files.has(file.path) && !filesLinted.has(file.path) && !finding.forced) {
        filesLinted.set(file.path, file);
        configOfFile.set(file.path, outcome.config);
      }
      if (configOfFile.get(finding.file.path) !== outcome.config || !seen.add(finding)) continue;
      if (finding.file.path !== lastPath) {
        lastPath = finding.file.path;
        lastSettings = undefined;
        lastList = findingsByFile.get(lastPath);
      }
      const configured = finding.fatal
        ? finding.severity
        : (lastSettings ??= linter.settingsFor(outcome.config, lastPath)).get(finding.ruleId)?.severity;
      if (configured === undefined) continue;
      const severity = finding.capAtWarning ? 1 : configured;
      if (!lastList) findingsByFile.set(lastPath, (lastList = []));
      lastList.push(severity === finding.severity ? finding : { ...finding, severity });
    }
  }
  if (options.progress && plans.length >= PROGRESS_THRESHOLD) process.stderr.write('\n');

  let kept: Finding[] = [];
  for (const [filePath, file] of filesLinted) {
    const requireReason = configOfFile.get(filePath)!.requireSuppressionReason;
    for (const finding of applySuppressionComments(file, findingsByFile.get(filePath) ?? [], requireReason)) kept.push(finding);
  }
  // After suppressions, so that a suppression of a warning is not reported as unused under --quiet.
  if (options.quiet) kept = kept.filter((finding) => finding.severity === 2);
  if (options.baseline) {
    const baselinePath = path.resolve(options.cwd, options.baseline.file);
    const outcome = applyBaseline(
      baselinePath,
      kept.map((finding) => ({
        finding,
        filePath: finding.file.embeddedIn ?? finding.file.path,
        ruleId: finding.ruleId,
        fingerprint: fingerprintOf(finding),
      })),
      { update: options.baseline.update, lintedFiles: [...new Set([...filesLinted.values()].map((file) => file.embeddedIn ?? file.path))] },
    );
    // Updating records every finding, so none of them fails this run (ESLint's --suppress-all does the same).
    kept = outcome.fresh.map((entry) => entry.finding);
    if (options.baseline.update) notes.push(`wrote ${outcome.known.length} finding(s) to ${options.baseline.file}`);
    else if (outcome.known.length > 0) notes.push(`${outcome.known.length} known finding(s) in ${options.baseline.file} not reported`);
  }

  const byFile = new Map<string, Finding[]>();
  for (const finding of kept) {
    const list = byFile.get(finding.file.path);
    if (list) list.push(finding);
    else byFile.set(finding.file.path, [finding]);
  }
  const fixedByPath = new Map(fixedFiles.map((fixed) => [fixed.path, fixed]));
  const results: LintResult[] = [];
  for (const filePath of filesLinted.keys()) {
    const messages = (byFile.get(filePath) ?? []).map(toMessage);
    messages.sort((a, b) => a.line - b.line || a.column - b.column);
    const fixed = fixedByPath.get(filePath);
    const nginxVersion = versionOfFile.get(filePath);
    results.push({
      filePath,
      messages,
      ...countSeverities(messages),
      ...(fixed ? { output: fixed.after } : {}),
      ...(nginxVersion ? { nginxVersion } : {}),
    });
  }

  if (options.fix) {
    const unfixed = new Map<string, number>();
    for (const finding of kept) {
      const manifest = finding.file.embeddedIn;
      if (manifest && (finding.fix || finding.suggestions.length > 0)) unfixed.set(manifest, (unfixed.get(manifest) ?? 0) + 1);
    }
    for (const [manifest, count] of unfixed) {
      notes.push(
        `${manifest}: ${count} finding(s) in nginx config held in it (a ConfigMap, a Compose here-document) have fixes that are not applied: nginx-lint does not rewrite the file that holds the config, edit it yourself`,
      );
    }
  }
  notes.push(...linter.registry.withheld, ...linter.outsideNotes);
  const rules = new Map<string, RuleDocs>();
  for (const id of linter.registry.ids()) rules.set(id, linter.registry.docs(id)!);
  const reported = reportOnManifests(results, filesLinted);
  reported.sort((a, b) => a.filePath.localeCompare(b.filePath));
  const sources = new Map<string, string>();
  for (const [filePath, file] of filesLinted) {
    if (file.embeddedIn) {
      if (!sources.has(file.embeddedIn)) sources.set(file.embeddedIn, readFileSync(file.embeddedIn, 'utf8'));
    } else sources.set(filePath, fixedByPath.get(filePath)?.after ?? file.text);
  }
  return { results: reported, rules, fixedFiles, unmatched, notes, toolVersion: toolVersion(), sources };
}

/**
 * The results of config held in a Kubernetes manifest, reported on the manifest: each ConfigMap key's text is the
 * manifest's own, blanked outside the key, so its lines and columns are the manifest's, and the keys of one manifest
 * make one result.
 */
function reportOnManifests(results: readonly LintResult[], files: ReadonlyMap<string, SourceFile>): LintResult[] {
  const byPath = new Map<string, LintResult>();
  for (const result of results) {
    const filePath = files.get(result.filePath)?.embeddedIn ?? result.filePath;
    const known = byPath.get(filePath);
    if (!known) {
      byPath.set(filePath, { ...result, filePath });
      continue;
    }
    const messages = [...known.messages, ...result.messages].sort((a, b) => a.line - b.line || a.column - b.column);
    byPath.set(filePath, { ...known, messages, ...countSeverities(messages) });
  }
  return [...byPath.values()];
}

function orderEntries(files: readonly string[]): string[] {
  const rank = (file: string) => (path.basename(file) === 'nginx.conf' ? 0 : 1);
  return [...files].sort((a, b) => rank(a) - rank(b) || a.split(path.sep).length - b.split(path.sep).length || a.localeCompare(b));
}

export async function printConfigFor(filePath: string, options: LintOptions): Promise<unknown> {
  const linter = new Linter(options);
  await linter.registry.loadCommandLinePlugins(options.plugins ?? [], options.cwd);
  const config = await linter.configFor(filePath);
  return printableConfig(config, filePath);
}

export function ruleCatalog(): RuleDocs[] {
  const registry = new RuleRegistry();
  return registry
    .ids()
    .map((id) => registry.docs(id)!)
    .sort((a, b) => a.id.localeCompare(b.id));
}
