import { describe, expect, it } from 'vitest';
import { MirrorError } from '../../src/errors/catalogue.js';
import { parseRetryAfter } from '../../src/upstream/http-errors.js';
import { backoffDelay, withRetry } from '../../src/download/retry.js';

const retryable = (retryAfterMs?: number): MirrorError =>
  new MirrorError('UPSTREAM_HTTP_STATUS', 'HTTP 503', { retryable: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

describe('backoff', () => {
  const policy = { attempts: 5, initialDelayMs: 1000, maxDelayMs: 8000 };

  it('draws from a doubling ceiling, capped, with full jitter', () => {
    expect(backoffDelay({ ...policy, random: () => 1 }, 1, retryable())).toBe(1000);
    expect(backoffDelay({ ...policy, random: () => 1 }, 3, retryable())).toBe(4000);
    expect(backoffDelay({ ...policy, random: () => 1 }, 10, retryable())).toBe(8000);
    expect(backoffDelay({ ...policy, random: () => 0.5 }, 2, retryable())).toBe(1000);
    expect(backoffDelay({ ...policy, random: () => 0 }, 4, retryable())).toBe(0);
  });

  it("honours the server's Retry-After, capped by the policy", () => {
    expect(backoffDelay(policy, 1, retryable(3000))).toBe(3000);
    expect(backoffDelay(policy, 1, retryable(60_000))).toBe(8000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-23T08:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 08:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Mon, 23 Nov 2026 07:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries retryable failures up to the attempt limit and not the others', async () => {
    const fast = { attempts: 3, initialDelayMs: 0, maxDelayMs: 0 };
    let calls = 0;
    await expect(withRetry(fast, () => Promise.reject(retryable(((calls += 1), 0))), { toError: (e) => e as MirrorError })).rejects.toThrow(
      'HTTP 503',
    );
    expect(calls).toBe(3);
    calls = 0;
    const final = new MirrorError('BUNDLE_NOT_ZIP', 'not a zip');
    await expect(withRetry(fast, () => Promise.reject(((calls += 1), final)), { toError: (e) => e as MirrorError })).rejects.toBe(final);
    expect(calls).toBe(1);
  });
});
