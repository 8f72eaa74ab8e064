// What the tree writer takes in (a bundle proven complete) and gives back. The folder tree is the one place a bundle
// is published to; replicas (object storage, an export archive) copy the finished tree afterwards (replicate/,
// archive/), from the signed index, so they are not a second kind of publisher.
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
