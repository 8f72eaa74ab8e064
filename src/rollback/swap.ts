// Puts a stored pair (the backup, or a history entry) live and the live pair into the backup, each file via a temp
// link and a rename, so endpoints always get a whole updates.zip.
import { mkdir } from 'node:fs/promises';
import type { BundleId } from '../plan/bundles.js';
import { tempName } from '../publish/folder-publisher.js';
import { linkOrCopy, removeQuietly, renameDurably } from '../store/fs-safe.js';
import { bundlePath, manifestPath, type StoreLayout } from '../store/layout.js';
import { writeManifest, type Manifest } from '../store/manifest.js';

export interface StoredPair {
  readonly dir: string;
  readonly manifest: Manifest;
}

/** live := target; backup := what was live. Order as in publishing: the live bundle first, then its manifest. */
export async function installPair(layout: StoreLayout, id: BundleId, target: StoredPair, live: StoredPair): Promise<void> {
  const liveDir = layout.bundleDir(id);
  const backDir = layout.backupDir(id);
  await mkdir(backDir, { recursive: true });
  const tmpTarget = tempName(layout, id, 'rollback-target');
  const tmpLive = tempName(layout, id, 'rollback-live');
  await mkdir(layout.tmpDir, { recursive: true });
  try {
    await linkOrCopy(bundlePath(target.dir), tmpTarget);
    await linkOrCopy(bundlePath(liveDir), tmpLive);
    await renameDurably(tmpTarget, bundlePath(liveDir));
    await writeManifest(manifestPath(liveDir), target.manifest);
    await renameDurably(tmpLive, bundlePath(backDir));
    await writeManifest(manifestPath(backDir), live.manifest);
  } finally {
    await removeQuietly(tmpTarget);
    await removeQuietly(tmpLive);
  }
}
