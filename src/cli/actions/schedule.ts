// `mdatp-mirror schedule --cron EXPR`: run the download on a schedule until stopped.
import { loggerFor } from '../logging.js';
import { runScheduler } from '../../schedule/scheduler.js';
import { checkCronExpression, checkTimezone } from '../../schedule/cron-expression.js';
import { loadSettings } from '../../settings/load.js';
import { usageError } from '../../errors/catalogue.js';
import { colourEnabled } from '../../util/colour.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { watchSignals } from '../signals.js';

export interface ScheduleOptions extends GlobalOptions {
  readonly cron?: string;
  readonly timezone?: string;
  readonly runNow?: boolean;
}

export async function schedule(o: ScheduleOptions, io: CommandIo): Promise<number> {
  if (!o.cron) throw usageError('schedule needs --cron EXPR, for example --cron "0 */4 * * *" (or use schedule install).');
  checkCronExpression(o.cron);
  checkTimezone(o.timezone);
  const settings = await loadSettings({ settingsFile: o.settings }, io);
  const interactive = Boolean(io.stderr.isTTY) && !o.quiet;
  const { logger, close } = await loggerFor(settings, {
    console: interactive
      ? { write: (text) => io.stderr.write(text), verbose: Boolean(o.verbose), colour: colourEnabled(io.env, io.stderr) }
      : undefined,
  });
  const interruption = watchSignals((name) =>
    logger.warn({ event: 'interrupted', signal: name }, `received ${name}: stopping the schedule`),
  );
  try {
    await runScheduler({
      cron: o.cron,
      timezone: o.timezone,
      runNow: Boolean(o.runNow),
      loadSettings: () => loadSettings({ settingsFile: settings.settingsFile }, io),
      logger,
      signal: interruption.signal,
      onRunEnd: (line) => io.stdout.write(`${line}\n`),
    });
    // Stopped by its service manager: a clean stop is a success.
    return 0;
  } finally {
    interruption.dispose();
    close();
  }
}
