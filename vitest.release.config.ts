import { defineConfig } from 'vitest/config';
import { artifact } from './test/release/artifacts.js';

// The release artifacts (npm run release first). The Linux x64 executable drives test/helpers/cli.ts instead of node
// and bin/, with no node on its PATH, through test/release and the everyday suites a user meets first (download,
// serve, operate, the air gap): same behaviour, messages and exit codes as the npm install. The packages are installed
// with the distribution's tools.
export default defineConfig({
  test: {
    include: [
      'test/release/**/*.test.ts',
      'test/download.test.ts',
      'test/serve.test.ts',
      'test/operate.test.ts',
      'test/airgap.test.ts',
      'test/init.test.ts',
      'test/check.test.ts',
    ],
    env: { MDATP_CLI: artifact.linuxX64 },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // dpkg installs one package at a time.
    fileParallelism: false,
  },
});
