/**
 * The command line. Exit codes follow ESLint and ruff: 0 clean (warnings allowed up to --max-warnings), 1 error
 * findings or too many warnings, 2 usage, configuration, input or internal errors. No stack trace unless --debug.
 */
import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import type { BlockContext } from '../nginx/directives.js';
import { InputError } from '../load/program.js';
import { UsageError } from '../load/inputs.js';
import { colorEnabled, EXIT_FAILURE, EXIT_OK } from './output.js';
import { importModule } from '../import-module.js';
import { toolVersion } from '../package-info.js';
import { HOST_VERSION, resolveNginxVersion } from '../nginx/version.js';

const SNIPPET_CONTEXTS = ['main', 'http', 'server', 'location', 'upstream', 'stream', 'stream-server', 'mail'] as const;
const FORMATS = ['stylish', 'json', 'sarif', 'github', 'checkstyle', 'junit', 'gitlab', 'compact'] as const;

function buildParser(argv: readonly string[]) {
  return (
    yargs([...argv])
      .scriptName('nginx-lint')
      .usage('$0 [files, directories or globs..]\n\nLint nginx configuration for the settings behind 502/504 errors.')
      .parserConfiguration({ 'camel-case-expansion': true, 'strip-dashed': true })
      .option('fix', { type: 'boolean', default: false, describe: 'Fix problems where it is safe, writing the files in place' })
      .option('fix-dry-run', { type: 'boolean', default: false, describe: 'Print the fixes as a unified diff; write nothing' })
      .option('fix-unsafe', {
        type: 'boolean',
        default: false,
        describe: 'With --fix or --fix-dry-run, also apply unsafe fixes (they change behaviour or rest on a guess)',
      })
      .option('format', { alias: 'f', choices: FORMATS, default: 'stylish' as const, describe: 'Output format' })
      .option('output-file', { alias: 'o', type: 'string', describe: 'Write the report to this file' })
      .option('max-warnings', {
        type: 'number',
        default: -1,
        coerce: maxWarningsArgument,
        describe: 'Exit 1 when there are more warnings than this (-1: no limit)',
      })
      .option('quiet', {
        type: 'boolean',
        default: false,
        describe: 'Report errors only; warning rules run only when --max-warnings needs them counted',
      })
      .option('config', { alias: 'c', type: 'string', describe: 'Use this config file for every linted file (no lookup)' })
      .option('config-lookup', {
        type: 'boolean',
        default: true,
        describe: 'Look up .nginx-lint.json beside each file (--no-config-lookup turns it off)',
      })
      // Not `array: true`: that would swallow the file operands after it. Repeating the flag still gives an array.
      .option('rule', { type: 'string', describe: "Set a rule, e.g. --rule 'proxy-next-upstream-missing: off' (repeatable)" })
      .option('stdin', { type: 'boolean', default: false, describe: 'Lint the text on standard input' })
      .option('stdin-filename', { type: 'string', describe: 'Path to report and resolve config and includes for --stdin' })
      .option('print-config', { type: 'string', describe: 'Print the configuration that applies to a file' })
      .option('init', { type: 'boolean', default: false, describe: 'Write a starter .nginx-lint.json' })
      .option('list-rules', { type: 'boolean', default: false, describe: 'List the available rules' })
      .option('explain', { type: 'string', describe: "Print a rule's documentation" })
      .option('nginx-version', {
        type: 'string',
        coerce: nginxVersionArgument,
        describe: 'The nginx version to check against (default: nginx -v, else a built-in default)',
      })
      .option('prefix', {
        alias: 'p',
        type: 'string',
        describe: "Directory relative include paths resolve against (nginx's -p); default: the main file's directory",
      })
      // Repeatable, not `array`: an array option would swallow the file operands that follow it.
      .option('path-map', {
        type: 'string',
        describe: 'CONTAINER=REPO: where a path of the nginx container is in the repository (repeatable), beside what Compose volumes say',
      })
      .option('context', {
        choices: SNIPPET_CONTEXTS,
        describe: 'Context of a snippet file (default: inferred, or a "# nginx-lint context: X" comment)',
      })
      .option('follow-includes', { type: 'boolean', default: true, describe: 'Follow include directives (--no-follow-includes: lint single files)' })
      .option('baseline', { type: 'string', describe: 'Known findings in this file do not fail the run' })
      .option('update-baseline', { type: 'boolean', default: false, describe: 'Write the current findings to the --baseline file' })
      .option('error-on-unmatched-pattern', { type: 'boolean', default: true, describe: 'Fail when an operand matches no file' })
      .option('root', {
        type: 'string',
        describe: 'The project root: nothing outside it is read or written (default: the nearest folder holding .git)',
      })
      .option('allow-plugins', {
        type: 'boolean',
        default: false,
        describe: 'Load the plugins config files name: runs JavaScript from the repository, so only for code you trust',
      })
      // Repeatable, not `array`, for the same reason as --path-map.
      .option('plugin', {
        type: 'string',
        describe: 'Load this plugin file (JavaScript you trust), wherever it is, with or without --allow-plugins',
      })
      .option('verbose', { type: 'boolean', default: false, describe: 'Explain each finding in full: the facts behind it and where they came from' })
      .option('color', { type: 'boolean', describe: 'Force colour on or off (also NO_COLOR / FORCE_COLOR)' })
      .option('lsp', { type: 'boolean', default: false, describe: 'Run as a language server on stdin/stdout, for editors (docs/editors.md)' })
      .option('debug', { type: 'boolean', default: false, describe: 'Show stack traces' })
      .version(toolVersion())
      .alias('version', 'v')
      .help()
      .alias('help', 'h')
      .strictOptions()
      .wrap(Math.min(110, process.stdout.columns || 110))
      .exitProcess(false)
      .fail((message, error) => {
        throw new UsageError(error?.message ?? message);
      })
  );
}

