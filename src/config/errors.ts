import type { ErrorObject } from 'ajv';

export interface ConfigProblem {
  /** JSON Pointer to the offending value, or '' when the problem is with the source as a whole. */
  readonly pointer: string;
  readonly message: string;
  /** Where the pointer points in the file, when it is known. */
  readonly position?: { readonly line: number; readonly column: number };
}

/** Configuration the user has to fix. The CLI prints the message and exits with status 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    /** Where the problems are, as shown to the user: a config path (with `:line:column` for JSON syntax errors) or `--rule "…"`. */
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      problems
        .map((problem) => {
          const at = problem.position ? `:${problem.position.line}:${problem.position.column}` : '';
          return `${source}${at}: ${problem.pointer ? `${problem.pointer}: ` : ''}${problem.message}`;
        })
        .join('\n'),
    );
  }
}

/** Escapes one key for use in a JSON Pointer (RFC 6901). */
export function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** ` — did you mean "x"?` for the candidate closest to `value`, or '' when none is close enough to be a likely typo. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  // Up to 40% of the characters may differ: "warning" still finds "warn", unrelated rule ids find nothing.
  const tolerance = Math.max(2, Math.ceil(value.length * 0.4));
  let best: string | undefined;
  let bestDistance = tolerance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(value, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` — did you mean ${JSON.stringify(best)}?`;
}

/** Levenshtein distance with a single row of memory. */
function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/** Keywords whose errors only summarize the errors of their branches, which are reported themselves. */
const SUMMARY_KEYWORDS = new Set(['if', 'anyOf', 'oneOf']);

/**
 * Turns ajv errors (from a validator built with `allErrors` and `verbose`) into one problem per offending value.
 * `pointerPrefix` locates the validated data inside the config file.
 */
export function describeSchemaErrors(errors: readonly ErrorObject[], pointerPrefix = ''): ConfigProblem[] {
  const chosen = new Map<string, ErrorObject>();
  for (const error of errors) {
    if (SUMMARY_KEYWORDS.has(error.keyword)) continue;
    // Several unknown or missing keys of one object are separate problems; anything else is one problem per value.
    const key = `${error.instancePath}\0${String(error.params.additionalProperty ?? error.params.missingProperty ?? '')}`;
    const current = chosen.get(key);
    if (!current || keywordPriority(error.keyword) > keywordPriority(current.keyword)) chosen.set(key, error);
  }
  return [...chosen.values()].map((error) => describeSchemaError(error, pointerPrefix + error.instancePath));
}

/** A wrong type says the most; a value outside an enum comes with a did-you-mean; the rest are equal. */
function keywordPriority(keyword: string): number {
  if (keyword === 'type') return 2;
  if (keyword === 'enum') return 1;
  return 0;
}

function describeSchemaError(error: ErrorObject, pointer: string): ConfigProblem {
  const { params, data } = error;
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const knownKeys = Object.keys((error.parentSchema?.properties as object | undefined) ?? {});
      return { pointer: `${pointer}/${pointerToken(key)}`, message: `unknown key ${JSON.stringify(key)}${didYouMean(key, knownKeys)}` };
    }
    case 'required':
      return { pointer, message: `missing required key ${JSON.stringify(params.missingProperty)}` };
    case 'type':
      return { pointer, message: `expected ${String(params.type)}, got ${jsonTypeOf(data)}` };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map((value) => JSON.stringify(value));
      const suggestion = typeof data === 'string' ? didYouMean(data, (params.allowedValues as unknown[]).map(String)) : '';
      return { pointer, message: `expected one of ${allowed.join(', ')}, got ${preview(data)}${suggestion}` };
    }
    case 'pattern': {
      const expected = (error.parentSchema?.description as string | undefined) ?? `a string matching /${String(params.pattern)}/`;
      return { pointer, message: `expected ${expected}, got ${preview(data)}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer, message: `expected a number ${String(params.comparison)} ${String(params.limit)}, got ${preview(data)}` };
    case 'minItems':
      return { pointer, message: `expected at least ${String(params.limit)} item(s), got ${(data as unknown[]).length}` };
    case 'maxItems':
      return { pointer, message: `expected at most ${String(params.limit)} item(s), got ${(data as unknown[]).length}` };
    default:
      return { pointer, message: `${error.message ?? `fails "${error.keyword}"`}, got ${preview(data)}` };
  }
}

function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** The value as JSON, shortened so a large object does not flood the message. */
function preview(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
