import { expect, it, vi } from 'vitest';
import { chunksDone } from '../../src/util/dead-buffers.js';

const arrayBuffersMiB = (): number => process.memoryUsage().arrayBuffers / 2 ** 20;

it('frees dead chunks once 8 MiB of them are done, without waiting for V8 to need the memory', async () => {
  const before = arrayBuffersMiB();
  for (let i = 0; i < 32; i++) Buffer.allocUnsafeSlow(1024 * 1024).fill(i);
  chunksDone(4 * 1024 * 1024);
  // Below the threshold nothing is collected (V8 would let these wait for a collection of its own).
  expect(arrayBuffersMiB() - before).toBeGreaterThanOrEqual(31);
  chunksDone(4 * 1024 * 1024);
  // V8 releases what the scavenge found dead on a background thread, a fraction of a millisecond later.
  await vi.waitFor(() => expect(arrayBuffersMiB() - before).toBeLessThan(4), { timeout: 2000, interval: 5 });
});
