// Writes an export archive: one plain POSIX (ustar) tar holding index.json and index.json.minisig first, then each
// bundle's manifest.json and updates.zip in the tree's layout. Streamed: bundles go from disk to the output in
// chunks, hashed on the way; a bundle whose bytes differ from its manifest aborts the archive (it is never written
// whole with a wrong index).
import { createHash } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Header, type Pack } from 'tar-stream';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { manifestVersions, sameVersions, type Versions } from '../bundle/versions.js';
import { MirrorError } from '../errors/catalogue.js';
import { chunksDone } from '../util/dead-buffers.js';
import { INDEX_FORMAT, serializeIndex, type MirrorIndex } from '../signed-index/document.js';
import { signIndex } from '../signed-index/signature.js';
import { describePair } from '../signed-index/tree-index.js';
import type { SecretKey } from '../signing/minisign.js';
import { BUNDLE_FILE, INDEX_FILE, INDEX_SIGNATURE_FILE, MANIFEST_FILE, relativePairDir, type StoreLayout } from '../store/layout.js';
import { tap } from '../util/tap.js';
import { openPair, type OpenPair } from './open-pair.js';

export interface ArchiveRequest {
  readonly layout: StoreLayout;
  readonly ids: readonly BundleId[];
  /** Versions already carried across by earlier exports (--since last): those bundles are left out. */
  readonly alreadyExported: Record<string, Versions> | undefined;
  readonly key: SecretKey | undefined;
  readonly mirrorName: string;
  readonly now: () => Date;
  readonly signal?: AbortSignal | undefined;
}

export interface ArchiveResult {
  readonly exported: { readonly id: BundleId; readonly versions: Versions; readonly size: number; readonly sha256: string }[];
  readonly unchanged: BundleId[];
  readonly missing: BundleId[];
  readonly bytes: number;
  readonly signed: boolean;
}

async function openSelected(req: ArchiveRequest): Promise<{ pairs: OpenPair[]; unchanged: BundleId[]; missing: BundleId[] }> {
  const pairs: OpenPair[] = [];
  const unchanged: BundleId[] = [];
  const missing: BundleId[] = [];
  try {
    for (const id of req.ids) {
      const pair = await openPair(id, req.layout.bundleDir(id));
      if (!pair) {
        missing.push(id);
        continue;
      }
      const before = req.alreadyExported?.[bundleKey(id)];
      if (before && sameVersions(before, manifestVersions(pair.manifest))) {
        unchanged.push(id);
        await pair.handle.close();
        continue;
      }
      pairs.push(pair);
    }
  } catch (e) {
    await Promise.all(pairs.map((p) => p.handle.close()));
    throw e;
  }
  return { pairs, unchanged, missing };
}

function archiveIndex(pairs: readonly OpenPair[], mirror: string, now: Date): MirrorIndex {
  const files = pairs.flatMap((p) => describePair(p.id, 'live', p.manifest, p, p.manifestBytes));
  return { format: INDEX_FORMAT, mirror, createdAt: now.toISOString(), files };
}

const header = (name: string, size: number, mtime: Date): Partial<Header> & Pick<Header, 'name'> => ({
  name,
  size,
  mtime,
  mode: 0o644,
  type: 'file',
  uid: 0,
  gid: 0,
});

function addBuffer(pack: Pack, name: string, data: Buffer, mtime: Date): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header(name, data.length, mtime), data, (e) => (e ? reject(e) : resolve())));
}

async function addBundle(pack: Pack, name: string, pair: OpenPair, mtime: Date, signal: AbortSignal | undefined): Promise<void> {
  const hash = createHash('sha256');
  const hashing = tap((chunk) => {
    hash.update(chunk);
    chunksDone(chunk.length);
  });
  const entry = pack.entry(header(name, pair.size, mtime));
  await pipeline(pair.handle.createReadStream({ start: 0, autoClose: false, highWaterMark: 1024 * 1024 }), hashing, entry, { signal });
  if (hash.digest('hex') !== pair.sha256) {
    throw new MirrorError(
      'EXPORT_FAILED',
      `${pair.dir}: ${BUNDLE_FILE} does not match the SHA-256 its manifest records, so it was not exported; run status --verify, then download again`,
    );
  }
}

/** Streams the archive into out (a file or stdout); resolves once out has taken every byte. */
export async function writeArchive(out: Writable, req: ArchiveRequest): Promise<ArchiveResult> {
  const { pairs, unchanged, missing } = await openSelected(req);
  const now = req.now();
  let bytes = 0;
  const counting = tap((chunk) => (bytes += chunk.length));
  const pack = tarPack();
  const delivered = pipeline(pack, counting, out);
  try {
    const index = serializeIndex(archiveIndex(pairs, req.mirrorName, now));
    await addBuffer(pack, INDEX_FILE, index, now);
    if (req.key) await addBuffer(pack, INDEX_SIGNATURE_FILE, Buffer.from(signIndex(req.key, index, req.mirrorName, now)), now);
    for (const pair of pairs) {
      const rel = relativePairDir(pair.id, 'live');
      const mtime = new Date(Date.parse(pair.manifest.downloadedAt ?? '') || now.getTime());
      await addBuffer(pack, `${rel}/${MANIFEST_FILE}`, pair.manifestBytes, mtime);
      await addBundle(pack, `${rel}/${BUNDLE_FILE}`, pair, mtime, req.signal);
    }
    pack.finalize();
  } catch (e) {
    pack.destroy(e as Error);
    await delivered.catch(() => undefined);
    throw e;
  } finally {
    await Promise.all(pairs.map((p) => p.handle.close()));
  }
  await delivered;
  return {
    exported: pairs.map((p) => ({ id: p.id, versions: manifestVersions(p.manifest), size: p.size, sha256: p.sha256 })),
    unchanged,
    missing,
    bytes,
    signed: req.key !== undefined,
  };
}
