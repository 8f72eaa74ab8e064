// Colour on a terminal, as https://no-color.org and FORCE_COLOR have it: NO_COLOR (any value) turns it off,
// FORCE_COLOR turns it on (0 or false: off), and otherwise it follows whether the stream is a terminal.
const CODES = { red: 31, yellow: 33, green: 32, dim: 2 } as const;
type Colour = keyof typeof CODES;

export function colourEnabled(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): boolean {
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  return Boolean(stream.isTTY);
}

export const paint = (text: string, colour: Colour): string => `\x1b[${CODES[colour]}m${text}\x1b[0m`;

/**
 * States people must not miss, coloured where they stand in a table already laid out (widths are unchanged), when
 * the stream it goes to takes colour.
 */
export function colourStates(text: string, env: NodeJS.ProcessEnv, stream: { isTTY?: boolean }): string {
  if (!colourEnabled(env, stream)) return text;
  return text
    .replace(/\b(FAILED|PROBLEM)\b/g, (m) => paint(m, 'red'))
    .replace(/\b(DOWNGRADED|staged DOWNGRADE|held back)\b/g, (m) => paint(m, 'yellow'));
}
