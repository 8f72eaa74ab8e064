// The end of each command's --help: one example a user can paste, and the docs page that explains the task. Typed by
// command path, so a command added without an example is caught by the test that walks the program.
import type { Command } from 'commander';

interface HelpExample {
  readonly example: string;
  /** The task page in docs/ (relative to the docs folder). */
  readonly page: string;
}

const S = '--settings /etc/mdatp-mirror/settings.json';

export const HELP_EXAMPLES: Readonly<Record<string, HelpExample>> = {
  download: { example: `mdatp-mirror download ${S}`, page: 'commands.md' },
  init: { example: 'sudo mdatp-mirror init --dir /etc/mdatp-mirror --user mirror', page: 'configuring.md' },
  check: { example: `mdatp-mirror check ${S}`, page: 'configuring.md' },
  status: { example: `mdatp-mirror status --max-age 1d --check-upstream ${S}`, page: 'monitoring.md' },
  rollback: { example: `mdatp-mirror rollback --os linux --channel production --arch x86_64 ${S}`, page: 'rollout-and-rollback.md' },
  promote: { example: `mdatp-mirror promote --os linux --arch x86_64 ${S}`, page: 'rollout-and-rollback.md' },
  schedule: { example: `mdatp-mirror schedule --cron "0 */4 * * *" ${S}`, page: 'running-unattended.md' },
  'schedule install': {
    example: `mdatp-mirror schedule install --with systemd --every 4h ${S} --out /tmp/units`,
    page: 'running-unattended.md',
  },
  serve: { example: `mdatp-mirror serve --port 8080 ${S}`, page: 'serving.md' },
  'serve install': { example: `mdatp-mirror serve install --with systemd ${S} --out /tmp/units`, page: 'serving.md' },
  'endpoint-config': {
    example: 'mdatp-mirror endpoint-config --url http://mirror01:8080 --os linux > mdatp_managed.json',
    page: 'serving.md',
  },
  'endpoint-config lint': {
    example: 'mdatp-mirror endpoint-config lint /etc/opt/microsoft/mdatp/managed/mdatp_managed.json',
    page: 'serving.md',
  },
  verify: { example: 'mdatp-mirror verify http://mirror01:8080/linux/production/ --check-upstream', page: 'serving.md' },
  log: { example: `mdatp-mirror log ${S}`, page: 'running-unattended.md' },
  keygen: { example: 'mdatp-mirror keygen --out /etc/mdatp-mirror/keys', page: 'air-gap.md' },
  export: { example: `mdatp-mirror export --out /media/usb/mirror.tar ${S}`, page: 'air-gap.md' },
  import: { example: `mdatp-mirror import /media/usb/mirror.tar ${S}`, page: 'air-gap.md' },
  publish: { example: `mdatp-mirror publish ${S}`, page: 'large-fleets.md' },
  'simulate-upstream': { example: 'mdatp-mirror simulate-upstream --port 8000', page: 'commands.md' },
  demo: { example: 'mdatp-mirror demo --dir /tmp/demo-mirror', page: 'commands.md' },
  completion: { example: 'mdatp-mirror completion bash > /etc/bash_completion.d/mdatp-mirror', page: 'commands.md' },
};

/** Adds the example and the docs pointer to every command below `program` that has one. */
export function addHelpExamples(program: Command, prefix = ''): void {
  for (const cmd of program.commands) {
    const path = `${prefix}${cmd.name()}`;
    const help = HELP_EXAMPLES[path];
    if (help) cmd.addHelpText('after', `\nExample:\n  ${help.example}\n\nDocs: docs/${help.page} (in the source and the npm package)\n`);
    addHelpExamples(cmd, `${path} `);
  }
}
