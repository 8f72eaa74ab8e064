// `rollback`: take a bad release out of service by swapping live and backup (or restoring a retained version), and
// hold that release back so the next download does not reinstall it; `--undo` reverses it.
import { planFor } from '../settings/plan.js';
import type { Logger } from '../log/logger.js';
import { acquireRunLock } from '../lock/run-lock.js';
import { bundleKey, matchesFilter, type BundleId } from '../plan/bundles.js';
import type { Settings } from '../settings/load.js';
import { readHolds, updateHolds } from '../store/holds.js';
import { findInHistory } from '../store/history.js';
import { bundlePath, manifestPath, StoreLayout } from '../store/layout.js';
import { bundleProvablyMatchesManifest, manifestVersions, readManifest, type Manifest } from '../store/manifest.js';
import type { Versions } from '../sync/outcome.js';
import { installPair, type StoredPair } from './swap.js';

export interface RollbackRequest {
  readonly filter: Partial<BundleId>;
  readonly undo: boolean;
  /** Restore this signatures version (or engine-signatures) from the backup or the retained history. */
  readonly to: string | undefined;
}

export interface RollbackOutcome {
  readonly os: BundleId['os'];
  readonly channel: BundleId['channel'];
  readonly arch: BundleId['arch'];
  readonly status: 'rolled-back' | 'undone' | 'not-possible';
  readonly from: Versions | undefined;
  readonly to: Versions | undefined;
  readonly reason: string | undefined;
}

const versions = (m: Manifest | undefined): Versions | undefined => (m ? manifestVersions(m) : undefined);

async function consistentPair(dir: string): Promise<StoredPair | undefined> {
  const m = await readManifest(manifestPath(dir));
  if (m.kind !== 'ok' || !(await bundleProvablyMatchesManifest(bundlePath(dir), m.manifest))) return undefined;
  return { dir, manifest: m.manifest };
}

export async function runRollback(settings: Settings, req: RollbackRequest, logger: Logger): Promise<RollbackOutcome[]> {
  const layout = new StoreLayout(settings.downloadFolder);
  const lock = await acquireRunLock({ path: layout.lockFile, command: 'rollback', staleAfterMs: settings.lockStaleAfter, waitMs: 0 });
  try {
    const holds = await readHolds(layout);
    const plan = planFor(settings).filter((id) => matchesFilter(id, req.filter));
    const outcomes: RollbackOutcome[] = [];
    const held: Record<string, Versions | null> = {};
    for (const id of plan) {
      const key = bundleKey(id);
      const notPossible = (reason: string, live?: Manifest): RollbackOutcome => ({
        ...id,
        status: 'not-possible',
        from: versions(live),
        to: undefined,
        reason,
      });
      const live = await consistentPair(layout.bundleDir(id));
      if (!live) {
        outcomes.push(notPossible('the live bundle is missing or does not match its manifest; run download first'));
        continue;
      }
      if (req.undo && !holds[key]) {
        outcomes.push(notPossible('no rollback to undo', live.manifest));
        continue;
      }
      let target: StoredPair | undefined;
      if (req.to !== undefined && !req.undo) {
        const back = await consistentPair(layout.backupDir(id));
        const matches = (m: Manifest): boolean => m.DefinitionVersion === req.to || `${m.EngineVersion}-${m.DefinitionVersion}` === req.to;
        target = back && matches(back.manifest) ? back : await findInHistory(layout, id, req.to);
        if (!target) {
          outcomes.push(
            notPossible(`version ${req.to} is neither in the backup nor in the retained history (keepVersions)`, live.manifest),
          );
          continue;
        }
      } else {
        target = await consistentPair(layout.backupDir(id));
        if (!target) {
          outcomes.push(notPossible('no consistent backup to roll back to (is backupPreviousUpdates on?)', live.manifest));
          continue;
        }
      }
      const hold = holds[key];
      if (!req.undo && hold && hold.signatures === target.manifest.DefinitionVersion && hold.engine === target.manifest.EngineVersion) {
        outcomes.push(
          notPossible(`${hold.signatures} is the release held back by the last rollback; use --undo to bring it back`, live.manifest),
        );
        continue;
      }
      await installPair(layout, id, target, live);
      held[key] = req.undo ? null : versions(live.manifest)!;
      outcomes.push({
        ...id,
        status: req.undo ? 'undone' : 'rolled-back',
        from: versions(live.manifest),
        to: versions(target.manifest),
        reason: undefined,
      });
      logger.info(
        { event: req.undo ? 'rollback-undone' : 'rolled-back', bundle: key, from: versions(live.manifest), to: versions(target.manifest) },
        req.undo
          ? `rollback undone: ${target.manifest.DefinitionVersion} is live again`
          : `rolled back to ${target.manifest.DefinitionVersion}; ${live.manifest.DefinitionVersion} is held back`,
      );
    }
    if (Object.keys(held).length > 0) {
      const now = new Date().toISOString();
      await updateHolds(layout, (h) => {
        for (const [key, v] of Object.entries(held)) {
          if (v === null) delete h[key];
          else h[key] = { ...v, heldAt: now };
        }
      });
    }
    return outcomes;
  } finally {
    await lock.release();
  }
}
