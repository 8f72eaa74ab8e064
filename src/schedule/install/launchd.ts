// A launchd property list (macOS), as a LaunchDaemon or LaunchAgent.
import { join } from 'node:path';
import { build, type PlistValue } from 'plist';
import { cronToLaunchdIntervals } from './calendar.js';
import { downloadCommand, type SchedulerIntegration } from './types.js';

const LAUNCHD_LABEL = 'com.mdatp-mirror.download';

export const launchdIntegration: SchedulerIntegration = {
  describe: 'launchd property list',
  files: (plan) => {
    const when: Record<string, PlistValue> = plan.cron
      ? { StartCalendarInterval: cronToLaunchdIntervals(plan.cron) }
      : { StartInterval: Math.round(plan.everyMs! / 1000) };
    const content = build({
      Label: LAUNCHD_LABEL,
      ProgramArguments: downloadCommand(plan),
      UserName: plan.user,
      ...when,
      RunAtLoad: false,
      ProcessType: 'Background',
      StandardErrorPath: '/tmp/mdatp-mirror.launchd.log',
    });
    return [{ name: `${LAUNCHD_LABEL}.plist`, content: `${content}\n` }];
  },
  activate: (dir, files) =>
    `sudo cp ${join(dir, files[0]!.name)} /Library/LaunchDaemons/ && sudo launchctl bootstrap system /Library/LaunchDaemons/${files[0]!.name}`,
};
