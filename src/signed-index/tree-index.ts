// The index of a live tree as it is on disk: every consistent pair of the live tree and of its backups, described by
// its manifest (whose SHA-256 the tree writer recorded from the verified download) and the manifest file's own hash.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { ALL_BUNDLES, type BundleId } from '../bundle/identity.js';
import { fileSize, sha256File } from '../store/file-facts.js';
import { bundlePath, manifestPath, relativePairDir, BUNDLE_FILE, MANIFEST_FILE, type PairRole, type StoreLayout } from '../store/layout.js';
import { readManifest, type Manifest } from '../store/manifest.js';
import { INDEX_FORMAT, type IndexFile, type MirrorIndex } from './document.js';

/** The two index entries of a pair: its bundle (with versions) and its manifest file. */
export function describePair(
  id: BundleId,
  role: PairRole,
  m: Manifest,
  bundle: { size: number; sha256: string },
  manifestBytes: Buffer,
): [IndexFile, IndexFile] {
  const rel = relativePairDir(id, role);
  return [
    {
      path: `${rel}/${BUNDLE_FILE}`,
      size: bundle.size,
      sha256: bundle.sha256,
      EngineVersion: m.EngineVersion,
      DefinitionVersion: m.DefinitionVersion,
      ...(m.PlatformVersion === undefined ? {} : { PlatformVersion: m.PlatformVersion }),
    },
    { path: `${rel}/${MANIFEST_FILE}`, size: manifestBytes.length, sha256: createHash('sha256').update(manifestBytes).digest('hex') },
  ];
}

/** The index entries of one pair on disk, or undefined when it is absent or its bundle is not the manifest's size. */
async function pairEntries(layout: StoreLayout, id: BundleId, role: PairRole): Promise<[IndexFile, IndexFile] | undefined> {
  const dir = layout.pairDir(id, role);
  const read = await readManifest(manifestPath(dir));
  if (read.kind !== 'ok') return undefined;
  const m = read.manifest;
  const size = await fileSize(bundlePath(dir));
  if (size === undefined || (m.size !== undefined && size !== m.size)) return undefined;
  // Manifests from the old scripts record no hash: only then is the bundle read to describe it.
  const sha256 = m.sha256 ?? (await sha256File(bundlePath(dir)));
  return describePair(id, role, m, { size, sha256 }, await readFile(manifestPath(dir)));
}

export async function buildTreeIndex(layout: StoreLayout, mirror: string, now: Date): Promise<MirrorIndex> {
  const files: IndexFile[] = [];
  for (const role of ['live', 'backup'] as const) {
    for (const id of ALL_BUNDLES) files.push(...((await pairEntries(layout, id, role)) ?? []));
  }
  return { format: INDEX_FORMAT, mirror, createdAt: now.toISOString(), files };
}

/** Whether two indexes describe the same files (their creation times aside). */
export const sameFiles = (a: MirrorIndex, b: MirrorIndex): boolean =>
  a.mirror === b.mirror && JSON.stringify(a.files) === JSON.stringify(b.files);
