// Registers `download`; the implementation is loaded only when the command runs (start-up time and memory).
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import { DEFAULT_LOCK_WAIT_SECONDS } from '../../settings/defaults.js';
import type { DownloadOptions } from '../actions/download.js';

export function registerDownload(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('download')
    .description('mirror every selected bundle once: check versions, download what changed, verify, publish')
    .option('--base-url <url>', 'upstream redirector URL (overrides baseUpdateUrl)')
    .option('--wait [seconds]', `wait for another run's lock instead of exiting 3 (default ${DEFAULT_LOCK_WAIT_SECONDS}s)`)
    .action(async (_opts: DownloadOptions, cmd: Command) => {
      const { download } = await import('../actions/download.js');
      await run((io) => download(cmd.optsWithGlobals<DownloadOptions>(), io));
    });
}
