// The command a generated job or service starts: the single executable alone, or node with the CLI script (npm install).
import { resolve } from 'node:path';
import { isSingleExecutable } from '../../runtime/single-executable.js';

export interface Launcher {
  /** Absolute path of the program the OS starts: node, or the single executable. */
  readonly program: string;
  /** The CLI script node runs (absolute); none for the single executable, which carries it. */
  readonly script: string | undefined;
}

/** How this very process was started, so the job runs the same tool by absolute paths. */
export function currentLauncher(): Launcher {
  if (isSingleExecutable()) return { program: process.execPath, script: undefined };
  return { program: process.execPath, script: resolve(process.argv[1] ?? 'mdatp-mirror') };
}

/** The words before the command's own: [node, script] or [executable]. */
export const launchWords = (l: Launcher): string[] => (l.script === undefined ? [l.program] : [l.program, l.script]);
