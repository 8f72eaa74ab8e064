// The command definitions as completion scripts need them, read from the same commander program the CLI parses with,
// so a new command or option is completed without anyone editing the scripts.
import type { Command, Option } from 'commander';

export interface OptionSpec {
  readonly flags: readonly string[];
  readonly description: string;
  readonly takesValue: boolean;
  readonly choices: readonly string[] | undefined;
}

export interface CommandSpec {
  readonly name: string;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  readonly subcommands: readonly CommandSpec[];
}

function optionSpec(o: Option): OptionSpec {
  return {
    flags: [o.short, o.long].filter((f): f is string => typeof f === 'string'),
    description: o.description,
    takesValue: o.required || o.optional,
    choices: o.argChoices,
  };
}

function commandSpec(c: Command): CommandSpec {
  return {
    name: c.name(),
    description: c.description(),
    options: c.options.filter((o) => !o.hidden).map(optionSpec),
    subcommands: c.commands.map(commandSpec),
  };
}

/** The program's commands (help excluded), and its global options with --help and --version. */
export function commandTree(program: Command): { commands: CommandSpec[]; global: OptionSpec[] } {
  const always: OptionSpec[] = [
    { flags: ['-h', '--help'], description: 'display help', takesValue: false, choices: undefined },
    { flags: ['-V', '--version'], description: 'print the version', takesValue: false, choices: undefined },
  ];
  return { commands: program.commands.map(commandSpec), global: [...program.options.map(optionSpec), ...always] };
}
