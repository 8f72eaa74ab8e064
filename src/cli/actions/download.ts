// `mdatp-mirror download`: mirror every selected bundle once, print the summary, exit 0/1/2/3/130/143.
import { ExitCode } from '../../errors/catalogue.js';
import { lockWaitMs } from '../lock-wait.js';
import { loggerFor } from '../logging.js';
import { formatJson, formatSummary } from '../../report/summary.js';
import { loadSettings } from '../../settings/load.js';
import { runFailed, type RunReport } from '../../report/outcome.js';
import { runDownload } from '../../download/run-download.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { watchSignals } from '../signals.js';
import { ProgressDisplay } from '../progress.js';
import { colourEnabled, colourStates } from '../../util/colour.js';

export interface DownloadOptions extends GlobalOptions {
  readonly baseUrl?: string;
  /** Seconds to wait for another run's lock (true: the default wait). */
  readonly wait?: string | boolean;
}

function exitCodeFor(report: RunReport, signalExit: number | undefined): number {
  if (signalExit !== undefined) return signalExit;
  return runFailed(report) ? ExitCode.bundleFailed : ExitCode.ok;
}

export async function download(opts: DownloadOptions, io: CommandIo): Promise<number> {
  const waitMs = lockWaitMs(opts.wait);
  const settings = await loadSettings({ settingsFile: opts.settings, baseUrl: opts.baseUrl, folderUse: 'write' }, io);
  // Progress and event lines go to stderr: they show when stderr is a terminal, even with stdout piped (| tee).
  const interactive = Boolean(io.stderr.isTTY) && !opts.json && !opts.quiet;
  const progress = interactive ? new ProgressDisplay(io.stderr) : undefined;
  const colour = colourEnabled(io.env, io.stderr);
  const { logger, close } = await loggerFor(settings, {
    console: interactive ? { write: progress!.print, verbose: Boolean(opts.verbose), colour } : undefined,
    level: opts.verbose ? 'debug' : 'info',
  });
  const interruption = watchSignals((name) => logger.warn({ event: 'interrupted', signal: name }, `received ${name}: stopping`));
  try {
    const report = await runDownload(settings, {
      logger,
      signal: interruption.signal,
      lockWaitMs: waitMs,
      command: 'download',
      now: io.now,
      onProgress: progress?.update,
      onTransferEnd: progress?.verifying,
      onBundleDone: progress?.done,
    });
    progress?.clear();
    const code = exitCodeFor(report, interruption.exitCode());
    if (opts.json) io.stdout.write(formatJson(report, code));
    else if (!opts.quiet || code !== ExitCode.ok) {
      const out = code === ExitCode.ok ? io.stdout : io.stderr;
      const summary = formatSummary(report, settings.logFilePath);
      out.write(colourStates(summary, io.env, out));
    }
    return code;
  } catch (e) {
    logger.error({ err: (e as Error).message, code: (e as { code?: string }).code }, 'run aborted');
    throw e;
  } finally {
    progress?.clear();
    interruption.dispose();
    close();
  }
}
