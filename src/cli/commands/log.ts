// Registers `log`; the implementation (and pino-pretty) load only when the command runs.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { LogOptions } from '../actions/log.js';

export function registerLog(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('log')
    .description('show the run log (logFilePath and its rotated files) readably; --json for the raw lines')
    .option('--since <duration>', 'only lines from this long ago, e.g. 2h or 1d')
    .option('-f, --follow', 'keep printing lines as they are written, until Ctrl-C')
    .action(async (_o: LogOptions, cmd: Command) => {
      const { log } = await import('../actions/log.js');
      await run((io) => log(cmd.optsWithGlobals<LogOptions>(), io));
    });
}
