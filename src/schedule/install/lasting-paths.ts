// A generated job or service runs the node and CLI paths it was given for months. Inside npx's cache they work today
// and vanish when npm prunes or clears that cache; the job then fails at its next start, with nobody watching.
import { usageError } from '../../errors/catalogue.js';
import type { Launcher } from './launcher.js';

/** Whether a path lies in npx's cache (a `_npx` folder of npm's cache, on any OS). */
export function inNpxCache(path: string): boolean {
  return path.split(/[\\/]/).includes('_npx');
}

/** Refuses to write a job that would run a node or a CLI from npx's cache (exit 2, nothing written). */
export function checkLastingPaths(launcher: Launcher): void {
  const paths = { node: launcher.program, cli: launcher.script ?? launcher.program };
  if (inNpxCache(paths.node)) {
    throw usageError(
      `this Node.js (${paths.node}) lies in npx's cache, which npm may clear at any time, and the generated job would then fail: install Node.js to a lasting place and run this command with it, for example npm install --prefix /opt/node24 node@24, then /opt/node24/node_modules/node/bin/node ${paths.cli} with the same arguments.`,
    );
  }
  if (inNpxCache(paths.cli)) {
    throw usageError(
      `mdatp-mirror (${paths.cli}) runs from npx's cache, which npm may clear at any time, and the generated job would then fail: install it to a lasting place (npm install --global, or a checkout with npm ci && npm run build) and run this command from there.`,
    );
  }
}
