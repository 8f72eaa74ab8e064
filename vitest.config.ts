import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The Windows smoke suite needs Wine and Node.js for Windows, the release suite a built release (and root, for
    // dpkg): .ci/run runs them with vitest.windows.config.ts and vitest.release.config.ts.
    exclude: ['test/windows/**', 'test/release/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn the CLI and local servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
