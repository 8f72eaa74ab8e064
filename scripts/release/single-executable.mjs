// A Node.js single executable application (SEA): the CLI as one CommonJS file, cloud SDKs included (they still load
// only when a publish target is configured: the bundle keeps its lazy imports), written as a SEA blob by a Node of
// the target's exact version and injected with postject into a copy of the official binary.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'postject';
import { sharedOptions } from '../lib/bundle-options.mjs';
import { nodePackage } from './node-bases.mjs';

// The sentinel Node's SEA code looks for (doc/api/single-executable-applications.md).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** One CommonJS file of the CLI and everything it imports; its metafile feeds the SBOM, its licences the notices. */
export async function bundleForExecutables(work) {
  const script = join(work, 'mdatp-mirror.cjs');
  const result = await build({
    ...sharedOptions(),
    entryPoints: ['src/cli/single-executable.ts'],
    format: 'cjs',
    outfile: script,
    metafile: true,
    // ESM dependencies (node-cron) read import.meta.url, which CommonJS has not: it becomes this file's URL (in a
    // single executable, Node sets __filename to the executable).
    define: { ...sharedOptions().define, 'import.meta.url': '__mdatpImportMetaUrl' },
    banner: { js: "var __mdatpImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  });
  const legalFile = `${script.replace(/\.cjs$/, '')}.LEGAL.txt`;
  const legal = [legalFile, `${script}.LEGAL.txt`].find((f) => existsSync(f)) ?? legalFile;
  if (!existsSync(legal)) writeFileSync(legal, 'No bundled module carried a licence comment.\n');
  return { script, legal, metafile: result.metafile };
}

const blobs = new Map();

/** The SEA blob for one Node version, made once: no code cache and no snapshot, which are per-CPU and not reproducible. */
function seaBlob(target, script, work) {
  const version = target.blobWriter.split('@')[1];
  if (blobs.has(version)) return blobs.get(version);
  const blob = join(work, `sea-${version}.blob`);
  const config = join(work, `sea-${version}.json`);
  // Names relative to the work folder: the blob records the main script's name, which must not depend on where the
  // release is built (two builds in different folders then differ by that path).
  writeFileSync(
    config,
    JSON.stringify({
      main: basename(script),
      output: basename(blob),
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
    }),
  );
  const writer = join(nodePackage(target.blobWriter), 'bin/node');
  execFileSync(writer, ['--experimental-sea-config', basename(config)], { cwd: work, stdio: ['ignore', 'ignore', 'inherit'] });
  blobs.set(version, blob);
  return blob;
}

/** The executable for one target at `exe`: the official binary (stripped of debug symbols on Linux) plus the blob. */
export async function buildExecutable(target, script, work, exe) {
  copyFileSync(join(nodePackage(target.node), target.binary), exe);
  chmodSync(exe, 0o755);
  // Node's Linux builds carry about 18 MB of symbols nobody here debugs; the strip must precede the injection.
  // (The arm64 strip warns about Node's vendor notes, which it keeps.)
  if (target.strip) execFileSync(target.strip, ['--strip-all', exe], { stdio: ['ignore', 'ignore', 'pipe'] });
  await inject(exe, 'NODE_SEA_BLOB', readFileSync(seaBlob(target, script, work)), { sentinelFuse: SEA_FUSE });
}
