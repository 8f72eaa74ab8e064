// Turns SIGINT/SIGTERM into an AbortSignal: work stops, temp files are removed, the lock is released, then exit 130/143.
import { ExitCode } from '../errors/catalogue.js';

export interface Interruption {
  readonly signal: AbortSignal;
  /** The exit code the received signal calls for, once one was received. */
  exitCode(): number | undefined;
  dispose(): void;
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
    controller.abort(new Error(`received ${name}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    exitCode: () => (received === undefined ? undefined : received === 'SIGINT' ? ExitCode.interrupted : ExitCode.terminated),
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
