// Registers `verify`; the implementation loads on use.
import { Option, type Command } from 'commander';
import { ARCHES } from '../../bundle/identity.js';
import type { CommandIo } from '../io.js';
import type { VerifyOptions } from '../actions/verify.js';

export function registerVerify(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('verify <location>')
    .description('check a mirror as an endpoint sees it: the offlineDefinitionUpdateUrl (http(s) URL or directory)')
    .addOption(new Option('--arch <arch...>', 'architectures to check (default: both)').choices(ARCHES))
    .option('--check-upstream', 'also compare with the versions upstream offers now')
    .option('--base-url <url>', 'upstream redirector URL (overrides baseUpdateUrl)')
    .action(async (location: string, _o: VerifyOptions, c: Command) => {
      const { verify } = await import('../actions/verify.js');
      await run((io) => verify(location, c.optsWithGlobals<VerifyOptions>(), io));
    });
}