/** yargs turns `--max-warnings abc` into NaN, which would silently mean "no limit". */
function maxWarningsArgument(value: number): number {
  if (!Number.isInteger(value) || value < -1) throw new UsageError('--max-warnings needs a whole number of warnings, or -1 for no limit');
  return value;
}

/** `/etc/nginx/snippets=./nginx/snippets`: a container path (absolute) and the repository path it is mounted from. */
function pathMapArgument(value: string): { container: string; repo: string } {
  const separator = value.indexOf('=');
  const container = value.slice(0, separator);
  const repo = value.slice(separator + 1);
  if (separator <= 0 || !container.startsWith('/') || repo === '') {
    throw new UsageError(`--path-map needs CONTAINER=REPO with an absolute container path, got "${value}"`);
  }
  return { container, repo };
}

/** Checked while parsing, so a malformed version is a usage error instead of a RangeError from deep in the run. */
function nginxVersionArgument(value: string): string {
  if (value === HOST_VERSION) return value;
  try {
    return resolveNginxVersion(value).version;
  } catch (error) {
    throw new UsageError(`--nginx-version: ${(error as Error).message}`);
  }
}

/** A reader that stops early (`nginx-lint --list-rules | head`) closes the pipe: not a failure, and no stack trace. */
function ignoreClosedStdout(error: NodeJS.ErrnoException): void {
  if (error.code !== 'EPIPE') throw error;
}

function readStdin(): string {
  return readFileSync(0, 'utf8');
}

/**
 * The language server is a module of its own, bundled apart from the CLI (scripts/bundle.mjs), so that a lint run never
 * loads it or vscode-languageserver: from the bundle, its bundle beside it; from the unbundled build, src/lsp.
 */
async function startLanguageServer(): Promise<number> {
  const bundled = import.meta.url.endsWith('.cjs');
  const server = (await importModule(
    new URL(bundled ? './nginx-lint-lsp.mjs' : '../lsp/server.js', import.meta.url).href,
  )) as typeof import('../lsp/server.js');
  return server.startLanguageServer();
}

export async function main(argv: readonly string[]): Promise<number> {
  let debug = argv.includes('--debug');
  // Before any parsing: clients add their own flags (`--stdio`), and nothing may reach stdout but the protocol.
  if (argv.includes('--lsp')) {
    try {
      return await startLanguageServer();
    } catch (error) {
      return reportFailure(error, debug);
    }
  }
  if (!process.stdout.listeners('error').includes(ignoreClosedStdout)) process.stdout.on('error', ignoreClosedStdout);
  try {
    const parser = buildParser(argv);
    const args = await parser.parseAsync();
    if (args.help || args.version) return EXIT_OK;
    debug = args.debug;
    const cwd = process.cwd();
    const operands = args._.map(String);

    const { runCommand } = await import('./commands.js');
    return await runCommand({
      operands,
      cwd,
      fix: args.fix,
      fixDryRun: args.fixDryRun,
      fixUnsafe: args.fixUnsafe,
      format: args.format,
      outputFile: args.outputFile,
      maxWarnings: args.maxWarnings,
      quiet: args.quiet,
      config: args.config,
      configLookup: args.configLookup,
      rules: args.rule === undefined ? [] : ([] as string[]).concat(args.rule),
      stdin: args.stdin || operands.includes('-') ? { text: readStdin(), filename: args.stdinFilename } : null,
      printConfig: args.printConfig,
      init: args.init,
      listRules: args.listRules,
      explain: args.explain,
      nginxVersion: args.nginxVersion,
      prefix: args.prefix,
      pathMap: [args.pathMap ?? []].flat().map(pathMapArgument),
      context: args.context as BlockContext | undefined,
      followIncludes: args.followIncludes,
      baseline: args.baseline,
      updateBaseline: args.updateBaseline,
      errorOnUnmatchedPattern: args.errorOnUnmatchedPattern,
      verbose: args.verbose,
      allowPlugins: args.allowPlugins,
      plugins: [args.plugin ?? []].flat(),
      root: args.root,
      color: colorEnabled(args.color, args.outputFile !== undefined),
      debug,
    });
  } catch (error) {
    return reportFailure(error, debug);
  }
}

/** One line on stderr for anything that stops the run, never a stack trace unless asked for. */
export function reportFailure(error: unknown, debug: boolean): number {
  const known = error instanceof UsageError || error instanceof InputError || (error instanceof Error && error.name === 'ConfigError');
  if (error instanceof UsageError) {
    process.stderr.write(`nginx-lint: ${error.message}\nRun nginx-lint --help for usage.\n`);
  } else if (known) {
    process.stderr.write(`nginx-lint: ${(error as Error).message}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`nginx-lint: internal error: ${message}\n${debug ? '' : 'Run with --debug for details, and please report it.\n'}`);
  }
  if (debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return EXIT_FAILURE;
}
