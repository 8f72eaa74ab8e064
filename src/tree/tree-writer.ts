// The one writer of a served tree (live or staging). Download, promote, rollback and retention all change the tree
// through it, so the crash-ordering rules below hold for every change, and temp files are named in one place.
//
// Publish order, and why a crash (kill -9, power loss) at any step is safe:
//   1. history/<version>/   <- the live pair, hard-linked into a hidden folder renamed into place (keepVersions > 1)
//   2. back/updates.zip     <- hard link (or copy) of the live bundle, via a temp name + rename
//   3. back/manifest.json   <- copy of the live manifest, via a temp name + rename
//   4. live/updates.zip     <- rename of the verified, fsynced temp file (atomic: endpoints see the old or the new file)
//   5. live/manifest.json   <- atomic write (temp + fsync + rename)
// Before step 4 the live pair is untouched. Between 4 and 5 the live manifest is older than the bundle; the next run
// sees the versions differ, downloads again, and (the bundle's SHA-256 no longer matching its manifest) does not
// rotate that inconsistent pair into the backup.
// A crash between 2 and 3 leaves a backup whose manifest does not match its bundle (visible by SHA-256); the live pair
// is intact and the next successful publish rewrites the backup. Every rename stays on one volume (no EXDEV).
// A swap (rollback) follows the same rule: the live bundle first, then its manifest, then the backup's pair.
// With signingKey set, index.json and then index.json.minisig are rewritten last, once every pair is in place, so a
// signature only ever exists for an index that was written whole. A crash before them leaves the old signed index,
// which no longer matches the tree: `status` says so, readers refuse what it does not vouch for, and the next change
// (or run) rewrites both.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleId } from '../bundle/identity.js';
import { manifestVersions, versionLabel } from '../bundle/versions.js';
import { MirrorError } from '../errors/catalogue.js';
import { fsyncDir, fsyncFile, linkOrCopy, removeQuietly, renameDurably, writeFileDurably } from '../store/fs-safe.js';
import { listHistory } from '../store/history.js';
import { bundlePath, INDEX_FILE, INDEX_SIGNATURE_FILE, manifestPath, type StoreLayout } from '../store/layout.js';
import { serializeIndex } from '../signed-index/document.js';
import { signIndex } from '../signed-index/signature.js';
import { buildTreeIndex, sameFiles } from '../signed-index/tree-index.js';
import { readTreeIndex } from '../signed-index/read-tree-index.js';
import type { SecretKey } from '../signing/minisign.js';
import { buildManifest, bundleProvablyMatchesManifest, readManifest, writeManifest, type Manifest } from '../store/manifest.js';
import type { PublishResult, VerifiedBundle } from './verified-bundle.js';
import { leftByGoneRun, madeByThisRun, thisRunTag } from './run-temp.js';
import { makeDirectories } from '../util/make-directories.js';

export interface TreeWriterOptions {
  /** Rotate the live pair into <channel>_back before replacing it. */
  readonly backup: boolean;
  /** Previous versions to retain; above 1, they are kept in the private history folder too. */
  readonly keepVersions: number;
  readonly now: () => Date;
  /** Sign an index of the tree after every change (signingKey). */
  readonly index?: { readonly key: SecretKey; readonly mirrorName: string } | undefined;
}

/** A bundle and the manifest that describes it, already checked to match. */
export interface StoredPair {
  readonly dir: string;
  readonly manifest: Manifest;
}

/** A pair's bundle under a temp name, waiting to be renamed into a folder beside its manifest. */
interface StagedPair {
  readonly tmpBundle: string;
  readonly manifest: Manifest;
}

export class TreeWriter {
  /** Whether this writer moved any pair, so the session refreshes the index even when the command fails after. */
  #changed = false;

  constructor(
    readonly layout: StoreLayout,
    private readonly options: TreeWriterOptions,
  ) {}

  get changed(): boolean {
    return this.#changed;
  }

  /** A fresh temp file name on the tree's volume, for a download or any other bytes on their way in. */
  tempFile(id: BundleId, kind: string): string {
    return join(this.layout.tmpDir, `${thisRunTag}.${id.os}-${id.channel}-${id.arch}.${kind}.${randomBytes(4).toString('hex')}.tmp`);
  }

  async prepare(): Promise<void> {
    await makeDirectories(this.layout.tmpDir);
  }

  /**
   * Removes temp files: those of runs that are gone (at the start of a run), or this run's own (at its end), and the
   * temp folder once empty. Another live run's files stay. Returns the names removed. Call only while holding the lock.
   */
  async removeTemp(whose: 'gone' | 'mine'): Promise<string[]> {
    const names = await readdir(this.layout.tmpDir).catch(() => [] as string[]);
    const removed = names.filter(whose === 'gone' ? leftByGoneRun : madeByThisRun);
    await Promise.all(removed.map((name) => removeQuietly(join(this.layout.tmpDir, name))));
    await rmdir(this.layout.tmpDir).catch(() => undefined);
    return removed;
  }

