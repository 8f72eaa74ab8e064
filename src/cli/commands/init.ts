// Registers `init`; the implementation is loaded only when the command runs.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { InitOptions } from '../actions/init.js';

export function registerInit(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('init')
    .description('write a first settings.json and create the download folder; never overwrites')
    .option('--dir <dir>', 'where to write settings.json', '.')
    .option('--download-folder <dir>', 'downloadFolder (default: /var/lib/mdatp-mirror/wdav-update as root, else under your home)')
    .option('--log-file <file>', 'logFilePath (default: /var/log/mdatp-mirror/mdatp_offline_updates.log as root, else under your home)')
    .option('--user <name>', 'the account that will run the mirror: owns the folders (root only)')
    .action(async (_o: InitOptions, cmd: Command) => {
      const { init } = await import('../actions/init.js');
      await run((io) => init(cmd.optsWithGlobals<InitOptions>(), io));
    });
}
