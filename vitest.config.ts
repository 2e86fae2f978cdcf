import { defineConfig } from 'vitest/config';

// The graded conformance files (kill matrix, flake proof) start real candidates under load, with checks
// that measure rates and bounds. They run one file at a time, after the unit tests, so two suites never
// compete for the 2 cores and turn a correct candidate's PASS into a starved UNKNOWN.
const GRADED = ['conformance/**/kill-matrix.test.ts', 'conformance/**/flake.test.ts'];

const shared = {
  exclude: ['node_modules/**', '**/.meridian/**'],
  pool: 'forks' as const,
  testTimeout: 60_000,
  hookTimeout: 60_000,
  teardownTimeout: 20_000,
};

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: [
      {
        test: { ...shared, name: 'unit', include: ['**/*.test.ts'], exclude: [...shared.exclude, ...GRADED], sequence: { groupOrder: 0 } },
      },
      { test: { ...shared, name: 'graded', include: GRADED, fileParallelism: false, sequence: { groupOrder: 1 } } },
    ],
  },
});
