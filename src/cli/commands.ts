/**
 * What the CLI does once its arguments are parsed. Kept apart from `main.ts` so `--help` and `--version` never load
 * the engine, the rules or the directive table.
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { writeFileNoFollow } from '../files.js';
import path from 'node:path';
import { EXIT_FAILURE, EXIT_OK, exitCodeFor, reportWidth, writeReport } from './output.js';
import type { BlockContext } from '../nginx/directives.js';
import { unifiedDiff } from '../fix/diff.js';
import { writeFileAtomic } from '../fix/write.js';
import { getPiecewiseFormatter } from '../report/index.js';
import { lint, printConfigFor, ruleCatalog } from '../run.js';
import { UsageError } from '../load/inputs.js';
import { countSeverities, type LintResult } from '../lint/results.js';
import { CONFIG_FILE_NAME, starterConfig } from '../config/index.js';
import { packageRoot } from '../package-info.js';

export interface CommandOptions {
  readonly operands: readonly string[];
  readonly cwd: string;
  readonly fix: boolean;
  readonly fixDryRun: boolean;
  readonly fixUnsafe: boolean;
  readonly format: string;
  readonly outputFile: string | undefined;
  readonly maxWarnings: number;
  readonly quiet: boolean;
  readonly config: string | undefined;
  readonly configLookup: boolean;
  readonly rules: readonly string[];
  readonly stdin: { readonly text: string; readonly filename: string | undefined } | null;
  readonly printConfig: string | undefined;
  readonly init: boolean;
  readonly listRules: boolean;
  readonly explain: string | undefined;
  readonly nginxVersion: string | undefined;
  readonly prefix: string | undefined;
  readonly pathMap: readonly { readonly container: string; readonly repo: string }[];
  readonly context: BlockContext | undefined;
  readonly followIncludes: boolean;
  readonly baseline: string | undefined;
  readonly updateBaseline: boolean;
  readonly errorOnUnmatchedPattern: boolean;
  readonly color: boolean;
  readonly verbose: boolean;
  readonly allowPlugins: boolean;
  /** `--plugin FILE`: plugins the user names, loaded without --allow-plugins. */
  readonly plugins?: readonly string[];
  readonly root: string | undefined;
  readonly debug: boolean;
}

export async function runCommand(options: CommandOptions): Promise<number> {
  if (options.init) return init(options.cwd);
  if (options.listRules) return listRules(options.format);
  if (options.explain !== undefined) return explain(options.explain);
  if (options.printConfig !== undefined) {
    process.stdout.write(
      `${JSON.stringify(await printConfigFor(path.resolve(options.cwd, options.printConfig), engineOptions(options)), null, 2)}\n`,
    );
    return EXIT_OK;
  }
  if (options.fix && options.fixDryRun) throw new UsageError('--fix and --fix-dry-run cannot be combined');
  if (options.fixUnsafe && !options.fix && !options.fixDryRun) throw new UsageError('--fix-unsafe goes with --fix or --fix-dry-run');
  if (options.stdin && options.fix) throw new UsageError('--fix cannot write to standard input; use --fix-dry-run to see the fixes');
  if (options.updateBaseline && options.baseline === undefined) throw new UsageError('--update-baseline needs --baseline FILE');
  if (!options.stdin && options.operands.length === 0) {
    throw new UsageError('no files given: name nginx.conf, a directory or a glob (or use --stdin)');
  }

  const run = await lint(
    options.operands.filter((operand) => operand !== '-'),
    engineOptions(options),
  );
  if (run.unmatched.length > 0 && options.errorOnUnmatchedPattern) {
    throw new UsageError(`no nginx configuration files match ${run.unmatched.map((operand) => `"${operand}"`).join(', ')}`);
  }

  if (options.fixDryRun) {
    process.stdout.write(run.fixedFiles.map((fixed) => unifiedDiff(path.relative(options.cwd, fixed.path), fixed.before, fixed.after)).join(''));
  } else if (options.fix) {
    for (const fixed of run.fixedFiles) writeFileAtomic(fixed.path, fixed.after, fixed.encoding);
  }

  const formatter = await getPiecewiseFormatter(options.format);
  const width = reportWidth(options.outputFile !== undefined);
  // Under --quiet only errors are reported, also when --max-warnings had the warnings counted for the exit code.
  const reported = options.quiet ? run.results.map(withErrorsOnly) : run.results;
  const pieces = formatter(reported, {
    cwd: options.cwd,
    rules: run.rules,
    color: options.color,
    verbose: options.verbose,
    source: (filePath: string) => run.sources.get(filePath),
    toolVersion: run.toolVersion,
    ...(width ? { width } : {}),
  });
  // A dry run's diff owns stdout unless the report goes to a file.
  if (!options.fixDryRun || options.outputFile !== undefined) await writeReport(pieces, options.outputFile, options.cwd);
  for (const note of run.notes) process.stderr.write(`nginx-lint: ${note}\n`);
  // Said out loud because --quiet hides the warnings that fail the run.
  const warnings = run.results.reduce((sum, result) => sum + result.warningCount, 0);
  if (options.maxWarnings >= 0 && warnings > options.maxWarnings) {
    process.stderr.write(`nginx-lint: ${warnings} warning(s), more than --max-warnings ${options.maxWarnings} allows\n`);
  }
  return exitCodeFor(run.results, options.maxWarnings);
}

