// Every command that changes a served tree (download, import, promote, rollback) runs inside one session, so the
// rules that hold after every change are written once, here:
//   before:  the lock, with the command's wait policy (a stale one taken over, and said so); temp files of dead runs
//            cleared;
//   during:  one writer per tree (when rollout is immediate the download's target is the live writer itself, so the
//            signing key is loaded once);
//   commit:  the signed index refreshed, then the publish targets replicated, then the run recorded in state.json
//            and, when metricsFile is set, the metrics file rewritten.
// A change that fails after a pair moved still gets its index refreshed on the way out, so index.json lags the tree
// only across a crash (and status says so). The crash-ordering rules of each single change stay in tree-writer.ts.
import type { Logger } from '../log/logger.js';
import { acquireRunLock, describeHolder, type RunLock } from '../lock/run-lock.js';
import type { RunReport } from '../report/outcome.js';
import { publishAfterChange, type ReplicaOutcome } from '../replicate/publish-replicas.js';
import type { Settings } from '../settings/load.js';
import { loadSigningKey } from '../signing/keys.js';
import { downloadTree, StoreLayout } from '../store/layout.js';
import { recordRun, type RunSummary } from '../report/run-state.js';
import { writeMetricsFile } from '../status/metrics-file.js';
import { makeDirectories } from '../util/make-directories.js';
import { TreeWriter } from './tree-writer.js';

export interface TreeLockOptions {
  readonly settings: Settings;
  /** Names the lock's holder for a run that finds it taken ("download", "schedule (cron)"). */
  readonly command: string;
  /** How long to wait for another run's lock; 0 fails at once. */
  readonly waitMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger: Logger;
}

export interface SessionOptions extends TreeLockOptions {
  readonly now: () => Date;
}

interface Committed {
  readonly index: 'written' | 'unchanged' | 'off';
  readonly replicas: readonly ReplicaOutcome[] | undefined;
}

export interface TreeSession {
  readonly live: TreeWriter;
  /** Where new bundles go: the live writer itself when rollout is immediate, else the staging tree's. */
  readonly incoming: TreeWriter;
  /** Refreshes the signed index, then replicates to the publish targets (when asked and not interrupted). */
  readonly commit: (o: { readonly replicate: boolean }) => Promise<Committed>;
  /** The run goes into state.json (and a download or import becomes the last run status shows); after commit, if the live tree changed. */
  readonly record: (run: RunSummary, lastRun?: RunReport) => Promise<void>;
}

/** The lock every run that changes or reads-to-upload the tree takes (publish takes it without a session). */
export async function lockTree(o: TreeLockOptions): Promise<RunLock> {
  await makeDirectories(o.settings.downloadFolder);
  const lock = await acquireRunLock({
    path: StoreLayout.live(o.settings.downloadFolder).lockFile,
    command: o.command,
    staleAfterMs: o.settings.lockStaleAfter,
    waitMs: o.waitMs,
    signal: o.signal,
  });
  if (lock.tookOverFrom)
    o.logger.warn(
      { previous: lock.tookOverFrom },
      `took over a stale lock (${describeHolder(lock.tookOverFrom)}): ${lock.tookOverFrom.reason}`,
    );
  return lock;
}

/** Loads signingKey (when set) before anything changes, so a bad key stops the command at its start. */
async function openWriters(settings: Settings, now: () => Date): Promise<{ live: TreeWriter; incoming: TreeWriter }> {
  const index = settings.signingKey ? { key: await loadSigningKey(settings.signingKey), mirrorName: settings.mirrorName } : undefined;
  const live = new TreeWriter(StoreLayout.live(settings.downloadFolder), {
    backup: settings.backupPreviousUpdates,
    keepVersions: settings.keepVersions,
    now,
    index,
  });
  if (downloadTree(settings.rollout.mode) === 'live') return { live, incoming: live };
  // Staging holds the newest candidate only: its previous version is what live already has.
  return { live, incoming: new TreeWriter(StoreLayout.staging(settings.downloadFolder), { backup: false, keepVersions: 1, now }) };
}

export async function withTreeSession<T>(o: SessionOptions, work: (session: TreeSession) => Promise<T>): Promise<T> {
  const { live, incoming } = await openWriters(o.settings, o.now);
  const writers = [...new Set([live, incoming])];
  const lock = await lockTree(o);
  let committed = false;
  const session: TreeSession = {
    live,
    incoming,
    commit: async ({ replicate }) => {
      const index = await live.refreshIndex();
      if (index === 'written') o.logger.info({ event: 'index-signed' }, 'index.json rewritten and signed');
      committed = true;
      const replicas = replicate ? await publishAfterChange(o.settings, { logger: o.logger, now: o.now, signal: o.signal }) : undefined;
      return { index, replicas };
    },
    record: async (run, lastRun) => {
      if (live.changed && !committed) throw new Error(`${o.command}: a run was recorded before its change was committed`);
      await recordRun(live.layout, run, lastRun);
      await writeMetricsFile(o.settings, { now: o.now(), logger: o.logger });
    },
  };
  try {
    for (const writer of writers) {
      const leftovers = await writer.removeTemp('gone');
      if (leftovers.length > 0) o.logger.warn({ files: leftovers }, `removed ${leftovers.length} temp file(s) left by an interrupted run`);
    }
    await incoming.prepare();
    return await work(session);
  } finally {
    if (!committed && live.changed)
      await live.refreshIndex().catch((e: unknown) => o.logger.error({ err: (e as Error).message }, 'index.json could not be refreshed'));
    for (const writer of writers) await writer.removeTemp('mine');
    await lock.release();
  }
}
