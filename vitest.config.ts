import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    // Integration tests start their own emulator (one per file) and run real tools.
    testTimeout: 60_000,
    hookTimeout: 90_000,
    pool: 'forks',
    reporters: ['default', './test/helpers/closing-line-reporter.ts'],
    globalSetup: ['./test/helpers/global-setup.ts'],
  },
});
