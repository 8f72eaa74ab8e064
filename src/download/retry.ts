// Retries an operation on retryable failures with exponential backoff and full jitter, honouring Retry-After.
import { setTimeout as sleep } from 'node:timers/promises';
import { MirrorError } from '../errors/catalogue.js';

export interface RetryPolicy {
  /** Total attempts, including the first. */
  readonly attempts: number;
  readonly initialDelayMs: number;
  /** Caps both the backoff and a server's Retry-After. */
  readonly maxDelayMs: number;
  readonly random?: () => number;
}

export interface AttemptFailure {
  readonly attempt: number;
  readonly error: MirrorError;
  readonly delayMs: number;
}

export function backoffDelay(policy: RetryPolicy, attempt: number, error: MirrorError): number {
  if (error.retryAfterMs !== undefined) return Math.min(error.retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  // Full jitter keeps a fleet of mirrors from retrying in lockstep against a struggling CDN.
  return Math.round((policy.random ?? Math.random)() * ceiling);
}

export async function withRetry<T>(
  policy: RetryPolicy,
  op: (attempt: number) => Promise<T>,
  opts: { signal?: AbortSignal | undefined; onRetry?: (f: AttemptFailure) => void; toError: (e: unknown) => MirrorError },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op(attempt);
    } catch (e) {
      const error = opts.toError(e);
      if (!error.retryable || attempt >= policy.attempts || opts.signal?.aborted) throw error;
      const delayMs = backoffDelay(policy, attempt, error);
      opts.onRetry?.({ attempt, error, delayMs });
      try {
        await sleep(delayMs, undefined, { signal: opts.signal });
      } catch {
        throw new MirrorError('INTERRUPTED', 'interrupted while waiting to retry');
      }
    }
  }
}
