// A systemd service (one run) plus a timer (when), checked with systemd-analyze verify in the tests.
import { join } from 'node:path';
import { cronToOnCalendar } from './calendar.js';
import { downloadCommand, type SchedulerIntegration } from './types.js';
import { hardening } from './systemd-hardening.js';

export const arg = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\])/g, '\\$1')}"`);
const seconds = (ms: number): string => `${Math.round(ms / 1000)}s`;

export const systemdIntegration: SchedulerIntegration = {
  describe: 'systemd service and timer',
  files: (plan) => [
    {
      name: 'mdatp-mirror.service',
      content: [
        '[Unit]',
        'Description=mdatp-mirror: mirror Defender for Endpoint security intelligence',
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=oneshot',
        `ExecStart=${downloadCommand(plan).map(arg).join(' ')}`,
        // SIGTERM is handled: the run cleans up and exits 143.
        'SuccessExitStatus=143',
        ...hardening(plan.user, plan.writable),
        'Nice=10',
        'IOSchedulingClass=best-effort',
        'IOSchedulingPriority=7',
        '',
      ].join('\n'),
    },
    {
      name: 'mdatp-mirror.timer',
      content: [
        '[Unit]',
        'Description=Run mdatp-mirror on a schedule',
        '',
        '[Timer]',
        ...(plan.cron
          ? [`OnCalendar=${cronToOnCalendar(plan.cron)}`, 'Persistent=true']
          : ['OnBootSec=5min', `OnUnitActiveSec=${seconds(plan.everyMs!)}`]),
        'RandomizedDelaySec=60',
        'Unit=mdatp-mirror.service',
        '',
        '[Install]',
        'WantedBy=timers.target',
        '',
      ].join('\n'),
    },
  ],
  activate: (dir) =>
    `sudo cp ${join(dir, 'mdatp-mirror.service')} ${join(dir, 'mdatp-mirror.timer')} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now mdatp-mirror.timer`,
};
