// A crontab line (cron mails any output; --quiet prints only when a run failed).
import { join } from 'node:path';
import { everyToCron } from './calendar.js';
import { downloadArgs, type SchedulerIntegration } from './types.js';

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export const cronIntegration: SchedulerIntegration = {
  describe: 'crontab line',
  files: (plan) => [
    {
      name: 'mdatp-mirror.crontab',
      content: `# mdatp-mirror: mirror Defender security intelligence (installed by: mdatp-mirror schedule install --with cron)\n${plan.cron ?? everyToCron(plan.everyMs!)} ${[plan.node, ...downloadArgs(plan)].map(quote).join(' ')}\n`,
    },
  ],
  activate: (dir, files) => `( crontab -l 2>/dev/null | grep -v 'mdatp-mirror'; cat ${quote(join(dir, files[0]!.name))} ) | crontab -`,
};
