// Publishes verified bundles into the folder tree endpoints pull from, rotating the previous pair into <channel>_back.
//
// Publish order, and why a crash (kill -9, power loss) at any step is safe:
//   1. back/updates.zip  <- hard link (or copy) of the live bundle, via a temp name + rename
//   2. back/manifest.json <- copy of the live manifest, via a temp name + rename
//   3. live/updates.zip  <- rename of the verified, fsynced temp file (atomic: endpoints see the old or the new file)
//   4. live/manifest.json <- atomic write (temp + fsync + rename)
// Before step 3 the live pair is untouched. Between 3 and 4 the live manifest is older than the bundle; the next run
// sees the versions differ, downloads again, and (the bundle's SHA-256 no longer matching its manifest) does not
// rotate that inconsistent pair into the backup.
// A crash between 1 and 2 leaves a backup whose manifest does not match its bundle (visible by SHA-256); the live pair
// is intact and the next successful publish rewrites the backup. Every rename stays on one volume (no EXDEV).
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BundleId } from '../plan/bundles.js';
import { fsyncFile, linkOrCopy, renameDurably, removeQuietly } from '../store/fs-safe.js';
import { addToHistory } from '../store/history.js';
import { bundlePath, manifestPath, type StoreLayout } from '../store/layout.js';
import { buildManifest, bundleProvablyMatchesManifest, readManifest, writeManifest, type Manifest } from '../store/manifest.js';
import type { PublishResult, Publisher, VerifiedBundle } from './publisher.js';

export interface FolderPublisherOptions {
  readonly backup: boolean;
  /** Previous versions to retain; above 1, they are kept in the private history folder too. */
  readonly keepVersions: number;
  readonly now: () => Date;
}

export function tempName(layout: StoreLayout, id: BundleId, kind: string): string {
  return join(layout.tmpDir, `${id.os}-${id.channel}-${id.arch}.${kind}.${randomBytes(4).toString('hex')}.tmp`);
}

export class FolderPublisher implements Publisher {
  constructor(
    private readonly layout: StoreLayout,
    private readonly options: FolderPublisherOptions,
  ) {}

  async publish(id: BundleId, bundle: VerifiedBundle): Promise<PublishResult> {
    const liveDir = this.layout.bundleDir(id);
    await mkdir(liveDir, { recursive: true });

    let backedUp: Manifest | undefined;
    let backupSkippedReason: string | undefined;
    const retainHistory = this.options.keepVersions > 1;
    if (this.options.backup || retainHistory) {
      const current = await readManifest(manifestPath(liveDir));
      if (current.kind === 'ok' && (await bundleProvablyMatchesManifest(bundlePath(liveDir), current.manifest))) {
        if (retainHistory) await addToHistory(this.layout, id, liveDir, current.manifest, this.options.keepVersions);
        if (this.options.backup) await this.rotateToBackup(id, liveDir);
        backedUp = current.manifest;
      } else if (current.kind !== 'missing') {
        backupSkippedReason = 'the live bundle did not match its manifest, so the existing backup was kept';
      }
    }

    // The bytes reach the disk before the name does: after a power cut, a renamed but unflushed file can be empty.
    await fsyncFile(bundle.tempPath);
    await renameDurably(bundle.tempPath, bundlePath(liveDir));
    const manifest = buildManifest(bundle.versions, bundle, this.options.now());
    await writeManifest(manifestPath(liveDir), manifest);
    return { manifest, backedUp, backupSkippedReason };
  }

  private async rotateToBackup(id: BundleId, liveDir: string): Promise<void> {
    const backDir = this.layout.backupDir(id);
    await mkdir(backDir, { recursive: true });
    const tmpBundle = tempName(this.layout, id, 'backup-bundle');
    const tmpManifest = tempName(this.layout, id, 'backup-manifest');
    try {
      await linkOrCopy(bundlePath(liveDir), tmpBundle);
      await copyFile(manifestPath(liveDir), tmpManifest);
      await renameDurably(tmpBundle, bundlePath(backDir));
      await renameDurably(tmpManifest, manifestPath(backDir));
    } finally {
      await removeQuietly(tmpBundle);
      await removeQuietly(tmpManifest);
    }
  }
}
