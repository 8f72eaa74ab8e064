// Registers `demo`; the emulator and the download pipeline are loaded only when the command runs.
import type { Command } from 'commander';
import type { CommandIo } from '../io.js';
import type { DemoOptions } from '../actions/demo.js';

export function registerDemo(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('demo')
    .description('offline demonstration: simulated upstream -> a full mirror in ./demo-mirror, twice')
    .option('--dir <folder>', 'where to build the demo mirror', './demo-mirror')
    .option('--bundle-size <size>', 'size of each simulated bundle', '4MB')
    .action(async (_o: DemoOptions, cmd: Command) => {
      const { demo } = await import('../actions/demo.js');
      await run((io) => demo(cmd.optsWithGlobals<DemoOptions>(), io));
    });
}
