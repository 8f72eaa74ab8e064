import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { expect, it, vi } from 'vitest';
import { chunksDone, partsDone } from '../../src/util/dead-buffers.js';

/** The test's own handle on the collector, reached as the module under test reaches it. */
function exposedGcForTest(): NodeJS.GCFunction {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as NodeJS.GCFunction;
}

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

it('frees part buffers that lived long enough to reach the old generation, every 32 MiB of finished parts', async () => {
  const gc = exposedGcForTest();
  // A settled start: what earlier tests left must not be freed by this test's collections and count as its own.
  gc({ type: 'major' });
  await new Promise((resolve) => setImmediate(resolve));
  const before = arrayBuffersMiB();
  // Alive across collections, as a part is while its request runs: the wrappers move to the old generation (a full
  // collection promotes every young survivor; two scavenges usually do).
  const partsPromotedThenDropped = (): number => {
    const parts = Array.from({ length: 4 }, (_, i) => Buffer.allocUnsafeSlow(8 * 1024 * 1024).fill(i));
    gc({ type: 'major' });
    gc({ type: 'minor' });
    return parts.length;
  };
  expect(partsPromotedThenDropped()).toBe(4);
  gc({ type: 'minor' });
  // A scavenge does not look at the old generation: the dead parts are still held.
  expect(arrayBuffersMiB() - before).toBeGreaterThanOrEqual(31);
  partsDone(16 * 1024 * 1024);
  expect(arrayBuffersMiB() - before).toBeGreaterThanOrEqual(31);
  partsDone(16 * 1024 * 1024);
  await vi.waitFor(() => expect(arrayBuffersMiB() - before).toBeLessThan(4), { timeout: 2000, interval: 5 });
});
