import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { artifact } from './test/release/artifacts.js';

// The release artifacts (npm run release first): the Linux x64 executable drives test/helpers/cli.ts instead of
// node and bin/, with no node on its PATH; the packages are installed with the distribution's tools.
export default defineConfig({
  test: {
    include: ['test/release/**/*.test.ts'],
    env: { MDATP_CLI: fileURLToPath(new URL(artifact.linuxX64, 'file://')) },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // dpkg installs one package at a time.
    maxWorkers: 1,
  },
});
