// Runs the CLI as this process: the arguments, a closed pipe, the exit code. Shared by bin/ (npm install) and the
// single executable, so both behave the same.
import cluster from 'node:cluster';
import { isSingleExecutable } from '../runtime/single-executable.js';
import { main } from './main.js';

/**
 * The user's arguments. A single executable sees [itself, how it was called, ...args]; a serve worker it forks sees
 * one word more, the primary's argv[1], which cluster passes as the script a worker runs.
 */
function userArguments(): string[] {
  return process.argv.slice(isSingleExecutable() && cluster.isWorker ? 3 : 2);
}

export async function runAsProcess(): Promise<never> {
  // `mdatp-mirror status | head`: a closed pipe is the reader's choice, not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => process.exit(e.code === 'EPIPE' ? 0 : 1));
  }
  const code = await main(userArguments());
  // Idle keep-alive sockets and timers must not hold a scheduled run open once its work is done; flush what was
  // printed (pipes are asynchronous on macOS), then leave with the command's exit code.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
  process.exit(code);
}
