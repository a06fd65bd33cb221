/**
 * Parses the JSON files users write (configs, baselines), reporting syntax errors with line and column. V8's
 * messages give no position for the most common mistakes (a trailing comma, a missing value) and change wording
 * between Node versions, so the reason and offset come from a small scanner instead.
 */
import { assertJsonDepth, readRegularTextFile } from '../files.js';
import { positionAt } from '../syntax/ast.js';
import { ConfigError } from './errors.js';

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

class ScanFailure {
  constructor(readonly error: JsonSyntaxError) {}
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const SIMPLE_ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;

/** Returns the first syntax error, or null when the text is valid JSON. */
function findJsonSyntaxError(text: string): JsonSyntaxError | null {
  let index = 0;

  // Typed on the declaration so that control flow knows a call never returns.
  const fail: (reason: string, offset?: number) => never = (reason, offset = index) => {
    throw new ScanFailure({ offset, reason });
  };
  const found = (): string => (index >= text.length ? 'end of file' : JSON.stringify(text[index]));
  const skipWhitespace = (): void => {
    while (index < text.length && WHITESPACE.has(text[index]!)) index++;
  };
  const matchAt = (pattern: RegExp): string | null => {
    pattern.lastIndex = index;
    return pattern.exec(text)?.[0] ?? null;
  };

  const scanString = (): void => {
    const opening = index;
    index++;
    for (;;) {
      const char = text[index];
      if (char === undefined || char === '\n' || char === '\r') fail('unterminated string', opening);
      if (char === '"') break;
      if (char < ' ') fail('control character in string; escape it');
      if (char === '\\') {
        index++;
        if (text[index] === 'u') {
          index++;
          if (matchAt(HEX4) === null) fail('invalid \\u escape: expected 4 hex digits');
          index += 3;
        } else if (index < text.length && !SIMPLE_ESCAPES.has(text[index]!)) {
          fail(`invalid escape "\\${text[index]}"`, index - 1);
        }
      }
      index++;
    }
    index++;
  };

  const scanValue = (): void => {
    skipWhitespace();
    const char = text[index];
    if (char === '{') return scanContainer('}', true);
    if (char === '[') return scanContainer(']', false);
    if (char === '"') return scanString();
    const number = matchAt(NUMBER);
    if (number !== null) {
      index += number.length;
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, index)) {
        index += literal.length;
        return;
      }
    }
    fail(`unexpected ${found()}, expected a value`);
  };

  const scanContainer = (closing: '}' | ']', isObject: boolean): void => {
    index++;
    skipWhitespace();
    if (text[index] === closing) {
      index++;
      return;
    }
    for (;;) {
      skipWhitespace();
      if (isObject) {
        if (text[index] !== '"') fail(`unexpected ${found()}, expected a property name in double quotes`);
        scanString();
        skipWhitespace();
        if (text[index] !== ':') fail(`unexpected ${found()}, expected ":"`);
        index++;
      }
      scanValue();
      skipWhitespace();
      if (text[index] === closing) {
        index++;
        return;
      }
      if (text[index] !== ',') fail(`unexpected ${found()}, expected "," or "${closing}"`);
      const comma = index;
      index++;
      skipWhitespace();
      if (text[index] === closing) fail('trailing comma', comma);
    }
  };

  try {
    scanValue();
    skipWhitespace();
    if (index < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return null;
  } catch (caught) {
    if (caught instanceof ScanFailure) return caught.error;
    throw caught;
  }
}
