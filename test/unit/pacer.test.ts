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
    const pacer = new DownloadPacer(check);
    pacer.wrote(8 * MiB);
    expect(pacer.gate(signal())).toBeUndefined();
  });

  it('holds a download more than 8 MiB ahead of its check until the check is within 4 MiB', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check);
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
    const pacer = new DownloadPacer(check);
    pacer.wrote(20 * MiB);
    const held = pacer.gate(signal())!;
    check.stop();
    expect(await settled(held)).toBe(true);
    expect(pacer.gate(signal())).toBeUndefined();
  });

  it('lets a held download go when it is stopped', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check);
    pacer.wrote(20 * MiB);
    const stop = new AbortController();
    const held = pacer.gate(stop.signal)!;
    stop.abort();
    expect(await settled(held)).toBe(true);
  });

  it('leaves a split’s later range alone while the check keeps up with the first range (a per-connection limit)', () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check);
    check.read(10 * MiB);
    pacer.wrote(12 * MiB, 12 * MiB + 40 * MiB);
    expect(pacer.gate(signal())).toBeUndefined();
    expect(pacer.gateLater(signal())).toBeUndefined();
  });

  it('holds a split’s later range while the check is behind the first range too, and only while it is', async () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check);
    pacer.wrote(20 * MiB, 20 * MiB + 6 * MiB);
    const first = pacer.gate(signal())!;
    const later = pacer.gateLater(signal())!;
    expect(later).toBeInstanceOf(Promise);
    // 5 MiB behind the first range, 11 MiB behind all that is written: both still held.
    check.read(15 * MiB);
    expect(await settled(first)).toBe(false);
    expect(await settled(later)).toBe(false);
    // Within 4 MiB of the first range: the CPU keeps up again, and the later range goes on with it.
    check.read(16 * MiB);
    expect(await settled(first)).toBe(true);
    expect(await settled(later)).toBe(true);
  });

  it('does not hold a later range for a check behind the first range when little is written in all', () => {
    const check = new FakeCheck();
    const pacer = new DownloadPacer(check);
    pacer.wrote(7 * MiB, 8 * MiB);
    expect(pacer.gateLater(signal())).toBeUndefined();
  });
});
