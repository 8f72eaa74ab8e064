import { describe, expect, it } from 'vitest';
import { OFF_THREAD_MS, ReadPolicy } from '../../src/serve/read-policy.js';

describe('ReadPolicy', () => {
  it('keeps reading on the serving thread through fast reads and an occasional slow one (a descheduled thread)', () => {
    const p = new ReadPolicy();
    let now = 0;
    for (let i = 0; i < 1000; i++) {
      p.tookMs(i % 100 === 0 ? 20 : 0.05, (now += 1));
      expect(p.readOnThread(now)).toBe(true);
    }
  });

  it('moves reads to the thread pool when they stay slow, then tries the serving thread again', () => {
    const p = new ReadPolicy();
    let now = 0;
    let slowReads = 0;
    while (p.readOnThread(now)) {
      p.tookMs(10, (now += 10));
      slowReads++;
    }
    expect(slowReads).toBeLessThanOrEqual(5);
    const tripped = now;
    expect(p.readOnThread(tripped + OFF_THREAD_MS - 1)).toBe(false);
    expect(p.readOnThread(tripped + OFF_THREAD_MS)).toBe(true);
    // A fresh start: one slow read after the pause does not send reads off the thread again at once.
    p.tookMs(10, tripped + OFF_THREAD_MS + 10);
    expect(p.readOnThread(tripped + OFF_THREAD_MS + 10)).toBe(true);
  });
});
