// Promotion: a staged bundle, re-verified, goes live through the same publisher as a download (rotating live into
// <channel>_back). The staged pair stays where it is, so test devices keep their bundle.
import { mkdir } from 'node:fs/promises';
import { bundleLabel, type BundleId } from '../plan/bundles.js';
import { FolderPublisher, tempName } from '../publish/folder-publisher.js';
import { linkOrCopy, removeQuietly } from '../store/fs-safe.js';
import { bundlePath, manifestPath, type StoreLayout } from '../store/layout.js';
import { bundleProvablyMatchesManifest, manifestVersions, readManifest, type Manifest } from '../store/manifest.js';
import type { Versions } from '../sync/outcome.js';
import { verifyZip } from '../verify/zip.js';

export type PromotionCheck =
  | { readonly kind: 'ready'; readonly id: BundleId; readonly staged: Manifest; readonly live: Manifest | undefined }
  | { readonly kind: 'already-live'; readonly id: BundleId; readonly staged: Manifest }
  | { readonly kind: 'refused'; readonly id: BundleId; readonly reason: string };

/** Everything that must hold before a staged bundle may go live; reads only. */
export async function checkPromotion(
  live: StoreLayout,
  staging: StoreLayout,
  id: BundleId,
  version: string | undefined,
): Promise<PromotionCheck> {
  const dir = staging.bundleDir(id);
  const staged = await readManifest(manifestPath(dir));
  if (staged.kind === 'missing')
    return { kind: 'refused', id, reason: `nothing is staged for ${bundleLabel(id)} (run download with rollout manual or delayed)` };
  if (staged.kind === 'invalid') return { kind: 'refused', id, reason: `the staged manifest.json is unreadable: ${staged.reason}` };
  if (!(await bundleProvablyMatchesManifest(bundlePath(dir), staged.manifest))) {
    return { kind: 'refused', id, reason: 'the staged updates.zip is missing or does not match its manifest (size or SHA-256)' };
  }
  try {
    await verifyZip(bundlePath(dir), 'the staged updates.zip');
  } catch (e) {
    return { kind: 'refused', id, reason: (e as Error).message };
  }
  if (version !== undefined && staged.manifest.DefinitionVersion !== version) {
    return { kind: 'refused', id, reason: `the staged version is ${staged.manifest.DefinitionVersion}, not ${version}` };
  }
  const current = await readManifest(manifestPath(live.bundleDir(id)));
  const liveManifest = current.kind === 'ok' ? current.manifest : undefined;
  if (
    liveManifest &&
    liveManifest.EngineVersion === staged.manifest.EngineVersion &&
    liveManifest.DefinitionVersion === staged.manifest.DefinitionVersion
  ) {
    return { kind: 'already-live', id, staged: staged.manifest };
  }
  return { kind: 'ready', id, staged: staged.manifest, live: liveManifest };
}

export interface PromoteOptions {
  readonly backup: boolean;
  readonly keepVersions: number;
  readonly now: () => Date;
}

export async function promoteChecked(
  live: StoreLayout,
  staging: StoreLayout,
  check: Extract<PromotionCheck, { kind: 'ready' }>,
  o: PromoteOptions,
): Promise<Versions> {
  const { id, staged } = check;
  const tmp = tempName(live, id, 'promote');
  await mkdir(live.tmpDir, { recursive: true });
  try {
    await linkOrCopy(bundlePath(staging.bundleDir(id)), tmp);
    await new FolderPublisher(live, { backup: o.backup, keepVersions: o.keepVersions, now: o.now }).publish(id, {
      tempPath: tmp,
      size: staged.size!,
      sha256: staged.sha256!,
      versions: { engine: staged.EngineVersion, signatures: staged.DefinitionVersion, platform: staged.PlatformVersion },
      source: staged.source ?? 'staging',
    });
  } finally {
    await removeQuietly(tmp);
  }
  return manifestVersions(staged);
}
