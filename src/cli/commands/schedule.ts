// Registers `schedule` (a long-running scheduler) and `schedule install` (files for the OS's own scheduler).
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { ScheduleOptions } from '../actions/schedule.js';
import type { ScheduleInstallOptions } from '../actions/schedule-install.js';

type Run = (fn: (io: CommandIo) => Promise<number>) => Promise<void>;

export function registerSchedule(program: Command, run: Run): void {
  const schedule = program
    .command('schedule')
    .description('run the download on a cron schedule until stopped (or: schedule install)')
    .option('--cron <expr>', 'cron expression, 5 fields or 6 with seconds, e.g. "0 */4 * * *"')
    .option('--timezone <zone>', 'IANA time zone for the expression (default: the system zone)')
    .option('--run-now', 'also run once immediately')
    .action(async (_o: ScheduleOptions, cmd: Command) => {
      const { schedule: runSchedule } = await import('../actions/schedule.js');
      await run((io) => runSchedule(cmd.optsWithGlobals<ScheduleOptions>(), io));
    });
  schedule
    .command('install')
    .description('write a crontab line, systemd units, a launchd plist or Task Scheduler XML that run the download')
    .requiredOption('--with <kind>', 'cron | systemd | launchd | windows-task')
    .option('--every <duration>', 'how often, e.g. 4h (default 4h)')
    .option('--cron <expr>', 'when, as a 5-field cron expression')
    .option('--user <name>', 'the account the job runs as, systemd and launchd (default: the owner of downloadFolder)')
    .option('--dry-run', 'print the files instead of writing them')
    .option('--out <dir>', 'where to write the files (default: the current folder)')
    .action(async (_o: ScheduleInstallOptions, cmd: Command) => {
      const { scheduleInstall } = await import('../actions/schedule-install.js');
      await run((io) => scheduleInstall(cmd.optsWithGlobals<ScheduleInstallOptions>(), io));
    });
}
