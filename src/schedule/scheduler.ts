// A long-running scheduler: runs the download on a cron schedule, never overlapping itself (nor another process's
// run, through the folder lock), survives failed runs, and on SIGTERM/SIGINT stops the current run cleanly.
import cron from 'node-cron';
import { isMirrorError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';
import type { RunReport } from '../report/outcome.js';
import { runDownload } from '../download/run-download.js';

export interface SchedulerOptions {
  readonly cron: string;
  readonly timezone: string | undefined;
  readonly runNow: boolean;
  /** Settings are read again before every run, so edits apply without a restart. */
  readonly loadSettings: () => Promise<Settings>;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** One line per run for stdout (journald, launchd logs). */
  readonly onRunEnd: (line: string) => void;
}

function describe(report: RunReport): string {
  const n = (s: string): number => report.bundles.filter((b) => b.status === s).length;
  const downgraded = n('downgraded') > 0 ? `${n('downgraded')} DOWNGRADED, ` : '';
  return `${n('downloaded')} downloaded, ${downgraded}${n('up-to-date') + n('held-back')} up to date, ${n('failed')} failed`;
}

export async function runScheduler(o: SchedulerOptions): Promise<void> {
  let current: Promise<void> | undefined;

  const runOnce = async (reason: string): Promise<void> => {
    if (o.signal.aborted) return;
    const startedAt = new Date().toISOString();
    try {
      const settings = await o.loadSettings();
      const report = await runDownload(settings, { logger: o.logger, signal: o.signal, command: `schedule (${reason})` });
      const failed = report.bundles.some((b) => b.status === 'failed');
      o.onRunEnd(`${startedAt} run finished: ${describe(report)}${report.interrupted ? ' (interrupted)' : ''}`);
      if (failed) o.logger.warn({ event: 'scheduled-run-failed' }, 'a scheduled run had failed bundles; the schedule goes on');
    } catch (e) {
      // A bad settings edit or a held lock must not stop the schedule: log it and wait for the next tick.
      const code = isMirrorError(e) ? e.code : 'UNEXPECTED';
      o.logger.error(
        { event: 'scheduled-run-error', code, err: (e as Error).message },
        `scheduled run did not run: ${(e as Error).message}`,
      );
      o.onRunEnd(`${startedAt} run skipped: ${(e as Error).message}`);
    }
  };

  const task = cron.schedule(
    o.cron,
    () => {
      current = runOnce('scheduled');
      return current;
    },
    { timezone: o.timezone, noOverlap: true, name: 'mdatp-mirror download' },
  );
  task.on('execution:overlap', () => o.logger.warn({ event: 'tick-skipped' }, 'schedule tick skipped: the previous run is still going'));
  o.logger.info(
    { event: 'schedule-start', cron: o.cron, timezone: o.timezone ?? null, nextRun: task.getNextRun()?.toISOString() },
    `scheduled: "${o.cron}"`,
  );

  if (o.runNow) {
    current = runOnce('run-now');
  }

  await new Promise<void>((resolve) => {
    if (o.signal.aborted) resolve();
    else o.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await task.stop();
  await task.destroy();
  // The signal also aborted the run in progress; wait for it to clean up (temp files, lock).
  await current;
  o.logger.info({ event: 'schedule-stop' }, 'schedule stopped');
}
