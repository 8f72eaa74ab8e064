// A Task Scheduler definition (XML, UTF-16 as schtasks /XML expects) for Windows mirror servers.
import { join } from 'node:path';
import { cronToDailyTimes, isoDuration } from './calendar.js';
import { downloadArgs, type SchedulerIntegration } from './types.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const winArg = (s: string): string => (/[\s"]/.test(s) ? `"${s.replace(/"/g, '\\"')}"` : s);
const START = '2026-01-01T';

export const windowsTaskIntegration: SchedulerIntegration = {
  describe: 'Task Scheduler XML',
  files: (plan) => {
    const triggers = plan.cron
      ? cronToDailyTimes(plan.cron)
          .map(
            (t) =>
              `    <CalendarTrigger>\n      <StartBoundary>${START}${t}</StartBoundary>\n      <Enabled>true</Enabled>\n      <ScheduleByDay>\n        <DaysInterval>1</DaysInterval>\n      </ScheduleByDay>\n    </CalendarTrigger>`,
          )
          .join('\n')
      : `    <TimeTrigger>\n      <Repetition>\n        <Interval>${isoDuration(plan.everyMs!)}</Interval>\n        <StopAtDurationEnd>false</StopAtDurationEnd>\n      </Repetition>\n      <StartBoundary>${START}00:00:00</StartBoundary>\n      <Enabled>true</Enabled>\n    </TimeTrigger>`;
    const xml = `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>mdatp-mirror: mirror Defender for Endpoint security intelligence</Description>
    <URI>\\mdatp-mirror</URI>
  </RegistrationInfo>
  <Triggers>
${triggers}
  </Triggers>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>true</RunOnlyIfNetworkAvailable>
    <ExecutionTimeLimit>PT4H</ExecutionTimeLimit>
    <Enabled>true</Enabled>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${esc(plan.node)}</Command>
      <Arguments>${esc(downloadArgs(plan).map(winArg).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`;
    return [
      {
        name: 'mdatp-mirror-task.xml',
        content: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml.replace(/\n/g, '\r\n'), 'utf16le')]),
      },
    ];
  },
  activate: (dir, files) => `schtasks /Create /TN mdatp-mirror /XML "${join(dir, files[0]!.name)}"`,
};
