/**
 * ESLint's JSON shape, unchanged: the array of results, one line. Editor integrations and custom
 * reporters parse it, so it is a versioned contract, documented in docs/json-format.md.
 * `filePath` stays absolute, as the results carry it.
 */

import type { LintResult } from '../lint/results.js';
import { inertJson } from './shared.js';

export function formatJson(results: readonly LintResult[]): string {
  return [...jsonPieces(results)].join('');
}

/**
 * Messages serialized together in one piece: few enough that a piece (1.4 KB a message for proxy-keepalive-disabled,
 * 45 KB for 32) stays under V8's 128 KB limit for an object of the young generation. A larger string is allocated
 * in pages of its own, and so are the copies slicing, joining and encoding it make: 256 messages a piece cost 0.55 to
 * 0.7 s to serialize and encode the 47 MB report of the 1M-line bench config, 32 or 64 cost 0.1 s.
 */
const MESSAGES_PER_PIECE = 32;

/**
 * The JSON report as consecutive pieces that join to exactly `JSON.stringify(results)` made inert, plus a newline.
 * The CLI writes each piece as it comes: a run with 33,000 findings has a 47 MB report, and building it whole (the
 * string, then its UTF-8 copy) cost 0.65 s and 170 MB more than writing it in pieces, on the 1M-line bench config.
 *
 * Each piece is made inert on its own, which is the same as making the whole inert: escaping a character does not
 * depend on its neighbours, and `##[` cannot span two pieces, since no piece ends with `#` (a piece ends with a JSON
 * value, a `"key":`, or punctuation).
 */
export function* jsonPieces(results: readonly LintResult[]): Generator<string> {
  yield '[';
  for (const [index, result] of results.entries()) {
    yield index === 0 ? '{' : ',{';
    // JSON.stringify's own order and omissions: own enumerable keys in order, a key whose value is undefined left out.
    let separator = '';
    for (const [key, value] of Object.entries(result) as [string, unknown][]) {
      if (value === undefined) continue;
      yield inertJson(`${separator}${JSON.stringify(key)}:`);
      separator = ',';
      if (key === 'messages') yield* messagePieces(value as LintResult['messages']);
      else yield inertJson(JSON.stringify(value));
    }
    yield '}';
  }
  yield ']\n';
}

function* messagePieces(messages: LintResult['messages']): Generator<string> {
  yield '[';
  for (let start = 0; start < messages.length; start += MESSAGES_PER_PIECE) {
    const batch = JSON.stringify(messages.slice(start, start + MESSAGES_PER_PIECE));
    // The batch's own brackets dropped, so that batches join into the one array.
    yield `${start === 0 ? '' : ','}${inertJson(batch.slice(1, -1))}`;
  }
  yield ']';
}
