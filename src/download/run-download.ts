// A whole download run inside a tree-change session (lock, leftovers, commit, record): sync every planned bundle,
// then promote what is due.
import pLimit from 'p-limit';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import type { Logger } from '../log/logger.js';
import { promoteDue } from '../promote/promote.js';
import type { Settings } from '../settings/load.js';
import { readHolds, updateHolds } from '../store/holds.js';
import { httpClientFor } from './http-for-settings.js';
import { sourceFor } from './source-for.js';
import { displayUrl } from '../upstream/urls.js';
import { summarizeRun, type RunReport } from '../report/outcome.js';
import { withTreeSession } from '../tree/change-session.js';
import { syncBundle, type SyncDeps } from './sync-bundle.js';
import { followUpstream } from './release-policy.js';
import { bundleLimitsFrom } from '../bundle/limits.js';

export interface DownloadDeps {
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
  readonly now?: () => Date;
  readonly lockWaitMs?: number;
  readonly command?: string;
  readonly onProgress?: (id: BundleId, bytes: number, total: number | undefined) => void;
  readonly onTransferEnd?: (id: BundleId) => void;
  /** A bundle's outcome is settled (published, up to date or failed). */
  readonly onBundleDone?: (id: BundleId) => void;
}

export async function runDownload(settings: Settings, deps: DownloadDeps): Promise<RunReport> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const { logger } = deps;

  const http = httpClientFor(settings);
  const session = { settings, command: deps.command ?? 'download', now, waitMs: deps.lockWaitMs ?? 0, signal: deps.signal, logger };
  try {
    const source = await sourceFor(settings, http);
    return await withTreeSession(session, async ({ live, incoming: writer, commit, record }) => {
      const plan = planFor(settings);
      logger.info(
        {
          event: 'run-start',
          downloadFolder: settings.downloadFolder,
          upstream: source.location,
          bundles: plan.map(bundleKey),
          concurrency: settings.concurrency,
          proxy: settings.proxy ? displayUrl(settings.proxy) : undefined,
        },
        `run started: ${plan.length} bundle(s)`,
      );

      const { layout } = live;
      const holds = await readHolds(layout);
      const superseded: BundleId[] = [];
      const syncDeps: SyncDeps = {
        holds,
        onHoldSuperseded: (id: BundleId) => superseded.push(id),
        source,
        writer,
        liveLayout: writer.layout.tree === 'live' ? undefined : layout,
        release: followUpstream,
        policy: { attempts: settings.retries, initialDelayMs: settings.retryInitialDelay, maxDelayMs: settings.retryMaxDelay },
        logger,
        limit: pLimit(settings.concurrency),
        connectionsPerBundle: settings.connectionsPerBundle,
        limits: bundleLimitsFrom(settings),
        signal: deps.signal,
        onProgress: deps.onProgress,
        onTransferEnd: deps.onTransferEnd,
      };
      const bundles = await Promise.all(
        plan.map((id) =>
          syncBundle(syncDeps, id).then((outcome) => {
            deps.onBundleDone?.(id);
            return outcome;
          }),
        ),
      );
      if (superseded.length > 0) {
        await updateHolds(layout, (h) => superseded.forEach((id) => delete h[bundleKey(id)]));
        logger.info({ bundles: superseded.map(bundleKey) }, 'newer releases replaced held-back versions; holds cleared');
      }

      const promoted =
        settings.rollout.mode === 'delayed' && !deps.signal?.aborted
          ? await promoteDue(live, writer.layout, plan, settings.rollout.delay, now, logger)
          : undefined;

      const { replicas } = await commit({ replicate: true });

      const finished = now();
      const report: RunReport = {
        startedAt: started.toISOString(),
        finishedAt: finished.toISOString(),
        durationMs: finished.getTime() - started.getTime(),
        downloadFolder: settings.downloadFolder,
        interrupted: deps.signal?.aborted ?? false,
        bundles,
        ...(promoted ? { promoted } : {}),
        ...(replicas ? { replicas } : {}),
      };
      await record(summarizeRun('download', report), report);
      logger.info(
        {
          event: 'run-end',
          durationMs: report.durationMs,
          interrupted: report.interrupted,
          counts: {
            downloaded: bundles.filter((b) => b.status === 'downloaded').length,
            downgraded: bundles.filter((b) => b.status === 'downgraded').length,
            upToDate: bundles.filter((b) => b.status === 'up-to-date').length,
            failed: bundles.filter((b) => b.status === 'failed').length,
          },
        },
        'run finished',
      );
      return report;
    });
  } finally {
    await http.close().catch(() => undefined);
  }
}
