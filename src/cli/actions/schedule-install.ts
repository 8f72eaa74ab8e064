// `mdatp-mirror schedule install`: write (or print) a ready-to-use cron line, systemd units, launchd plist or Task
// Scheduler XML with absolute paths, and say the one command that activates it.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { usageError } from '../../errors/catalogue.js';
import { checkCronExpression } from '../../schedule/cron-expression.js';
import { INTEGRATIONS, INTEGRATION_KINDS, type IntegrationKind } from '../../schedule/install/index.js';
import { loadSettings } from '../../settings/load.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export interface ScheduleInstallOptions extends GlobalOptions {
  readonly with?: string;
  readonly every?: string;
  readonly cron?: string;
  readonly dryRun?: boolean;
  readonly out?: string;
}

export async function scheduleInstall(o: ScheduleInstallOptions, io: CommandIo, cliPath: string): Promise<number> {
  if (!o.with || !(INTEGRATION_KINDS as string[]).includes(o.with)) {
    throw usageError(`--with must be one of ${INTEGRATION_KINDS.join(', ')}${o.with ? `, not "${o.with}"` : ''}.`);
  }
  if (o.every && o.cron) throw usageError('give either --every or --cron, not both.');
  const everyMs = o.cron ? undefined : parseDuration(o.every ?? '4h');
  if (!o.cron && (everyMs === undefined || everyMs < 60_000))
    throw usageError(`--every ${o.every}: write a duration of at least 1m, like 30m, 4h or 1d.`);
  if (o.cron) checkCronExpression(o.cron);
  // The job must not fail on its first run: the settings it will use are checked now.
  const settings = await loadSettings({ settingsFile: o.settings }, io);
  const integration = INTEGRATIONS[o.with as IntegrationKind];
  const files = integration.files({ node: process.execPath, cli: cliPath, settingsFile: settings.settingsFile, cron: o.cron, everyMs });

  if (o.dryRun) {
    for (const f of files) {
      const text = typeof f.content === 'string' ? f.content : f.content.subarray(2).toString('utf16le').replace(/\r\n/g, '\n');
      io.stdout.write(`# ---- ${f.name} ----\n${text}`);
    }
    // Nothing was written, so there is nothing to activate yet: no command that would read a missing file.
    io.stdout.write(`# dry run: nothing written; without --dry-run these files are written and the command that activates them printed\n`);
    return 0;
  }
  const dir = resolve(io.cwd, o.out ?? '.');
  await mkdir(dir, { recursive: true });
  for (const f of files) await writeFile(resolve(dir, f.name), f.content);
  io.stdout.write(
    `wrote ${integration.describe}: ${files.map((f) => resolve(dir, f.name)).join(', ')}\nactivate with:\n  ${integration.activate(dir, files)}\n`,
  );
  return 0;
}
