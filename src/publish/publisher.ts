// The one place that decides where a verified bundle goes. Today: a folder tree; staging rings and object storage
// are further implementations of the same interface.
import type { BundleId } from '../plan/bundles.js';
import type { Manifest } from '../store/manifest.js';
import type { VersionInfo } from '../upstream/version-info.js';

export interface VerifiedBundle {
  /** A fully downloaded, length-, zip- and version-checked file on the publisher's volume. */
  readonly tempPath: string;
  readonly size: number;
  readonly sha256: string;
  readonly versions: VersionInfo;
  /** Where the bytes came from (final URL after redirects, credentials removed). */
  readonly source: string;
}

export interface PublishResult {
  readonly manifest: Manifest;
  /** The pair that was live before and is now the backup, when backups are on and it was consistent. */
  readonly backedUp: Manifest | undefined;
  /** Set when the live pair was inconsistent and so was not rotated into the backup. */
  readonly backupSkippedReason: string | undefined;
}

export interface Publisher {
  publish(id: BundleId, bundle: VerifiedBundle): Promise<PublishResult>;
}
