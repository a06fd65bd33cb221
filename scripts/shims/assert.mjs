/**
 * Bundle-time stand-in for `assert`, which yargs' layout library (cliui) imports for two argument checks. Node's
 * `assert` module costs ~5 ms of every start-up to load; these two functions are all cliui uses.
 */
export function strictEqual(actual, expected, message) {
  if (actual !== expected) throw new Error(message ?? `expected ${String(expected)}, got ${String(actual)}`);
}

export function notStrictEqual(actual, expected, message) {
  if (actual === expected) throw new Error(message ?? `expected a value other than ${String(expected)}`);
}
