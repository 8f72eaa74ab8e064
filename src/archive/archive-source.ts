// An export archive as the source of an import: its signed index says which release each bundle is and vouches for its
// size and SHA-256, and the bytes are the files read-archive.ts stages. Each bundle is brought in as soon as it is
// staged, through the download's own decisions and checks (download/sync-bundle.ts), so its zip check overlaps the
// reading of the rest; nothing is published until the whole archive is proven (proven()).
import { rename } from 'node:fs/promises';
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import { openInFolder } from '../mirror-source/folder-bytes.js';
import type { BundleBytes, BundleSource, HandedOver, OpenRequest } from '../upstream/source.js';
import type { VersionInfo } from '../upstream/version-info.js';
import type { StagedBundle } from './read-archive.js';

/** How an import names its source, in the outcome, the log and each imported manifest. */
export const archiveLocation = (where: string, mirror: string): string => `archive ${where} (mirror ${mirror})`;

export class ArchiveSource implements BundleSource {
  private readonly staged = new Map<string, StagedBundle>();
  /** Recorded as each imported bundle's source in its manifest. */
  readonly location: string;

  constructor(
    where: string,
    mirror: string,
    /** Settles when the whole archive is read and proven, or refused. */
    private readonly whole: Promise<unknown>,
  ) {
    this.location = archiveLocation(where, mirror);
  }

  add(bundle: StagedBundle): void {
    this.staged.set(bundleKey(bundle.pair.id), bundle);
  }

  private bundle(id: BundleId): StagedBundle {
    const staged = this.staged.get(bundleKey(id));
    if (!staged) throw new MirrorError('BUNDLE_NOT_VOUCHED', `${this.location} does not carry ${bundleLabel(id)}`);
    return staged;
  }

  versionInfo(id: BundleId): Promise<VersionInfo & { finalUrl: string }> {
    return Promise.resolve({ ...this.bundle(id).pair.versions, finalUrl: this.location });
  }

  async open(id: BundleId, req: OpenRequest): Promise<BundleBytes> {
    const bytes = await openInFolder(this.bundle(id).tempPath, req);
    // The staged file is this run's own temp file: gone means something removed it under the import.
    if (!bytes)
      throw new MirrorError('ARCHIVE_INVALID', `${this.location}: the staged copy of ${bundleLabel(id)} disappeared during the import`);
    return { ...bytes, from: this.location };
  }

  vouchedFor(id: BundleId): { size: number; sha256: string } {
    const { bundle } = this.bundle(id).pair;
    return { size: bundle.size, sha256: bundle.sha256 };
  }

  /** The staged file is already on the tree's volume and hashed against the index: moved, not copied. */
  async handOver(id: BundleId, path: string): Promise<HandedOver> {
    const { tempPath, pair } = this.bundle(id);
    await rename(tempPath, path);
    return { size: pair.bundle.size, sha256: pair.bundle.sha256, from: this.location };
  }

  async proven(): Promise<void> {
    await this.whole;
  }
}
