import { defineConfig } from 'vitest/config';

// Tests spawn real processes and sockets; two cores means two forks at most,
// and the slow conformance suites get generous per-test deadlines of their own.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '**/.meridian/**'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    teardownTimeout: 20_000,
  },
});
