/**
 * ESLint's JSON shape, unchanged: the array of results, one line. Editor integrations and custom
 * reporters parse it, so it is a versioned contract, documented in docs/json-format.md.
 * `filePath` stays absolute, as the results carry it.
 */

import type { LintResult } from '../lint/results.js';
import { inertJson } from './shared.js';

export function formatJson(results: readonly LintResult[]): string {
  return `${inertJson(JSON.stringify(results))}\n`;
}
