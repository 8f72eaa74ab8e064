// Where everything lives under the download folder: the served trees endpoints expect (live, and staging beside it),
// their n-1 backups, the retained history, and the tool's private state.
import { join } from 'node:path';
import { bundleKey, SEGMENT_PATTERN, type Arch, type BundleId, type Channel, type Os } from '../bundle/identity.js';

export const BUNDLE_FILE = 'updates.zip';
export const MANIFEST_FILE = 'manifest.json';
/** The signed description of a live tree (signingKey), at its root beside the OS folders. */
export const INDEX_FILE = 'index.json';
export const INDEX_SIGNATURE_FILE = 'index.json.minisig';
/** Private to the tool (temp files, lock, run state): never part of what endpoints pull. */
export const STATE_DIR = '.mdatp-mirror';

/** live: what the fleet pulls; staging: what test devices pull before a promotion (rollout manual or delayed). */
export type TreeName = 'live' | 'staging';
/** The staging tree's folder under the download folder (the live tree is the download folder itself). */
export const STAGING_DIR = 'staging';

export type RolloutMode = 'immediate' | 'manual' | 'delayed';

/** Which tree a download publishes into: straight to the fleet, or to staging until promoted. */
export const downloadTree = (mode: RolloutMode): TreeName => (mode === 'immediate' ? 'live' : 'staging');

export class StoreLayout {
  private constructor(
    /** The download folder. */
    readonly root: string,
    readonly tree: TreeName,
  ) {}

  static live(root: string): StoreLayout {
    return new StoreLayout(root, 'live');
  }

  static staging(root: string): StoreLayout {
    return new StoreLayout(root, 'staging');
  }

  /** Every tree that may be served, live first. */
  static served(root: string): StoreLayout[] {
    return [StoreLayout.live(root), StoreLayout.staging(root)];
  }

  /** The tree's root folder: the download folder for live, a sub-folder for staging. */
  get treeRoot(): string {
    return this.tree === 'live' ? this.root : join(this.root, STAGING_DIR);
  }

  bundleDir(id: BundleId): string {
    return join(this.treeRoot, bundleKey(id));
  }

  backupDir(id: BundleId): string {
    return join(this.treeRoot, ...relativePairDir(id, 'backup').split('/'));
  }

  pairDir(id: BundleId, role: PairRole): string {
    return role === 'live' ? this.bundleDir(id) : this.backupDir(id);
  }

  get stateDir(): string {
    return join(this.root, STATE_DIR);
  }

  /** Temp files live on the same volume as the served trees, so publishing is a rename, never a copy. */
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

  /** What the last export held, for `export --since last`. */
  get exportsFile(): string {
    return join(this.stateDir, 'exports.json');
  }

  /** Older retained versions (keepVersions > 1): outside the served tree, one folder per version. */
  historyDir(id: BundleId): string {
    return join(this.stateDir, 'history', this.tree, bundleKey(id));
  }
}

export const bundlePath = (dir: string): string => join(dir, BUNDLE_FILE);
export const manifestPath = (dir: string): string => join(dir, MANIFEST_FILE);

/** A served pair: the one endpoints pull, or the n-1 backup beside it. */
export type PairRole = 'live' | 'backup';

/** A pair's folder relative to a tree root, "/"-separated as in URLs, index.json and archives. */
export const relativePairDir = (id: BundleId, role: PairRole): string =>
  role === 'live' ? bundleKey(id) : `${id.os}/${id.channel}_back/arch_${id.arch}`;

export interface TreePath {
  readonly id: BundleId;
  readonly role: PairRole;
  readonly file: typeof BUNDLE_FILE | typeof MANIFEST_FILE;
}

const TREE_PATH = new RegExp(
  `^(${SEGMENT_PATTERN.os})/(${SEGMENT_PATTERN.channel})(_back)?/arch_(${SEGMENT_PATTERN.arch})/(${BUNDLE_FILE.replace('.', '\\.')}|${MANIFEST_FILE.replace('.', '\\.')})$`,
);

/** Which pair file a relative path names; undefined for anything else (so "../x" or "/etc/x" can never be one). */
export function parseTreePath(path: string): TreePath | undefined {
  const m = TREE_PATH.exec(path);
  if (!m) return undefined;
  return {
    id: { os: m[1] as Os, channel: m[2] as Channel, arch: m[4] as Arch },
    role: m[3] ? 'backup' : 'live',
    file: m[5] as TreePath['file'],
  };
}
