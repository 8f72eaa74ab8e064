// Turns a stop signal (SIGINT/SIGTERM, and Windows' own) into an AbortSignal: work stops, temp files are removed, the lock is released, then exit 130/143.
import { ExitCode, MirrorError } from '../errors/catalogue.js';

export interface Interruption {
  readonly signal: AbortSignal;
  /** The exit code the received signal calls for, once one was received. */
  exitCode(): number | undefined;
  dispose(): void;
}

/**
 * The signals that ask a command to stop. Windows has no SIGTERM: Ctrl-C arrives as SIGINT, Ctrl-Break as SIGBREAK,
 * and closing the console (or a service wrapper stopping a console program) as SIGHUP.
 */
const STOP_SIGNALS: readonly NodeJS.Signals[] =
  process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGBREAK', 'SIGHUP'] : ['SIGINT', 'SIGTERM'];

/** The first stop signal received, for commands that run until asked to stop (serve, the simulator). */
export function stopRequested(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const handler = (name: NodeJS.Signals): void => {
      for (const s of STOP_SIGNALS) process.off(s, handler);
      resolve(name);
    };
    for (const s of STOP_SIGNALS) process.on(s, handler);
  });
}

export function watchSignals(onSignal?: (name: NodeJS.Signals) => void): Interruption {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const handler = (name: NodeJS.Signals): void => {
    if (received) {
      // A second Ctrl-C means "now": skip the cleanup.
      process.exit(name === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated);
    }
    received = name;
    onSignal?.(name);
    // The reason is what aborted work throws: a catalogue error, so no stop reads as a network or zip failure.
    controller.abort(
      new MirrorError('INTERRUPTED', `stopped by ${name}`, { exitCode: name === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated }),
    );
  };
  for (const s of STOP_SIGNALS) process.on(s, handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : received === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated),
    dispose: () => {
      for (const s of STOP_SIGNALS) process.off(s, handler);
    },
  };
}