function engineOptions(options: CommandOptions) {
  return {
    cwd: options.cwd,
    configFile: options.config,
    configLookup: options.configLookup,
    cliRules: options.rules,
    nginxVersion: options.nginxVersion,
    prefix: options.prefix,
    pathMap: options.pathMap.map((mapping) => ({
      container: path.posix.normalize(mapping.container),
      repo: path.resolve(options.cwd, mapping.repo),
      origin: '--path-map',
    })),
    context: options.context,
    followIncludes: options.followIncludes,
    // As ESLint does: --quiet skips warning rules, unless --max-warnings needs their warnings counted.
    quiet: options.quiet && options.maxWarnings < 0,
    fix: options.fix || options.fixDryRun,
    fixUnsafe: options.fixUnsafe,
    allowPlugins: options.allowPlugins,
    plugins: options.plugins ?? [],
    root: options.root,
    stdin: options.stdin ? { text: options.stdin.text, filename: options.stdin.filename ?? '<stdin>' } : undefined,
    baseline: options.baseline === undefined ? undefined : { file: options.baseline, update: options.updateBaseline },
    progress: !options.debug && Boolean(process.stderr.isTTY),
    debug: options.debug,
  };
}

function withErrorsOnly(result: LintResult): LintResult {
  const messages = result.messages.filter((message) => message.severity === 2);
  return { ...result, messages, ...countSeverities(messages) };
}

function init(cwd: string): number {
  const target = path.join(cwd, CONFIG_FILE_NAME);
  // lstat, not exists: a dangling link exists as a name, and writing through it would create its target.
  if (existsSync(target) || isLink(target)) {
    process.stderr.write(`nginx-lint: ${CONFIG_FILE_NAME} already exists; not overwriting it\n`);
    return EXIT_FAILURE;
  }
  const text = starterConfig(cwd);
  writeFileNoFollow(target, text);
  const schema = (JSON.parse(text) as { $schema?: string }).$schema;
  process.stdout.write(
    `Wrote ${CONFIG_FILE_NAME}. Declare your services' ports and P99 latencies there, or let nginx-lint read your compose.yaml.\n` +
      (schema === undefined
        ? `No "$schema" written: nginx-lint is not installed in node_modules here. After npm install --save-dev nginx-lint, add "$schema": "./node_modules/nginx-lint/schema.json" for completion in your editor.\n`
        : ''),
  );
  return EXIT_OK;
}

function listRules(format: string): number {
  const catalog = ruleCatalog();
  if (format === 'json') {
    process.stdout.write(`${JSON.stringify(catalog, null, 2)}\n`);
    return EXIT_OK;
  }
  const width = Math.max(...catalog.map((rule) => rule.id.length));
  for (const rule of catalog) {
    const flags = [rule.severity, rule.category, rule.fixable ? 'fixable' : ''].filter(Boolean).join(', ');
    process.stdout.write(`${rule.id.padEnd(width)}  ${rule.description} (${flags})\n`);
  }
  return EXIT_OK;
}

function explain(ruleId: string): number {
  const doc = path.join(packageRoot(), 'docs', 'rules', `${ruleId}.md`);
  if (!/^[a-z0-9-]+$/.test(ruleId) || !existsSync(doc)) throw new UsageError(`no rule named "${ruleId}"; see nginx-lint --list-rules`);
  process.stdout.write(readFileSync(doc, 'utf8'));
  return EXIT_OK;
}

function isLink(target: string): boolean {
  try {
    return lstatSync(target).isSymbolicLink();
  } catch {
    return false;
  }
}
