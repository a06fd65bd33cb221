import { defineConfig } from 'vitest/config';

/**
 * The test layers. `npm test` runs them all; each has its own script for a faster loop:
 * - unit: in-process tests of the parser, model, rules, config and formatters (no CLI process, no build needed),
 *   sharing one module graph per worker (`isolate: false`): importing the sources again for each of the ~60 files was a
 *   third of the layer's time (85 → 48 s on the 2-core machine under the same load);
 * - cli: the built CLI as a user runs it (processes, exit codes, stdin, the generated README blocks);
 * - reality: real nginx and a real backend, measuring each rule's claim and each fix (test/reality);
 * - corpus: the shared corpus of real configs against what real nginx -t said of them (NGINX_LINT_CORPUS).
 */
const CLI = [
  'test/cli.test.ts',
  'test/cli-fix.test.ts',
  'test/lsp.test.ts',
  'test/bad-input.test.ts',
  'test/generated.test.ts',
  'test/docs.test.ts',
  'test/package.test.ts',
  'test/code-cache.test.ts',
  'test/action.test.ts',
  'test/pre-commit.test.ts',
  'test/security/**/*.test.ts',
];
const REALITY = ['test/reality/**/*.test.ts'];
const CORPUS = ['test/corpus-*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/setup/fast-check.ts'],
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts', 'rules/**/*.test.ts'], exclude: [...CLI, ...REALITY, ...CORPUS], isolate: false },
      },
      { extends: true, test: { name: 'cli', include: CLI } },
      { extends: true, test: { name: 'reality', include: REALITY } },
      { extends: true, test: { name: 'corpus', include: CORPUS } },
    ],
  },
});
