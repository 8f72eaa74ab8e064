// Where a verified bundle goes: a destination. The folder tree (tree-writer.ts) is the verified source of truth;
// replicas (object storage, an export archive) are further implementations beside it.
import type { BundleId } from '../bundle/identity.js';
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
  /** Already flushed to disk by the caller (overlapped with verification), so publishing need not wait for it again. */
  readonly flushed?: boolean;
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
