import { describe, expect, it } from 'vitest';
import { DownloadPacer } from '../../src/download/pacer.js';

const MiB = 1024 * 1024;

/** A check that has read the file through `at`, moved by the test; `following = false` once it has stopped. */
class FakeCheck {
  at = 0;
  following = true;
  private readers: (() => void)[] = [];
  get readThrough(): number | undefined {
    return this.following ? this.at : undefined;
  }
  readMore(): Promise<void> {
    return new Promise((resolve) => this.readers.push(resolve));
  }
  read(to: number): void {
    this.at = to;
    for (const r of this.readers.splice(0)) r();
  }
  stop(): void {
    this.following = false;
    for (const r of this.readers.splice(0)) r();
  }
}

/** Whether a promise has settled after the pending reactions ran. */
async function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  await new Promise((r) => setImmediate(r));
  return done;
}

const signal = (): AbortSignal => new AbortController().signal;

describe('download pacer', () => {
  it('lets a download through while the check is at most 8 MiB behind it', () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, Number.POSITIVE_INFINITY);
    pacer.wrote(8 * MiB);
    expect(pacer.gate(signal())).toBeUndefined();
  });

  it('holds a download more than 8 MiB ahead of its check until the check is within 4 MiB', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, Number.POSITIVE_INFINITY);
    pacer.wrote(9 * MiB);
    const held = pacer.gate(signal())!;
    expect(held).toBeInstanceOf(Promise);
    check.read(2 * MiB);
    expect(await settled(held)).toBe(false);
    check.read(5 * MiB);
    expect(await settled(held)).toBe(true);
  });

  it('never holds a download whose check has stopped following (an unusual zip), and lets a held one go', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, Number.POSITIVE_INFINITY);
    pacer.wrote(20 * MiB);
    const held = pacer.gate(signal())!;
    check.stop();
    expect(await settled(held)).toBe(true);
    expect(pacer.gate(signal())).toBeUndefined();
  });

  it('lets a held download go when it is stopped', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, Number.POSITIVE_INFINITY);
    pacer.wrote(20 * MiB);
    const stop = new AbortController();
    const held = pacer.gate(stop.signal)!;
    stop.abort();
    expect(await settled(held)).toBe(true);
  });

  it('leaves a split’s later range alone while the check keeps up with the first range (a per-connection limit)', () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, 64 * MiB);
    check.read(10 * MiB);
    pacer.wrote(12 * MiB, 12 * MiB + 40 * MiB);
    expect(pacer.gate(signal())).toBeUndefined();
    expect(pacer.gateLater(signal())).toBeUndefined();
  });

  it('holds a split’s later range once the first range outruns the check, until the check reaches what it wrote', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check, 64 * MiB);
    pacer.wrote(20 * MiB, 20 * MiB + 6 * MiB);
    // The first range is held on what is complete from the start, not on the later range's bytes.
    const first = pacer.gate(signal())!;
    const later = pacer.gateLater(signal())!;
    expect(later).toBeInstanceOf(Promise);
    check.read(17 * MiB);
    expect(await settled(first)).toBe(true);
    // 9 MiB still ahead of the check in all (3 of the first range, 6 of the later one).
    expect(await settled(later)).toBe(false);
    pacer.wrote(30 * MiB, 36 * MiB);
    check.read(29 * MiB);
    expect(await settled(later)).toBe(false);
    check.read(32 * MiB);
    expect(await settled(later)).toBe(true);
  });
});
