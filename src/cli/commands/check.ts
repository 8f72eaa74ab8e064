// Registers `check`; the implementation is loaded only when the command runs.
import type { Command } from 'commander';
import type { CommandIo, GlobalOptions } from '../io.js';

export function registerCheck(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('check')
    .description('check a new server: settings, write access, proxy and CA, and one request to the upstream')
    .action(async (_o: GlobalOptions, cmd: Command) => {
      const { check } = await import('../actions/check.js');
      await run((io) => check(cmd.optsWithGlobals<GlobalOptions>(), io));
    });
}
