// ESLint with type information (typescript-eslint's strict, type-checked rules) over src/, test/
// and bench/, run by `make lint` (part of `make test`).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    // Build output and local state; tools/'s .mjs are small scripts of their own (node runs them
    // directly and the import-cycle check has its tests); bin/biomage is an sh/JavaScript launcher.
    ignores: ['dist/', '.tools/', '.biomage/', 'node_modules/', 'tools/', 'bench/results/'],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // vitest.e2e.config.ts is outside tsconfig.json's include; a default project types it.
        projectService: { allowDefaultProject: ['vitest.e2e.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: {
      reportUnusedDisableDirectives: 'error',
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'all', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/no-unused-expressions': 'error',
      // Style, not defects: numbers and booleans print as expected in messages (`${count} stacks`).
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `(x) => set.add(x)` shorthands and `return f()` as an early return from a function that
      // itself returns void are clear; other uses of a void value are still reported.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true }],
      // Off: its findings are @kubernetes/client-node's models (V1ConfigMap, V1ObjectMeta, ...),
      // classes that hold fields and nothing else; the client takes object literals for them, as
      // its own examples do. The rest of the strict set still checks those literals' shapes.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
      // Off: it asks for a Map where keys are deleted, but every deletion here is from an object
      // that must stay plain: a child process's environment (process.env, execa's env) or a parsed
      // document written back out (a CloudFormation template's Resources, a chart's values).
      '@typescript-eslint/no-dynamic-delete': 'off',
      // @kubernetes/client-node's models arrive as plain objects parsed from JSON (no prototype to
      // lose), so spreading one into a changed copy is sound.
      '@typescript-eslint/no-misused-spread': ['error', { allow: [{ from: 'package', package: '@kubernetes/client-node', name: ['V1ConfigMap', 'V1ObjectMeta'] }] }],
    },
  },
  {
    // In tests, a `!` that turns out wrong fails the test as surely as an explicit check would;
    // with noUncheckedIndexedAccess, indexing a fixture's known contents would otherwise need one
    // assertion per lookup.
    // The same holds for a test that reads a parsed JSON or YAML document (any) by the shape it
    // expects, and a fake that implements an async interface without awaiting anything.
    files: ['test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // The plain JavaScript (bench/'s .mjs, the fake eksctl, this file) is outside the TypeScript
    // project: linted by the JavaScript rules alone, without type information.
    files: ['**/*.{js,mjs,cjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: {
      // The .cjs fake (test/fixtures/fake-eksctl) is CommonJS: require is how it imports.
      '@typescript-eslint/no-require-imports': 'off',
    },
    languageOptions: {
      globals: {
        process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly',
        setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly',
        performance: 'readonly', fetch: 'readonly', AbortController: 'readonly', structuredClone: 'readonly',
        require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly',
      },
    },
  },
);
