// Promotion: a staged bundle, re-verified, goes live through the live tree's writer exactly as a download would
// (rotating live into <channel>_back). The staged pair stays where it is, so test devices keep their bundle.
// Delayed rollout promotes what has waited long enough at the end of each download run.
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { manifestVersions, sameVersions, type Versions } from '../bundle/versions.js';
import { checkZip } from '../bundle/zip-check.js';
import type { Logger } from '../log/logger.js';
import type { TreeWriter } from '../tree/tree-writer.js';
import { bundlePath, manifestPath, type StoreLayout } from '../store/layout.js';
import { bundleProvablyMatchesManifest, readManifest, type Manifest } from '../store/manifest.js';
import type { Promotion } from '../report/outcome.js';

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
    await checkZip(bundlePath(dir), 'the staged updates.zip');
  } catch (e) {
    return { kind: 'refused', id, reason: (e as Error).message };
  }
  if (version !== undefined && staged.manifest.DefinitionVersion !== version) {
    return { kind: 'refused', id, reason: `the staged version is ${staged.manifest.DefinitionVersion}, not ${version}` };
  }
  const current = await readManifest(manifestPath(live.bundleDir(id)));
  const liveManifest = current.kind === 'ok' ? current.manifest : undefined;
  if (liveManifest && sameVersions(manifestVersions(liveManifest), manifestVersions(staged.manifest))) {
    return { kind: 'already-live', id, staged: staged.manifest };
  }
  return { kind: 'ready', id, staged: staged.manifest, live: liveManifest };
}

export async function promoteChecked(
  liveWriter: TreeWriter,
  staging: StoreLayout,
  check: Extract<PromotionCheck, { kind: 'ready' }>,
): Promise<Versions> {
  await liveWriter.publishCopyOf(check.id, { dir: staging.bundleDir(check.id), manifest: check.staged });
  return manifestVersions(check.staged);
}

/** Rollout delayed: staged bundles that have waited at least `delayMs` go live (a newer staged release restarts its clock). */
export async function promoteDue(
  liveWriter: TreeWriter,
  staging: StoreLayout,
  plan: readonly BundleId[],
  delayMs: number,
  now: () => Date,
  logger: Logger,
): Promise<Promotion[]> {
  const promoted: Promotion[] = [];
  for (const id of plan) {
    // When it was staged is in its manifest: decide "due" from that before re-reading hundreds of MB to verify it.
    const staged = await readManifest(manifestPath(staging.bundleDir(id)));
    if (staged.kind !== 'ok') continue;
    const stagedForMs = now().getTime() - Date.parse(staged.manifest.downloadedAt ?? '');
    if (!(stagedForMs >= delayMs)) {
      logger.info(
        { bundle: bundleKey(id), staged: staged.manifest.DefinitionVersion, waitMs: delayMs - stagedForMs },
        'staged; not yet due for promotion',
      );
      continue;
    }
    const check = await checkPromotion(liveWriter.layout, staging, id, undefined);
    if (check.kind !== 'ready') {
      if (check.kind === 'refused')
        logger.error({ bundle: bundleKey(id), reason: check.reason }, `staged bundle is due but cannot be promoted: ${check.reason}`);
      continue;
    }
    try {
      const to = await promoteChecked(liveWriter, staging, check);
      const from = check.live ? manifestVersions(check.live) : undefined;
      promoted.push({ ...id, from, to, stagedForMs });
      logger.info(
        { event: 'promoted', bundle: bundleKey(id), from, to, stagedForMs },
        `promoted ${to.signatures} after ${Math.round(stagedForMs / 60_000)} min in staging`,
      );
    } catch (e) {
      logger.error({ bundle: bundleKey(id), err: (e as Error).message }, 'promotion failed; live unchanged');
    }
  }
  return promoted;
}
