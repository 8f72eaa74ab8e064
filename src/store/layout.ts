// Where everything lives under the download folder: the served tree endpoints expect, and the tool's private state.
import { join } from 'node:path';
import { bundleKey, type BundleId } from '../plan/bundles.js';

export const BUNDLE_FILE = 'updates.zip';
export const MANIFEST_FILE = 'manifest.json';
/** Private to the tool (temp files, lock, run state): never part of what endpoints pull. */
export const STATE_DIR = '.mdatp-mirror';

export class StoreLayout {
  /**
   * @param root the download folder
   * @param tree '' for the live tree the fleet pulls from; a sub-folder (a staging ring) for trees beside it
   */
  constructor(
    readonly root: string,
    readonly tree = '',
  ) {}

  private treeRoot(): string {
    return this.tree ? join(this.root, this.tree) : this.root;
  }

  bundleDir(id: BundleId): string {
    return join(this.treeRoot(), bundleKey(id));
  }

  backupDir(id: BundleId): string {
    return join(this.treeRoot(), id.os, `${id.channel}_back`, `arch_${id.arch}`);
  }

  get stateDir(): string {
    return join(this.root, STATE_DIR);
  }

  /** Temp files live on the same volume as the live tree, so publishing is a rename, never a copy. */
  get tmpDir(): string {
    return join(this.stateDir, 'tmp');
  }

  get lockFile(): string {
    return join(this.stateDir, 'lock');
  }

  get stateFile(): string {
    return join(this.stateDir, 'state.json');
  }

  /** Versions a rollback holds back, so the next download does not reinstall them. */
  get holdsFile(): string {
    return join(this.stateDir, 'held.json');
  }

  /** Older retained versions (keepVersions > 1): outside the served tree, one folder per version. */
  historyDir(id: BundleId): string {
    return join(this.stateDir, 'history', this.tree || 'live', bundleKey(id));
  }
}

export const bundlePath = (dir: string): string => join(dir, BUNDLE_FILE);
export const manifestPath = (dir: string): string => join(dir, MANIFEST_FILE);
