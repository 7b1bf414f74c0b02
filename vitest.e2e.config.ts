import { defineConfig } from 'vitest/config';

/**
 * The e2e tier (`make test-e2e`): each file brings up its own local cluster (kwokctl, Flux
 * controllers, git server) under its own state folder. One file at a time: a control plane and
 * three controllers per file would starve a small machine, and timings would mean nothing.
 */
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: false,
    reporters: ['default', './test/helpers/closing-line-reporter.ts'],
    globalSetup: ['./test/e2e/helpers/global-setup.ts'],
  },
});
