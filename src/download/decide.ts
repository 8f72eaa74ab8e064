// What to do with a release a source offers, before any bytes move: the one decision a download (from Microsoft's
// service or another mirror) and an import (from an archive) share, so the two cannot drift apart.
import type { BundleId } from '../bundle/identity.js';
import { manifestVersions, sameVersions, type Versions } from '../bundle/versions.js';
import { holdFor, type Holds } from '../store/holds.js';
import { bundlePath, manifestPath, type StoreLayout } from '../store/layout.js';
import { bundleMatchesManifest, readManifest, type Manifest, type ManifestRead } from '../store/manifest.js';

export type Decision =
  /** A rollback holds this release back; what is there stays. */
  | { readonly kind: 'held-back'; readonly hold: Versions }
  /** The target tree (or, when staging, the live tree) already has it, and its bundle has the recorded size. */
  | { readonly kind: 'up-to-date'; readonly manifest: Manifest; readonly where: 'target' | 'live' }
  /** Bring it in; `hold` is set when it supersedes a held-back release (the hold is dropped once it is in). */
  | { readonly kind: 'fetch'; readonly hold: Versions | undefined };

export interface DecisionContext {
  readonly holds: Holds;
  /** The tree the bytes would go into (live, or staging). */
  readonly target: StoreLayout;
  /** When staging: the live tree, where a release already promoted counts as up to date. */
  readonly live: StoreLayout | undefined;
  /** The target's manifest, when the caller has read it already. */
  readonly current?: ManifestRead;
}

/** The manifest at dir when it records these versions and its bundle has the recorded size (the cheap check). */
async function pairHolding(dir: string, read: ManifestRead, versions: Versions): Promise<Manifest | undefined> {
  if (read.kind !== 'ok' || !sameVersions(versions, manifestVersions(read.manifest))) return undefined;
  return (await bundleMatchesManifest(bundlePath(dir), read.manifest)) ? read.manifest : undefined;
}

export async function decideRelease(id: BundleId, offered: Versions, ctx: DecisionContext): Promise<Decision> {
  const hold = holdFor(ctx.holds, id);
  if (hold && sameVersions(offered, hold)) return { kind: 'held-back', hold };
  const targetDir = ctx.target.bundleDir(id);
  const inTarget = await pairHolding(targetDir, ctx.current ?? (await readManifest(manifestPath(targetDir))), offered);
  if (inTarget) return { kind: 'up-to-date', manifest: inTarget, where: 'target' };
  if (ctx.live && ctx.live !== ctx.target) {
    const liveDir = ctx.live.bundleDir(id);
    const inLive = await pairHolding(liveDir, await readManifest(manifestPath(liveDir)), offered);
    if (inLive) return { kind: 'up-to-date', manifest: inLive, where: 'live' };
  }
  return { kind: 'fetch', hold };
}
