// ESLint for nginx-lint's own code: typescript-eslint's recommended rules, plus the ones that keep dead code out.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'src/config/validate-config.generated.js',
      'src/config/validate-config.generated.d.ts',
      'test/real-world/repos/**',
      'test/fixtures/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Rule modules are typed loosely where they take any rule's options (the registry holds Rule<any>).
      '@typescript-eslint/no-explicit-any': 'off',
      // `a!` after a check the compiler cannot follow (Map.get after has) is deliberate and reviewed.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Control characters are what some of this code looks for: binary files, terminal escapes in output.
      'no-control-regex': 'off',
    },
  },
  {
    // The bin is CommonJS (see bin/nginx-lint.cjs): require is how it loads.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
