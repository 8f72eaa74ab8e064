// A crontab entry (cron mails any output; --quiet prints only when a run failed), between marker comments so that
// installing again replaces exactly this entry and never touches the user's own lines (a `mdatp-mirror status`
// monitoring job among them).
import { join } from 'node:path';
import { everyToCron, fiveFieldCron } from './calendar.js';
import { downloadCommand, type SchedulerIntegration } from './types.js';

const quote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

const BEGIN = '# BEGIN mdatp-mirror schedule';
const END = '# END mdatp-mirror schedule';
/** What versions before the markers wrote: this comment, then the job's line. */
const UNMARKED = '# mdatp-mirror: mirror Defender security intelligence (installed by';

// Basic regular expressions: these characters are special; parentheses are literal and stay as they are.
const sedAddress = (text: string): string => text.replace(/[.*[\]^$/\\]/g, '\\$&');

export const cronIntegration: SchedulerIntegration = {
  describe: 'crontab entry',
  files: (plan) => {
    const when = plan.cron ? fiveFieldCron(plan.cron) : everyToCron(plan.everyMs!);
    const command = downloadCommand(plan).map(quote).join(' ');
    return [
      {
        name: 'mdatp-mirror.crontab',
        content: `${BEGIN} (written by mdatp-mirror schedule install --with cron; run it again to change this entry)\n${when} ${command}\n${END}\n`,
      },
    ];
  },
  // Removes the previous entry (marked, or as older versions wrote it) and appends the new one; every other line
  // of the user's crontab passes through sed unchanged.
  activate: (dir, files) =>
    `( crontab -l 2>/dev/null | sed -e '/^${sedAddress(BEGIN)}/,/^${sedAddress(END)}$/d' -e '/^${sedAddress(UNMARKED)}/{N;d;}'; cat ${quote(join(dir, files[0]!.name))} ) | crontab -`,
};
