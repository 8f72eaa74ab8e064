// Words commander would misread before it parses: a misspelt subcommand of a command that also runs on its own
// (`schedule instal` read as an extra argument), `help` with an unknown command (commander prints the general help
// and exits 0), and `version` (suggested as `verify`). Each is named, with the closest word, as an exit-2 mistake.
import type { Command } from 'commander';
import { closest, distance } from 'fastest-levenshtein';

const names = (c: Command): string[] => [c.name(), ...c.aliases()];

function find(parent: Command, word: string): Command | undefined {
  return parent.commands.find((c) => names(c).includes(word));
}

/** "(Did you mean install?)" when a known word is close enough to be the intended one. */
function suggestion(word: string, known: readonly string[]): string {
  if (known.length === 0) return '';
  const best = closest(word, known);
  return distance(word, best) <= Math.max(2, Math.floor(best.length / 3)) ? ` (Did you mean ${best}?)` : '';
}

/** The mistake in argv's command words, or undefined when commander can take it from here. */
export function unknownWordMistake(program: Command, argv: readonly string[]): string | undefined {
  // The command word comes first, after any global options (--settings takes a value).
  let at = 0;
  while (at < argv.length && argv[at]!.startsWith('-')) at += argv[at] === '-s' || argv[at] === '--settings' ? 2 : 1;
  const first = argv[at];
  const second = argv[at + 1];
  if (first === undefined) return undefined;
  if (first === 'version') return "unknown command 'version' (Did you mean --version?)";
  if (first === 'help') {
    if (second === undefined || find(program, second)) return undefined;
    return `unknown command '${second}'${suggestion(second, program.commands.flatMap(names))}`;
  }
  const command = find(program, first);
  // Only commands with subcommands and no arguments of their own: elsewhere a second word is an argument.
  if (!command || command.commands.length === 0 || command.registeredArguments.length > 0) return undefined;
  if (second === undefined || second.startsWith('-') || find(command, second)) return undefined;
  return `unknown subcommand '${second}' for '${first}'${suggestion(second, command.commands.flatMap(names))}`;
}
