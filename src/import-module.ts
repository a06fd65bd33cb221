/**
 * `import()` of a module named at run time: a plugin, the language server. A module of its own because the bundled
 * CLI swaps it for scripts/shims/import-module.mjs: the bundle runs as a script compiled from V8's code cache
 * (src/cli/code-cache.cts), and in Node 20 such a script's own `import()` fails with "A dynamic import callback was
 * not specified" (the callback vm.Script registers is not restored with cached code), so the loader lends its own.
 */
export function importModule(url: string): Promise<unknown> {
  return import(url);
}
