/**
 * Parses the JSON files users write (configs, baselines), reporting syntax errors with line and column. V8's
 * messages give no position for the most common mistakes (a trailing comma, a missing value) and change wording
 * between Node versions, so when JSON.parse fails, jsonc-parser (strict: no comments, no trailing commas) finds
 * the first error and its offset, and the reason is worded here from its error code.
 */
import type { ParseErrorCode } from 'jsonc-parser';
import { assertJsonDepth, readRegularTextFile } from '../files.js';
import { lazyRequire } from '../lazy-require.js';
import { positionAt } from '../syntax/ast.js';
import { ConfigError } from './errors.js';

/** Loaded only for a file JSON.parse rejects: valid files, nearly all of them, never need it. */
const jsonc = lazyRequire<typeof import('jsonc-parser')>('jsonc-parser');

/**
 * Reads and parses a JSON file (a leading byte order mark is allowed). Throws a ConfigError naming `source` (the
 * path as shown to the user) when the file cannot be read, and `source:line:column` on a syntax error.
 */
export function readJsonFile(path: string, source: string): unknown {
  let text: string;
  try {
    text = readRegularTextFile(path);
    assertJsonDepth(text, source);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'file not found' : (error as Error).message.replace(`${path} `, '').replace(`${source} `, '');
    throw new ConfigError(source, [{ pointer: '', message: reason }]);
  }
  const json = text.replace(/^\uFEFF/, '');
  try {
    return JSON.parse(json);
  } catch (error) {
    const syntaxError = findJsonSyntaxError(json) ?? { offset: 0, reason: (error as Error).message };
    // positionAt only reads the text of the file it is given.
    const { line, column } = positionAt({ path: source, text: json, directives: [], comments: [], errors: [], eol: '\n' }, syntaxError.offset);
    throw new ConfigError(`${source}:${line}:${column}`, [{ pointer: '', message: `invalid JSON: ${syntaxError.reason}` }]);
  }
}

interface JsonSyntaxError {
  readonly offset: number;
  readonly reason: string;
}

interface ParseError {
  readonly code: ParseErrorCode;
  readonly offset: number;
  readonly length: number;
  /** The closing bracket of the innermost object or array open at the error. */
  readonly closing: '}' | ']' | null;
}

/** The first syntax error jsonc-parser finds, worded for a person; null when it finds none. */
function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  const { visit, ParseErrorCode: Code } = jsonc();
  const errors: ParseError[] = [];
  const open: ('}' | ']')[] = [];
  visit(
    text,
    {
      onObjectBegin: () => void open.push('}'),
      onObjectEnd: () => void open.pop(),
      onArrayBegin: () => void open.push(']'),
      onArrayEnd: () => void open.pop(),
      onError: (code, offset, length) => void errors.push({ code, offset, length, closing: open[open.length - 1] ?? null }),
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  const first = errors[0];
  if (!first) return null;
  const { code, offset, length, closing } = first;
  const found = offset >= text.length ? 'end of file' : JSON.stringify(text[offset]);
  const token = text.slice(offset, offset + length);

  // `[1, 2,]`, `{ "a": 1, }`: jsonc-parser reports the missing value at the bracket; the mistake is the comma.
  const bracket = text[offset];
  if ((bracket === '}' || bracket === ']') && (code === Code.PropertyNameExpected || code === Code.ValueExpected)) {
    const comma = text.slice(0, offset).trimEnd().length - 1;
    if (text[comma] === ',') return { offset: comma, reason: 'trailing comma' };
  }
  switch (code) {
    case Code.ColonExpected:
      return { offset, reason: `unexpected ${found}, expected ":"` };
    case Code.CommaExpected:
      return { offset, reason: `unexpected ${found}, expected ","${closing ? ` or "${closing}"` : ''}` };
    case Code.CloseBraceExpected:
      return { offset, reason: `unexpected ${found}, expected "," or "}"` };
    case Code.CloseBracketExpected:
      return { offset, reason: `unexpected ${found}, expected "," or "]"` };
    case Code.PropertyNameExpected:
      return { offset, reason: `unexpected ${found}, expected a property name in double quotes` };
    case Code.ValueExpected: {
      // `{,}`: at the start of an object, or after a comma in one, a property name is what is missing.
      const before = text.slice(0, offset).trimEnd().at(-1);
      const propertyName = closing === '}' && (before === '{' || before === ',');
      return { offset, reason: `unexpected ${found}, expected ${propertyName ? 'a property name in double quotes' : 'a value'}` };
    }
    case Code.EndOfFileExpected:
      return { offset, reason: `unexpected ${found} after the end of the JSON value` };
    case Code.UnexpectedEndOfString:
      return { offset, reason: 'unterminated string' };
    case Code.InvalidEscapeCharacter: {
      const at = offset + firstBadEscape(token, /^\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/);
      return { offset: at, reason: `invalid escape "${text.slice(at, at + 2)}"` };
    }
    case Code.InvalidUnicode:
      return { offset: offset + firstBadEscape(token, /^\\(?:[^u]|u[0-9a-fA-F]{4})/), reason: 'invalid \\u escape: expected 4 hex digits' };
    case Code.InvalidCharacter:
      return { offset: offset + Math.max(0, token.search(/[\u0000-\u001f]/)), reason: 'control character in string; escape it' };
    case Code.InvalidNumberFormat:
    case Code.UnexpectedEndOfNumber:
      return { offset, reason: `invalid number ${JSON.stringify(token)}` };
    case Code.InvalidCommentToken:
    case Code.UnexpectedEndOfComment:
      return { offset, reason: 'comments are not allowed in JSON' };
    case Code.InvalidSymbol: {
      // What was expected there is the error jsonc-parser reports next, after skipping the symbol.
      const next = errors[1]?.code;
      const expected =
        next === Code.PropertyNameExpected ? ', expected a property name in double quotes' : next === Code.ValueExpected ? ', expected a value' : '';
      return { offset, reason: `unexpected ${found}${expected}` };
    }
    default:
      return { offset, reason: `unexpected ${found}` };
  }
}

/** The index in a string token of the first backslash whose escape `valid` does not match (0 when there is none). */
function firstBadEscape(token: string, valid: RegExp): number {
  for (let index = token.indexOf('\\'); index !== -1; index = token.indexOf('\\', index + 2)) {
    const escape = valid.exec(token.slice(index, index + 6));
    if (!escape) return index;
    index += escape[0].length - 2;
  }
  return 0;
}
