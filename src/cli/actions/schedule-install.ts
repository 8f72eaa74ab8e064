// `mdatp-mirror schedule install`: write (or print) a ready-to-use cron line, systemd units, launchd plist or Task
// Scheduler XML with absolute paths, and say the one command that activates it.
import { dirname } from 'node:path';
import { usageError } from '../../errors/catalogue.js';
import { checkCronExpression } from '../../schedule/cron-expression.js';
import { INTEGRATIONS, INTEGRATION_KINDS, type IntegrationKind } from '../../schedule/install/index.js';
import { loadSettings } from '../../settings/load.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { runAs } from '../../schedule/install/run-as.js';
import { emitGenerated } from './generated-files.js';
import { checkLastingPaths } from '../../schedule/install/lasting-paths.js';
import { currentLauncher } from '../../schedule/install/launcher.js';

export interface ScheduleInstallOptions extends GlobalOptions {
  readonly with?: string;
  readonly every?: string;
  readonly cron?: string;
  readonly dryRun?: boolean;
  readonly out?: string;
  readonly user?: string;
}

export async function scheduleInstall(o: ScheduleInstallOptions, io: CommandIo): Promise<number> {
  if (!o.with || !(INTEGRATION_KINDS as string[]).includes(o.with)) {
    throw usageError(`--with must be one of ${INTEGRATION_KINDS.join(', ')}${o.with ? `, not "${o.with}"` : ''}.`);
  }
  if (o.every && o.cron) throw usageError('give either --every or --cron, not both.');
  const everyMs = o.cron ? undefined : parseDuration(o.every ?? '4h');
  if (!o.cron && (everyMs === undefined || everyMs < 60_000))
    throw usageError(`--every ${o.every}: write a duration of at least 1m, like 30m, 4h or 1d.`);
  if (o.cron) checkCronExpression(o.cron);
  const launcher = currentLauncher();
  checkLastingPaths(launcher);
  // The job must not fail on its first run: the settings it will use are checked now.
  const settings = await loadSettings({ settingsFile: o.settings }, io);
  const integration = INTEGRATIONS[o.with as IntegrationKind];
  const user = await runAs(o.user, settings.downloadFolder);
  const files = integration.files({
    launcher,
    settingsFile: settings.settingsFile,
    cron: o.cron,
    everyMs,
    user,
    writable: [settings.downloadFolder, dirname(settings.logFilePath)],
  });

  return emitGenerated(integration, files, o, io);
}
