// `serve install`: the mirror's server as a long-running service that the OS starts at boot and restarts when it
// fails: a systemd unit (Restart=on-failure, the same sandbox as the download job), a launchd daemon (KeepAlive),
// or a Task Scheduler task started at boot and restarted on failure (Windows has no service host for a plain
// program; a task is what needs no extra software).
import { join } from 'node:path';
import { build } from 'plist';
import { SERVE_NODE_OPTIONS } from '../../serve/node-options.js';
import { hardening } from './systemd-hardening.js';
import { arg } from './systemd.js';
import type { Integration } from './types.js';
import { execAction, taskXml } from './windows-task.js';
import type { Launcher } from './launcher.js';

interface ServicePlan {
  readonly launcher: Launcher;
  readonly settingsFile: string;
  readonly user: string;
  /** serve's own options, passed through: --port, --host, --tls-cert, --tls-key. */
  readonly serveArgs: readonly string[];
  /** A port below 1024: the systemd unit keeps CAP_NET_BIND_SERVICE, and nothing else. */
  readonly privilegedPort: boolean;
}

type ServiceIntegration = Integration<ServicePlan>;

// Node's options go between node and the script; the single executable takes none on its command line (it sets the
// same V8 flags at run time, util/v8-heap.ts).
const serveCommand = ({ launcher, ...plan }: ServicePlan): string[] => [
  launcher.program,
  ...(launcher.script === undefined ? [] : [...SERVE_NODE_OPTIONS, launcher.script]),
  'serve',
  '--settings',
  plan.settingsFile,
  ...plan.serveArgs,
];
const LAUNCHD_LABEL = 'com.mdatp-mirror.serve';

const systemd: ServiceIntegration = {
  describe: 'systemd service for serve',
  files: (plan) => [
    {
      name: 'mdatp-mirror-serve.service',
      content: [
        '[Unit]',
        'Description=mdatp-mirror: serve the mirror to endpoints',
        'Wants=network-online.target',
        'After=network-online.target',
        '',
        '[Service]',
        'Type=simple',
        `ExecStart=${serveCommand(plan).map(arg).join(' ')}`,
        'Restart=on-failure',
        'RestartSec=5s',
        // SIGTERM lets running transfers finish (serve --grace, 30s by default) before it exits.
        'TimeoutStopSec=45s',
        // Only the tree is read; the access log goes to the journal.
        ...hardening(plan.user, [], plan.privilegedPort),
        '',
        '[Install]',
        'WantedBy=multi-user.target',
        '',
      ].join('\n'),
    },
  ],
  activate: (dir, files) =>
    `sudo cp ${join(dir, files[0]!.name)} /etc/systemd/system/ && sudo systemctl daemon-reload && sudo systemctl enable --now ${files[0]!.name}`,
};

const launchd: ServiceIntegration = {
  describe: 'launchd daemon for serve',
  files: (plan) => [
    {
      name: `${LAUNCHD_LABEL}.plist`,
      content: `${build({
        Label: LAUNCHD_LABEL,
        ProgramArguments: serveCommand(plan),
        UserName: plan.user,
        RunAtLoad: true,
        // Started again when it exits with a failure, not after a clean stop.
        KeepAlive: { SuccessfulExit: false },
        ThrottleInterval: 5,
        StandardOutPath: '/var/log/mdatp-mirror-serve.log',
        StandardErrorPath: '/var/log/mdatp-mirror-serve.log',
      })}\n`,
    },
  ],
  activate: (dir, files) =>
    `sudo cp ${join(dir, files[0]!.name)} /Library/LaunchDaemons/ && sudo launchctl bootstrap system /Library/LaunchDaemons/${files[0]!.name}`,
};

const windowsTask: ServiceIntegration = {
  describe: 'Task Scheduler task for serve',
  files: (plan) => {
    const task = {
      Task: {
        '@version': '1.2',
        '@xmlns': 'http://schemas.microsoft.com/windows/2004/02/mit/task',
        RegistrationInfo: { Description: 'mdatp-mirror: serve the mirror to endpoints', URI: '\\mdatp-mirror-serve' },
        Triggers: { BootTrigger: { Enabled: true } },
        Settings: {
          MultipleInstancesPolicy: 'IgnoreNew',
          DisallowStartIfOnBatteries: false,
          StopIfGoingOnBatteries: false,
          // No time limit: it runs until stopped.
          ExecutionTimeLimit: 'PT0S',
          RestartOnFailure: { Interval: 'PT1M', Count: 999 },
          Enabled: true,
        },
        Actions: { '@Context': 'Author', Exec: execAction(serveCommand(plan)) },
      },
    };
    return [{ name: 'mdatp-mirror-serve-task.xml', content: taskXml(task) }];
  },
  // NetworkService, not SYSTEM: it needs only to read the download folder and listen.
  activate: (dir, files) =>
    `schtasks /Create /TN mdatp-mirror-serve /RU "NT AUTHORITY\\NetworkService" /XML "${join(dir, files[0]!.name)}"`,
};

export const SERVICE_INTEGRATIONS = { systemd, launchd, 'windows-task': windowsTask } satisfies Record<string, ServiceIntegration>;
export type ServiceKind = keyof typeof SERVICE_INTEGRATIONS;
export const SERVICE_KINDS = Object.keys(SERVICE_INTEGRATIONS) as ServiceKind[];
