// curl's --speed-limit/--speed-time for one attempt: a body that trickles (a byte every few seconds never trips the
// idle timeout) is cut once a whole window passes below the limit, so the attempt can be retried and resumed.
import { MirrorError } from '../errors/catalogue.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

export interface LowSpeedWatch {
  readonly signal: AbortSignal;
  /** The error to report when the watch cut the attempt, else undefined. */
  readonly tripped: () => MirrorError | undefined;
  stop(): void;
}

export function watchLowSpeed(received: () => number, bytesPerSec: number, windowMs: number, from: string): LowSpeedWatch {
  const controller = new AbortController();
  if (bytesPerSec <= 0) return { signal: controller.signal, tripped: () => undefined, stop: () => undefined };
  let error: MirrorError | undefined;
  let mark = received();
  const timer = setInterval(() => {
    const got = received() - mark;
    mark = received();
    if (got * 1000 >= bytesPerSec * windowMs) return;
    error = new MirrorError(
      'UPSTREAM_TOO_SLOW',
      `${from} sent ${formatBytes(got)} in ${formatDuration(windowMs)}, below timeouts.lowSpeedLimit (${formatBytes(bytesPerSec)}/s for timeouts.lowSpeedTime ${formatDuration(windowMs)}); cutting the attempt to retry. On a link this slow, lower timeouts.lowSpeedLimit or raise timeouts.lowSpeedTime`,
      { retryable: true },
    );
    controller.abort(error);
  }, windowMs);
  timer.unref();
  return { signal: controller.signal, tripped: () => error, stop: () => clearInterval(timer) };
}
