// Bundles the CLI with esbuild: one entry plus lazily loaded chunks (start-up time), for the Node floor in engines,
// with the version and commit fixed at build time (lib/bundle-options.mjs).
import { build } from 'esbuild';
import { sharedOptions } from './lib/bundle-options.mjs';

await build({
  ...sharedOptions(),
  entryPoints: { main: 'src/cli/run-process.ts' },
  format: 'esm',
  splitting: true,
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  // Bundled CommonJS dependencies (pino, yauzl) still call require and read __dirname.
  banner: {
    js: [
      "import { createRequire as __mdatpRequire } from 'node:module';",
      "import { fileURLToPath as __mdatpPath } from 'node:url';",
      "import { dirname as __mdatpDirname } from 'node:path';",
      'const require = __mdatpRequire(import.meta.url);',
      'const __filename = __mdatpPath(import.meta.url);',
      // Not `new URL(...)`: a bundled module's own top-level `URL` (uuid exports one) shares the chunk's scope.
      'const __dirname = __mdatpDirname(__filename);',
    ].join(' '),
  },
  // The cloud SDKs stay in node_modules, loaded only by a command that publishes to a target (start-up, memory).
  external: ['@aws-sdk/*', '@azure/*'],
  // One line per chunk makes a bug report's stack unreadable; with the maps beside the chunks, the run that reproduces
  // it under NODE_OPTIONS=--enable-source-maps (the bug message says so) shows TypeScript lines. Unread otherwise.
  sourcemap: 'linked',
  sourcesContent: false,
});

// bin/ runs the Node version check first, on whatever Node started it (Node 20 included): one file with no imports,
// built on its own for an older target, so nothing the CLI's chunks need (esbuild's helpers, the require banner) can
// load before the check or use syntax that Node cannot parse.
await build({
  entryPoints: { 'supported-node': 'src/util/supported-node.ts' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node18',
  outdir: 'dist/bundle',
  minifyWhitespace: true,
  logLevel: 'warning',
});
