// An export archive as the source of an import, once read-archive.ts has proven it whole: its signed index says which
// release each bundle is and vouches for its size and SHA-256, and the bytes are the staged temp files. The import then
// goes through the download's own decisions and checks (download/sync-bundle.ts), as any other source.
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import { openInFolder } from '../mirror-source/folder-bytes.js';
import type { BundleBytes, BundleSource, OpenRequest } from '../upstream/source.js';
import type { VersionInfo } from '../upstream/version-info.js';
import type { ArchiveContents, StagedBundle } from './read-archive.js';

export class ArchiveSource implements BundleSource {
  private readonly staged: ReadonlyMap<string, StagedBundle>;
  /** Recorded as each imported bundle's source in its manifest, as before this was a source. */
  readonly location: string;

  constructor(contents: ArchiveContents, where: string) {
    this.staged = new Map(contents.bundles.filter((b) => b.pair.role === 'live').map((b) => [bundleKey(b.pair.id), b] as const));
    this.location = `archive ${where} (mirror ${contents.checked.index.mirror})`;
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
}
