// Registers the operating commands `status` and `rollback`; implementations load on use.
import { Option, type Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { StatusOptions } from '../actions/status.js';
import type { RollbackOptions } from '../actions/rollback.js';
import type { PromoteCliOptions } from '../actions/promote.js';
import { ARCHES, CHANNELS, OSES } from '../../bundle/identity.js';

type Run = (fn: (io: CommandIo) => Promise<number>) => Promise<void>;

export function registerStatus(program: Command, run: Run): void {
  program
    .command('status')
    .description('health of every mirrored bundle; exit 0 when healthy, 1 when missing, broken, stale or behind')
    .option('--check-upstream', 'also ask upstream for its current versions (is the mirror behind?)')
    .option('--max-age <duration>', 'a live bundle older than this is a problem (e.g. 2d)')
    .option('--verify', 're-hash every live bundle and check its zip (slower)')
    .option('--wide', 'every column (SIZE, LAST RUN) and whole details, not cut at 100 columns')
    .option('--base-url <url>', 'upstream redirector URL (overrides baseUpdateUrl)')
    .action(async (_o: StatusOptions, cmd: Command) => {
      const { status } = await import('../actions/status.js');
      await run((io) => status(cmd.optsWithGlobals<StatusOptions>(), io));
    });
}

export function registerRollback(program: Command, run: Run): void {
  program
    .command('rollback')
    .description('swap live and backup for the selected bundles and hold the bad release back (--undo reverses it)')
    .addOption(new Option('--os <os>', 'only this OS').choices(OSES))
    .addOption(new Option('--channel <channel>', 'only this channel').choices(CHANNELS))
    .addOption(new Option('--arch <arch>', 'only this architecture').choices(ARCHES))
    .option('--undo', 'reverse the last rollback: the held-back release goes live again')
    .option('--to <version>', 'restore this signatures version from the backup or the retained history (keepVersions)')
    .action(async (_o: RollbackOptions, cmd: Command) => {
      const { rollback } = await import('../actions/rollback.js');
      await run((io) => rollback(cmd.optsWithGlobals<RollbackOptions>(), io));
    });
}

export function registerPromote(program: Command, run: Run): void {
  program
    .command('promote')
    .description('publish staged bundles to the live tree after re-verifying them (rollout manual or delayed)')
    .addOption(new Option('--os <os>', 'only this OS').choices(OSES))
    .addOption(new Option('--channel <channel>', 'only this channel').choices(CHANNELS))
    .addOption(new Option('--arch <arch>', 'only this architecture').choices(ARCHES))
    .option('--version <signatures>', 'refuse unless the staged bundle is this signatures version')
    .action(async (_o: PromoteCliOptions, cmd: Command) => {
      const { promote } = await import('../actions/promote.js');
      await run((io) => promote(cmd.optsWithGlobals<PromoteCliOptions>(), io));
    });
}
