// Registers `completion bash|zsh|fish`: prints a completion script generated from this program's own definitions.
import { Argument, type Command } from 'commander';
import type { CommandIo } from '../io.js';

export function registerCompletion(program: Command, run: (fn: (io: CommandIo) => Promise<number>) => Promise<void>): void {
  program
    .command('completion')
    .description('print shell completion for bash, zsh or fish (see docs/commands.md, "Shell completion")')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const [{ commandTree }, scripts] = await Promise.all([
        import('../../completion/command-tree.js'),
        import('../../completion/scripts.js'),
      ]);
      const { commands, global } = commandTree(program);
      const write = { bash: scripts.bashScript, zsh: scripts.zshScript, fish: scripts.fishScript }[shell];
      await run((io) => {
        io.stdout.write(write(commands, global));
        return Promise.resolve(0);
      });
    });
}
