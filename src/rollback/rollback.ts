// `rollback`: take a bad release out of service by swapping live and backup (or restoring a retained version), and
// hold that release back so the next download does not reinstall it; `--undo` reverses it.
import { bundleKey, matchesFilter, type BundleId } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import { manifestVersions, sameVersions, versionMatches, type Versions } from '../bundle/versions.js';
import type { ReplicaOutcome } from '../replicate/publish-replicas.js';
import type { Logger } from '../log/logger.js';
import type { StoredPair } from '../tree/tree-writer.js';
import { withTreeSession } from '../tree/change-session.js';
import type { Settings } from '../settings/load.js';
import { findInHistory } from '../store/history.js';
import { readHolds, updateHolds, type Holds } from '../store/holds.js';
import { bundlePath, manifestPath } from '../store/layout.js';
import { bundleProvablyMatchesManifest, readManifest, type Manifest } from '../store/manifest.js';

export interface RollbackRequest {
  readonly filter: Partial<BundleId>;
  readonly undo: boolean;
  /** Restore this signatures version (or engine-signatures) from the backup or the retained history. */
  readonly to: string | undefined;
}

interface RollbackOutcome extends BundleId {
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

/** --undo acts on the selected bundles that a rollback holds back; the rest of the selection is not its business. */
function selection(settings: Settings, req: RollbackRequest, holds: Holds): { ids: BundleId[]; nothingToUndo: BundleId[] } {
  const ids = planFor(settings).filter((id) => matchesFilter(id, req.filter));
  if (!req.undo) return { ids, nothingToUndo: [] };
  const held = ids.filter((id) => holds[bundleKey(id)] !== undefined);
  return held.length > 0 ? { ids: held, nothingToUndo: [] } : { ids: [], nothingToUndo: ids };
}

export interface RollbackRun {
  readonly outcomes: RollbackOutcome[];
  /** Object-storage targets published after the change (setting "publish"). */
  readonly replicas: readonly ReplicaOutcome[];
}

export async function runRollback(settings: Settings, req: RollbackRequest, logger: Logger, now: () => Date): Promise<RollbackRun> {
  const started = now();
  return withTreeSession({ settings, command: 'rollback', waitMs: 0, logger, now }, async ({ live: writer, commit, record }) => {
    const { layout } = writer;
    const holds = await readHolds(layout);
    const { ids, nothingToUndo } = selection(settings, req, holds);
    const outcomes: RollbackOutcome[] = nothingToUndo.map((id) => ({
      ...id,
      status: 'not-possible',
      from: undefined,
      to: undefined,
      reason: 'no rollback to undo',
    }));
    const held: Record<string, Versions | null> = {};
    for (const id of ids) {
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
      let target: StoredPair | undefined;
      if (req.to !== undefined && !req.undo) {
        const wanted = req.to;
        const back = await consistentPair(layout.backupDir(id));
        target = back && versionMatches(manifestVersions(back.manifest), wanted) ? back : await findInHistory(layout, id, wanted);
        if (!target) {
          outcomes.push(
            notPossible(`version ${wanted} is neither in the backup nor in the retained history (keepVersions)`, live.manifest),
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
      if (!req.undo && hold && sameVersions(hold, manifestVersions(target.manifest))) {
        outcomes.push(
          notPossible(`${hold.signatures} is the release held back by the last rollback; use --undo to bring it back`, live.manifest),
        );
        continue;
      }
      await writer.swapIntoLive(id, target, live);
      const from = manifestVersions(live.manifest);
      const to = manifestVersions(target.manifest);
      held[key] = req.undo ? null : from;
      outcomes.push({ ...id, status: req.undo ? 'undone' : 'rolled-back', from, to, reason: undefined });
      logger.info(
        { event: req.undo ? 'rollback-undone' : 'rolled-back', bundle: key, from, to },
        req.undo ? `rollback undone: ${to.signatures} is live again` : `rolled back to ${to.signatures}; ${from.signatures} is held back`,
      );
    }
    if (Object.keys(held).length > 0) {
      const heldAt = now().toISOString();
      await updateHolds(layout, (h) => {
        for (const [key, v] of Object.entries(held)) {
          if (v === null) delete h[key];
          else h[key] = { ...v, heldAt };
        }
      });
    }
    const changed = outcomes.some((x) => x.status !== 'not-possible');
    const replicas = (await commit({ replicate: changed })).replicas ?? [];
    await record({
      command: 'rollback',
      startedAt: started.toISOString(),
      finishedAt: now().toISOString(),
      result: changed && outcomes.every((x) => x.status !== 'not-possible') ? 'ok' : 'failed',
      bundles: outcomes.map((x) => ({
        bundle: bundleKey(x),
        status: x.status,
        from: x.from?.signatures ?? null,
        to: x.to?.signatures ?? null,
        offered: null,
        error: null,
      })),
    });
    return { outcomes, replicas };
  });
}
