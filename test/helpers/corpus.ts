/**
 * The corpus of real-world nginx configurations and the verdict real `nginx -t` (Debian nginx-extras 1.22.1) gave
 * each file, recorded in `nginx-t-results.tsv` by the corpus's `nginx-truth.sh`. The corpus lives outside the
 * repository (`NGINX_LINT_CORPUS`, default `../shared/corpus` from the repository root); without it the corpus tests
 * are skipped with one line saying so, except in CI, where a missing corpus must fail the run instead of passing
 * it silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BlockContext } from '../../src/nginx/directives.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const TRUTH_FILE = 'nginx-t-results.tsv';

/** The nginx release the truth was recorded with; lint with it so directive availability matches. */
export const TRUTH_NGINX_VERSION = '1.22.1';

/** One row of `nginx-t-results.tsv`. */
export interface TruthRow {
  /** Relative to the corpus root: `<owner>__<repo>/<original path>`. */
  readonly path: string;
  /** The context nginx accepted the file in, or the one whose error was kept for a rejected file. */
  readonly context: BlockContext;
  readonly accepted: boolean;
  /** nginx's first error, with ` in FILE:LINE` (FILE relative to the corpus root); empty when accepted. */
  readonly nginxMessage: string;
  /** `accepted`, or why nginx rejected it: syntax, unknown-directive, context, semantic, missing-module, dependency, env. */
  readonly errorClass: string;
}

/** The contexts the truth wrapped files in (`main`, `http`, `server`, `location`, `stream`). */
const WRAPPER_CONTEXTS: ReadonlySet<string> = new Set<BlockContext>(['main', 'http', 'server', 'location', 'stream']);

/** The corpus directory, or null (after printing one line) when it is absent outside CI. */
export function findCorpus(suite: string): string | null {
  const configured = process.env.NGINX_LINT_CORPUS;
  const directory = configured ? path.resolve(configured) : path.resolve(repoRoot, '../shared/corpus');
  if (existsSync(path.join(directory, TRUTH_FILE))) return directory;
  const why = `no nginx config corpus at ${directory} (no ${TRUTH_FILE}; set NGINX_LINT_CORPUS)`;
  if (process.env.CI === 'true') throw new Error(`${suite}: ${why}`);
  console.log(`${suite} skipped: ${why}`);
  return null;
}

export function readTruth(corpus: string): TruthRow[] {
  const [header, ...lines] = readFileSync(path.join(corpus, TRUTH_FILE), 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const columns = header!.split('\t');
  const column = (name: string): number => {
    const index = columns.indexOf(name);
    if (index === -1) throw new Error(`${TRUTH_FILE} has no "${name}" column`);
    return index;
  };
  const [pathColumn, wrapperColumn, verdictColumn, messageColumn, classColumn] = ['path', 'wrapper', 'verdict', 'nginx_message', 'class'].map(column);
  return lines.map((line) => {
    const fields = line.split('\t');
    const context = fields[wrapperColumn!]!;
    if (!WRAPPER_CONTEXTS.has(context)) throw new Error(`${TRUTH_FILE}: unexpected wrapper "${context}" in: ${line}`);
    return {
      path: fields[pathColumn!]!,
      context: context as BlockContext,
      accepted: fields[verdictColumn!] === 'accepted',
      nginxMessage: fields[messageColumn!] ?? '',
      errorClass: fields[classColumn!] ?? '',
    };
  });
}

/** nginx's message split at its ` in FILE:LINE` tail (FILE relative to the corpus root); null when it has none. */
export function nginxErrorLocation(message: string): { readonly message: string; readonly file: string; readonly line: number } | null {
  const match = /^(.*) in (\S+):(\d+)$/.exec(message);
  return match ? { message: match[1]!, file: match[2]!, line: Number(match[3]) } : null;
}
