// A launchd property list (macOS), as a LaunchDaemon or LaunchAgent.
import { join } from 'node:path';
import { cronToLaunchdIntervals } from './calendar.js';
import { downloadArgs, type SchedulerIntegration } from './types.js';

export const LAUNCHD_LABEL = 'com.mdatp-mirror.download';
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function dict(entries: Record<string, number>, indent: string): string {
  return `${indent}<dict>\n${Object.entries(entries)
    .map(([k, v]) => `${indent}  <key>${k}</key>\n${indent}  <integer>${v}</integer>`)
    .join('\n')}\n${indent}</dict>`;
}

export const launchdIntegration: SchedulerIntegration = {
  describe: 'launchd property list',
  files: (plan) => {
    const when = plan.cron
      ? `  <key>StartCalendarInterval</key>\n  <array>\n${cronToLaunchdIntervals(plan.cron).map((d) => dict(d, '    ')).join('\n')}\n  </array>`
      : `  <key>StartInterval</key>\n  <integer>${Math.round(plan.everyMs! / 1000)}</integer>`;
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${[plan.node, ...downloadArgs(plan)].map((a) => `    <string>${esc(a)}</string>`).join('\n')}
  </array>
${when}
  <key>RunAtLoad</key>
  <false/>
  <key>ProcessType</key>
  <string>Background</string>
  <key>StandardErrorPath</key>
  <string>/tmp/mdatp-mirror.launchd.log</string>
</dict>
</plist>
`;
    return [{ name: `${LAUNCHD_LABEL}.plist`, content }];
  },
  activate: (dir, files) =>
    `sudo cp ${join(dir, files[0]!.name)} /Library/LaunchDaemons/ && sudo launchctl bootstrap system /Library/LaunchDaemons/${files[0]!.name}`,
};
