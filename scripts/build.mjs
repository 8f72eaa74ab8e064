// Bundles the CLI with esbuild: one entry plus lazily loaded chunks (start-up time), for the Node floor in engines,
// with the package version fixed at build time so nothing searches for package.json at run time.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22.22',
  splitting: true,
  outdir: 'dist/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  define: { __MDATP_MIRROR_VERSION__: JSON.stringify(pkg.version) },
  // jsonc-parser's main entry is a UMD build that requires its parts at run time; its ESM build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
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
  // Without comments the chunks are plain ASCII: one character beyond Latin-1 in a comment (undici's em dashes) made
  // V8 decode and hold the whole 1.4 MB undici chunk as two-byte text. Names are kept (stack traces, error classes);
  // the licence comments go to *.LEGAL.txt beside the chunks. A no-op run: 84.1 -> 81.6 MiB, 335 -> 320 ms (bench/).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'external',
  // One line per chunk makes a bug report's stack unreadable; with the maps beside the chunks, the run that reproduces
  // it under NODE_OPTIONS=--enable-source-maps (the bug message says so) shows TypeScript lines. Unread otherwise.
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
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