  async publish(id: BundleId, bundle: VerifiedBundle): Promise<PublishResult> {
    const liveDir = this.layout.bundleDir(id);
    await makeDirectories(liveDir);
    this.#changed = true;

    let backedUp: Manifest | undefined;
    let backupSkippedReason: string | undefined;
    const retainHistory = this.options.keepVersions > 1;
    if (this.options.backup || retainHistory) {
      const current = await readManifest(manifestPath(liveDir));
      if (current.kind === 'ok' && (await bundleProvablyMatchesManifest(bundlePath(liveDir), current.manifest))) {
        if (retainHistory) await this.addToHistory(id, { dir: liveDir, manifest: current.manifest });
        if (this.options.backup) await this.copyPair({ dir: liveDir, manifest: current.manifest }, this.layout.backupDir(id), id);
        backedUp = current.manifest;
      } else if (current.kind !== 'missing') {
        backupSkippedReason = 'the live bundle did not match its manifest, so the existing backup was kept';
      }
    }

    // The bytes reach the disk before the name does: after a power cut, a renamed but unflushed file can be empty.
    if (!bundle.flushed) await fsyncFile(bundle.tempPath);
    await renameDurably(bundle.tempPath, bundlePath(liveDir));
    const manifest = buildManifest(bundle.versions, bundle, this.options.now());
    await writeManifest(manifestPath(liveDir), manifest);
    return { manifest, backedUp, backupSkippedReason };
  }

  /** Publishes a pair from another tree (a staged bundle going live) as a download would, leaving the source in place. */
  async publishCopyOf(id: BundleId, from: StoredPair): Promise<PublishResult> {
    const { manifest } = from;
    if (manifest.size === undefined || manifest.sha256 === undefined) {
      throw new MirrorError(
        'PUBLISH_FAILED',
        `${from.dir}: manifest.json records no size or sha256, so the bundle cannot be proven and was not published; run download again to stage it afresh`,
      );
    }
    const tmp = this.tempFile(id, 'copy');
    await this.prepare();
    try {
      await linkOrCopy(bundlePath(from.dir), tmp);
      return await this.publish(id, {
        tempPath: tmp,
        size: manifest.size,
        sha256: manifest.sha256,
        versions: { ...manifestVersions(manifest), platform: manifest.PlatformVersion },
        source: manifest.source ?? from.dir,
      });
    } finally {
      await removeQuietly(tmp);
    }
  }

  /** live := target (the backup, or a history entry); backup := what was live. Both pairs are whole at every step. */
  async swapIntoLive(id: BundleId, target: StoredPair, live: StoredPair): Promise<void> {
    await makeDirectories(this.layout.backupDir(id));
    // Both bundles get a second name before either rename: the live one is about to be replaced.
    await this.withStagedBundles(id, [target, live], async ([newLive, newBack]) => {
      this.#changed = true;
      await this.install(newLive!, this.layout.bundleDir(id));
      await this.install(newBack!, this.layout.backupDir(id));
    });
  }

  /**
   * After the pairs: rewrites index.json and its signature when they no longer describe the tree exactly (or are
   * missing, or signed by another key). Call after every change, and at the end of a run.
   */
  async refreshIndex(): Promise<'written' | 'unchanged' | 'off'> {
    if (!this.options.index) return 'off';
    const { key, mirrorName } = this.options.index;
    const now = this.options.now();
    const fresh = await buildTreeIndex(this.layout, mirrorName, now);
    const current = await readTreeIndex(this.layout, [key]);
    if (current.kind === 'verified' && sameFiles(current.index, fresh)) return 'unchanged';
    const bytes = serializeIndex(fresh);
    await writeFileDurably(join(this.layout.treeRoot, INDEX_FILE), bytes);
    await writeFileDurably(join(this.layout.treeRoot, INDEX_SIGNATURE_FILE), signIndex(key, bytes, mirrorName, now));
    return 'written';
  }

  /** dest := the pair (its bundle hard-linked where possible). */
  private async copyPair(pair: StoredPair, destDir: string, id: BundleId): Promise<void> {
    await makeDirectories(destDir);
    await this.withStagedBundles(id, [pair], ([staged]) => this.install(staged!, destDir));
  }

  /** Gives each pair's bundle a temp name on this volume (a hard link, else a copy), and removes what is left after. */
  private async withStagedBundles(id: BundleId, pairs: readonly StoredPair[], use: (staged: StagedPair[]) => Promise<void>): Promise<void> {
    await this.prepare();
    const staged = pairs.map((pair) => ({ tmpBundle: this.tempFile(id, 'pair'), manifest: pair.manifest, from: pair.dir }));
    try {
      for (const s of staged) await linkOrCopy(bundlePath(s.from), s.tmpBundle);
      await use(staged);
    } finally {
      for (const s of staged) await removeQuietly(s.tmpBundle);
    }
  }

  /** The bundle before its manifest, so no reader sees a manifest ahead of its bundle; the manifest is written atomically. */
  private async install(staged: StagedPair, destDir: string): Promise<void> {
    await renameDurably(staged.tmpBundle, bundlePath(destDir));
    await writeManifest(manifestPath(destDir), staged.manifest);
  }

  /** Adds a consistent pair to the retained history, whole or not at all, and prunes it to keepVersions entries. */
  private async addToHistory(id: BundleId, pair: StoredPair): Promise<void> {
    const root = this.layout.historyDir(id);
    await makeDirectories(root);
    const final = join(root, versionLabel(manifestVersions(pair.manifest)));
    const incoming = join(root, `.incoming-${randomBytes(4).toString('hex')}`);
    try {
      await mkdir(incoming);
      await linkOrCopy(bundlePath(pair.dir), bundlePath(incoming));
      await copyFile(manifestPath(pair.dir), manifestPath(incoming));
      await removeQuietly(final);
      await rename(incoming, final);
      await fsyncDir(root);
    } finally {
      await removeQuietly(incoming);
    }
    const entries = await listHistory(this.layout, id);
    for (const old of entries.slice(this.options.keepVersions)) await removeQuietly(old.dir);
  }
}
