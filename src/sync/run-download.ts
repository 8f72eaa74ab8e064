// A whole download run: lock the folder, clear a crashed run's leftovers, sync every planned bundle, record the outcome.
import { planFor } from '../settings/plan.js';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from '../log/logger.js';
import { acquireRunLock, describeHolder } from '../lock/run-lock.js';
import { bundleKey, type BundleId } from '../plan/bundles.js';
import { FolderPublisher } from '../publish/folder-publisher.js';
import type { Settings } from '../settings/load.js';
import { removeQuietly } from '../store/fs-safe.js';
import { manifestPath, StoreLayout } from '../store/layout.js';
import { readManifest } from '../store/manifest.js';
import { readHolds, updateHolds } from '../store/holds.js';
import { httpClientFor } from '../upstream/from-settings.js';
import { Upstream } from '../upstream/upstream.js';
import { displayUrl } from '../upstream/urls.js';
import type { Promotion, RunReport } from './outcome.js';
import { checkPromotion, promoteChecked } from '../promote/promote.js';
import { writeRunState } from './run-state.js';
import { syncBundle } from './sync-bundle.js';

export interface DownloadDeps {
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => Date;
  readonly lockWaitMs?: number;
  readonly command?: string;
  readonly onProgress?: (id: BundleId, bytes: number, total: number | undefined) => void;
  readonly onTransferEnd?: (id: BundleId) => void;
}

async function removeLeftovers(layout: StoreLayout, logger: Logger): Promise<void> {
  const names = await readdir(layout.tmpDir).catch(() => [] as string[]);
  for (const name of names) await removeQuietly(join(layout.tmpDir, name));
  if (names.length > 0) logger.warn({ files: names }, `removed ${names.length} temp file(s) left by an interrupted run`);
}

/** Rollout delayed: staged bundles that have waited at least `delayMs` go live (a newer staged release restarts its clock). */
async function promoteDue(
  settings: Settings,
  live: StoreLayout,
  staging: StoreLayout,
  plan: BundleId[],
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
    const check = await checkPromotion(live, staging, id, undefined);
    if (check.kind !== 'ready') {
      if (check.kind === 'refused')
        logger.error({ bundle: bundleKey(id), reason: check.reason }, `staged bundle is due but cannot be promoted: ${check.reason}`);
      continue;
    }
    try {
      const to = await promoteChecked(live, staging, check, {
        backup: settings.backupPreviousUpdates,
        keepVersions: settings.keepVersions,
        now,
      });
      const from = check.live ? { engine: check.live.EngineVersion, signatures: check.live.DefinitionVersion } : undefined;
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

export async function runDownload(settings: Settings, deps: DownloadDeps): Promise<RunReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const layout = new StoreLayout(settings.downloadFolder);
  const { logger } = deps;

  await mkdir(settings.downloadFolder, { recursive: true });
  const lock = await acquireRunLock({
    path: layout.lockFile,
    command: deps.command ?? 'download',
    staleAfterMs: settings.lockStaleAfter,
    waitMs: deps.lockWaitMs ?? 0,
    signal: deps.signal,
  });
  if (lock.tookOverFrom)
    logger.warn(
      { previous: lock.tookOverFrom },
      `took over a stale lock (${describeHolder(lock.tookOverFrom)}): ${lock.tookOverFrom.reason}`,
    );

  const http = httpClientFor(settings);
  try {
    await removeLeftovers(layout, logger);
    await mkdir(layout.tmpDir, { recursive: true });
    const plan = planFor(settings);
    logger.info(
      {
        event: 'run-start',
        downloadFolder: settings.downloadFolder,
        upstream: displayUrl(settings.baseUpdateUrl),
        bundles: plan.map(bundleKey),
        concurrency: settings.concurrency,
        proxy: settings.proxy ? displayUrl(settings.proxy) : undefined,
      },
      `run started: ${plan.length} bundle(s)`,
    );

    const staged = settings.rollout.mode !== 'immediate';
    const target = staged ? new StoreLayout(settings.downloadFolder, 'staging') : layout;
    const holds = await readHolds(layout);
    const superseded: BundleId[] = [];
    const deps2 = {
      holds,
      onHoldSuperseded: (id: BundleId) => superseded.push(id),
      upstream: new Upstream(settings.baseUpdateUrl, http),
      // Staging holds the newest candidate only: its previous version is what live already has.
      publisher: staged
        ? new FolderPublisher(target, { backup: false, keepVersions: 1, now })
        : new FolderPublisher(layout, { backup: settings.backupPreviousUpdates, keepVersions: settings.keepVersions, now }),
      layout: target,
      tree: staged ? ('staging' as const) : ('live' as const),
      liveLayout: staged ? layout : undefined,
      policy: { attempts: settings.retries, initialDelayMs: settings.retryInitialDelay, maxDelayMs: settings.retryMaxDelay },
      logger,
      limit: pLimit(settings.concurrency),
      minFreeBytes: settings.minFreeSpace,
      signal: deps.signal,
      onProgress: deps.onProgress,
      onTransferEnd: deps.onTransferEnd,
    };
    const bundles = await Promise.all(plan.map((id) => syncBundle(deps2, id)));
    if (superseded.length > 0) {
      await updateHolds(layout, (h) => superseded.forEach((id) => delete h[bundleKey(id)]));
      logger.info({ bundles: superseded.map(bundleKey) }, 'newer releases replaced held-back versions; holds cleared');
    }

    const promoted =
      settings.rollout.mode === 'delayed' && !deps.signal?.aborted
        ? await promoteDue(settings, layout, target, plan, settings.rollout.delay, now, logger)
        : undefined;

    const finished = now();
    const report: RunReport = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      downloadFolder: settings.downloadFolder,
      interrupted: deps.signal?.aborted ?? false,
      bundles,
      ...(promoted ? { promoted } : {}),
    };
    await writeRunState(layout, report);
    logger.info(
      {
        event: 'run-end',
        durationMs: report.durationMs,
        interrupted: report.interrupted,
        counts: {
          downloaded: bundles.filter((b) => b.status === 'downloaded').length,
          upToDate: bundles.filter((b) => b.status === 'up-to-date').length,
          failed: bundles.filter((b) => b.status === 'failed').length,
        },
      },
      'run finished',
    );
    return report;
  } finally {
    await http.close().catch(() => undefined);
    await removeQuietly(layout.tmpDir);
    await lock.release();
  }
}
