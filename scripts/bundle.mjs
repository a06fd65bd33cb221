/**
 * Bundles the CLI into one file (dist/src/nginx-lint.cjs); the data tables and package.json are found from the
 * package root (src/package-info.ts), as from the unbundled modules. Start-up is dominated by Node resolving and
 * loading ~200 module files; one file cuts linting a small config to about the cost of starting Node.
 *
 * The CLI bundle is CommonJS so that bin/nginx-lint.cjs can compile it as a script with V8's code cache
 * (src/cli/code-cache.cts), which Node 20 offers for scripts only; it is then run once to write that cache.
 */
import path from 'node:path';
import { build } from 'esbuild';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies call require(); an ES module has none unless it makes one.
  banner: {
    js: "import { createRequire as __nginxLintCreateRequire } from 'node:module'; const require = __nginxLintCreateRequire(import.meta.url);",
  },
  // Loaded on first use through src/lazy-require.ts, so most runs never parse them.
  external: ['ajv', 'yaml', 'diff', 'tinyglobby', 'jsonc-parser'],
  // See the shims: the real string-width costs ~20 ms of every start-up to lay out --help, Node's assert ~5 ms.
  alias: { 'string-width': path.resolve('scripts/shims/string-width.mjs'), assert: path.resolve('scripts/shims/assert.mjs') },
  logLevel: 'warning',
  // Less for V8 to scan at every start (~10 % of a small run); identifiers stay, so --debug stack traces read.
  minifyWhitespace: true,
  minifySyntax: true,
};

await build({
  ...common,
  format: 'cjs',
  // A script has no import.meta: src/cli/code-cache.cts passes the bundle's URL as this parameter.
  define: { 'import.meta.url': '__nginxLintBundleUrl' },
  banner: {},
  plugins: [
    {
      name: 'import-module-shim',
      setup(build) {
        build.onResolve({ filter: /\/import-module\.js$/ }, () => ({ path: path.resolve('scripts/shims/import-module.mjs') }));
      },
    },
  ],
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/src/nginx-lint.cjs',
});
const { saveCodeCache } = await import('../dist/src/cli/code-cache.cjs');
await saveCodeCache();
// The language server (`--lsp`), which the CLI imports by URL only when asked: a lint run never parses it. Its
// protocol library stays a dependency in node_modules.
await build({
  ...common,
  entryPoints: ['src/lsp/server.ts'],
  outfile: 'dist/src/nginx-lint-lsp.mjs',
  external: [...common.external, 'vscode-languageserver', 'vscode-languageserver-textdocument'],
});
