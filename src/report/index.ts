/**
 * The output formats behind `--format`. Each lives in its own module and is imported only when chosen,
 * so that the CLI does not load SARIF or XML code to print a stylish report.
 */

import type { LintResult, RuleDocs } from '../lint/results.js';

export interface FormatterContext {
  /** Reported paths are made relative to this directory: the repository root in CI, normally `process.cwd()`. */
  readonly cwd: string;
  /** Metadata of the known rules by id, for SARIF rule descriptors and documentation links. */
  readonly rules: ReadonlyMap<string, RuleDocs>;
  /** Whether ANSI colour may be used. Only stylish colours anything. */
  readonly color: boolean;
  /** nginx-lint's own version, which SARIF records. */
  readonly toolVersion: string;
  /** The text of a linted file, for the code frame under each finding (stylish); absent: no frames. */
  readonly source?: (filePath: string) => string | undefined;
  /** Add each finding's long explanation (`--verbose`); only stylish prints it, the JSON output always has it. */
  readonly verbose?: boolean;
  /** Terminal width for formats that wrap text (stylish); unset when the output is not a terminal. */
  readonly width?: number;
}

/**
 * Renders results as the complete text to write to stdout or to the `--output-file`, unchanged.
 * The text ends with a newline, or is empty when the format prints nothing for a clean run (stylish, compact, github).
 */
export type Formatter = (results: readonly LintResult[], context: FormatterContext) => string;

/**
 * Renders results as consecutive pieces of that same text, for the CLI to write as they are made: a format with
 * reports of tens of megabytes (JSON, with every finding's details) need not hold its report whole in memory.
 */
export type PiecewiseFormatter = (results: readonly LintResult[], context: FormatterContext) => Iterable<string>;

/** The `--format` choices; stylish is the default. */
export const FORMATTER_NAMES = ['stylish', 'json', 'sarif', 'github', 'checkstyle', 'junit', 'gitlab', 'compact'] as const;

export type FormatterName = (typeof FORMATTER_NAMES)[number];

const loaders: Readonly<Record<FormatterName, () => Promise<Formatter>>> = {
  stylish: async () => (await import('./stylish.js')).formatStylish,
  json: async () => (await import('./json.js')).formatJson,
  sarif: async () => (await import('./sarif.js')).formatSarif,
  github: async () => (await import('./github.js')).formatGithub,
  checkstyle: async () => (await import('./checkstyle.js')).formatCheckstyle,
  junit: async () => (await import('./junit.js')).formatJunit,
  gitlab: async () => (await import('./gitlab.js')).formatGitlab,
  compact: async () => (await import('./compact.js')).formatCompact,
};

export function isFormatterName(name: string): name is FormatterName {
  return (FORMATTER_NAMES as readonly string[]).includes(name);
}

/** Loads a built-in format. Throws for any other name, listing the valid ones. */
export async function getFormatter(name: string): Promise<Formatter> {
  if (!isFormatterName(name)) {
    throw new Error(`Unknown format "${name}". Choose one of: ${FORMATTER_NAMES.join(', ')}.`);
  }
  return loaders[name]();
}

/** A built-in format as pieces: JSON's are written as made; any other format's report is one piece. */
export async function getPiecewiseFormatter(name: string): Promise<PiecewiseFormatter> {
  if (name === 'json') return (await import('./json.js')).jsonPieces;
  const formatter = await getFormatter(name);
  return (results, context) => [formatter(results, context)];
}
