import { defineConfig } from 'vitest/config';

// The Windows smoke suite (test/windows): the built CLI under Wine with Node.js 22 for Windows. One file, in order:
// Wine's start-up dominates, and the tests share one C:\ mirror as a Windows admin's would evolve.
export default defineConfig({
  test: {
    include: ['test/windows/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
