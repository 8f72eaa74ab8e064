// Generates the simulated bundles: real zip archives of engine and signature files, cached per release, size and shape.
// Two shapes: "realistic", as Microsoft's bundles are built (every entry deflated: two signature bases that do not
// compress, an engine that deflates about 2:1, small deltas), and "stored" (no compression: cheap to generate, which
// most tests want).
import { createWriteStream } from 'node:fs';
import { readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { BundleId } from '../bundle/identity.js';
import type { Release } from './catalog.js';
import { makeDirectories } from '../util/make-directories.js';

const FILES = [
  ['mpengine.bin', 0.34],
  ['mpavbase.vdm', 0.3],
  ['mpasbase.vdm', 0.26],
  ['mpavdlta.vdm', 0.06],
  ['mpasdlta.vdm', 0.04],
] as const;
const BLOCK = 1024 * 1024;

export const BUNDLE_SHAPES = ['realistic', 'stored'] as const;
export type BundleShape = (typeof BUNDLE_SHAPES)[number];

/** The engine (the first file) deflates about 2:1: half of each block is noise, half a run of one byte. */
const compressibleFile = (name: string): boolean => name === 'mpengine.bin';

/** Deterministic, incompressible bytes (xorshift), so a bundle's size is what was asked for. */
function noiseBlock(seed: number): Buffer {
  const buf = Buffer.allocUnsafe(BLOCK);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < BLOCK; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  return buf;
}

function noise(length: number, seed: number, halfCompressible = false): Readable {
  const block = noiseBlock(seed);
  if (halfCompressible) block.fill(0x5a, BLOCK / 2);
  let left = length;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, BLOCK);
      left -= n;
      this.push(n === BLOCK ? block : block.subarray(0, n));
    },
  });
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  return h >>> 0;
}

/**
 * How many generated bundles demo and simulate-upstream keep (the most recently used): three releases of all eight.
 * Every bump and every size makes new ones, and a long demo with large bundles once filled 4.1 GB of the temp folder.
 * (The tests share one cache across parallel files with many sizes; they keep everything, in a temp folder.)
 */
export const CACHED_BUNDLES = 24;
/** A generation cut off by a crash leaves a .partial file; one this old is nobody's. */
const STALE_PARTIAL_MS = 60 * 60 * 1000;

/** Removes all but the `keep` most recently used bundles, and stale partial files. */
async function pruneCache(dir: string, keep: number): Promise<void> {
  const names = await readdir(dir).catch(() => []);
  const entries = await Promise.all(
    names.map(async (name) => {
      const st = await stat(join(dir, name)).catch(() => undefined);
      return { name, usedMs: st ? Math.max(st.atimeMs, st.mtimeMs) : 0, mtimeMs: st?.mtimeMs ?? 0 };
    }),
  );
  const bundles = entries.filter((e) => e.name.endsWith('.zip')).sort((a, b) => b.usedMs - a.usedMs);
  const stale = entries.filter((e) => e.name.endsWith('.partial') && Date.now() - e.mtimeMs > STALE_PARTIAL_MS);
  await Promise.all([...bundles.slice(keep), ...stale].map((e) => rm(join(dir, e.name), { force: true })));
}

/** The bundle for this release and size, generated on first use; with `keep`, the cache is pruned to that many. */
export async function ensureBundle(
  dir: string,
  id: BundleId,
  release: Release,
  size: number,
  o: { readonly keep?: number | undefined; readonly shape: BundleShape },
): Promise<string> {
  const { keep, shape } = o;
  const file = join(dir, `${id.os}-${id.channel}-${id.arch}-${release.engine}-${release.signatures}-${size}-${shape}.zip`);
  try {
    const st = await stat(file);
    // Marked as used (its access time), so the cache keeps what is being served. Not its modification time: that is
    // the Last-Modified a resume's If-Range must match.
    await utimes(file, new Date(), st.mtime).catch(() => undefined);
    return file;
  } catch {
    // not generated yet
  }
  await makeDirectories(dir);
  const zip = new yazl.ZipFile();
  const manifest = `engine=${release.engine}\nsignatures=${release.signatures}\nplatform=${release.platform}\n`;
  zip.addBuffer(Buffer.from(manifest), 'versions.txt', { compress: true });
  // Leave room for the zip headers so the archive is close to the requested size.
  const payload = Math.max(FILES.length * 16, size - 1024);
  let given = 0;
  FILES.forEach(([name, share], i) => {
    const len = i === FILES.length - 1 ? payload - given : Math.floor(payload * share);
    given += len;
    const seed = seedOf(`${name}${release.signatures}${id.os}${id.arch}${id.channel}`);
    if (shape === 'stored') return zip.addReadStream(noise(len, seed), name, { compress: false, size: len });
    // Deflated, the engine takes about half its length: it gets twice as many bytes, so the bundle keeps its size.
    const half = compressibleFile(name);
    const unpacked = half ? 2 * len : len;
    zip.addReadStream(noise(unpacked, seed, half), name, { compress: true, size: unpacked });
  });
  zip.end();
  const tmp = `${file}.${process.pid}.partial`;
  await pipeline(zip.outputStream, createWriteStream(tmp));
  await rename(tmp, file);
  if (keep !== undefined) await pruneCache(dir, keep);
  return file;
}
