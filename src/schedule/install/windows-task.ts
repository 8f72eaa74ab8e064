// A Task Scheduler definition (XML, UTF-16 as schtasks /XML expects) for Windows mirror servers, built with
// fast-xml-parser's builder so every value is escaped by the library, not by hand.
import { join } from 'node:path';
import { XMLBuilder } from 'fast-xml-parser';
import { cronToDailyTimes, isoDuration } from './calendar.js';
import { downloadCommand, type SchedulerIntegration } from './types.js';

/** Quotes an argument the way Windows' command-line parser (CommandLineToArgvW) reads it back. */
/** A Task Scheduler Exec action: the program, then its arguments quoted as Windows parses them. */
export const execAction = ([command, ...args]: readonly string[]): { Command: string; Arguments: string } => ({
  Command: command!,
  Arguments: args.map(winArg).join(' '),
});

const winArg = (s: string): string => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '\\"')}"` : s);
const START = '2026-01-01T';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@', format: true, indentBy: '  ' });

/** A task definition as schtasks /XML reads it: UTF-16 with a byte-order mark, CRLF line ends. */
export function taskXml(task: Record<string, unknown>): Buffer {
  const xml = builder.build({ '?xml': { '@version': '1.0', '@encoding': 'UTF-16' }, ...task });
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace(/\r?\n/g, '\r\n'), 'utf16le')]);
}

export const windowsTaskIntegration: SchedulerIntegration = {
  describe: 'Task Scheduler XML',
  files: (plan) => {
    const triggers = plan.cron
      ? {
          CalendarTrigger: cronToDailyTimes(plan.cron).map((t) => ({
            StartBoundary: `${START}${t}`,
            Enabled: true,
            ScheduleByDay: { DaysInterval: 1 },
          })),
        }
      : {
          TimeTrigger: {
            Repetition: { Interval: isoDuration(plan.everyMs!), StopAtDurationEnd: false },
            StartBoundary: `${START}00:00:00`,
            Enabled: true,
          },
        };
    const task = {
      Task: {
        '@version': '1.2',
        '@xmlns': 'http://schemas.microsoft.com/windows/2004/02/mit/task',
        RegistrationInfo: { Description: 'mdatp-mirror: mirror Defender for Endpoint security intelligence', URI: '\\mdatp-mirror' },
        Triggers: triggers,
        Settings: {
          MultipleInstancesPolicy: 'IgnoreNew',
          StartWhenAvailable: true,
          RunOnlyIfNetworkAvailable: true,
          ExecutionTimeLimit: 'PT4H',
          Enabled: true,
        },
        Actions: {
          '@Context': 'Author',
          Exec: execAction(downloadCommand(plan)),
        },
      },
    };
    return [{ name: 'mdatp-mirror-task.xml', content: taskXml(task) }];
  },
  activate: (dir, files) => `schtasks /Create /TN mdatp-mirror /XML "${join(dir, files[0]!.name)}"`,
};
