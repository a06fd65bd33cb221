/**
 * Bundle-time stand-in for src/import-module.ts in the CLI bundle: `__nginxLintImport` is a parameter of the function
 * src/cli/code-cache.cts wraps the bundle in, the `import()` of that ES module (see src/import-module.ts for why).
 */
export function importModule(url) {
  // eslint-disable-next-line no-undef -- a parameter of the wrapper, not a global
  return __nginxLintImport(url);
}
