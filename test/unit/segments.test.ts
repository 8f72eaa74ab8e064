import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { contiguousBytes, MIN_SEGMENT_BYTES, planSegments, writeRange } from '../../src/download/segments.js';

const MiB = 1024 * 1024;

describe('planSegments', () => {
  it('does not split a bundle smaller than two segments', () => {
    expect(planSegments(2 * MIN_SEGMENT_BYTES - 1, 4)).toEqual([{ start: 0, end: 2 * MIN_SEGMENT_BYTES - 1 }]);
  });

  it('splits into at most the connections asked for, covering every byte once', () => {
    const total = 100 * MiB + 3;
    const ranges = planSegments(total, 3);
    expect(ranges).toHaveLength(3);
    expect(ranges[0]!.start).toBe(0);
    expect(ranges.at(-1)!.end).toBe(total);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]!.start).toBe(ranges[i - 1]!.end);
  });

  it('uses fewer connections than asked when the segments would fall below the minimum', () => {
    expect(planSegments(3 * MIN_SEGMENT_BYTES, 8)).toHaveLength(3);
  });
});

describe('contiguousBytes', () => {
  const ranges = [
    { start: 0, end: 10 },
    { start: 10, end: 20 },
    { start: 20, end: 30 },
  ];
  it('counts whole ranges in order, then the part of the first incomplete one', () => {
    expect(contiguousBytes(ranges, [10, 4, 10])).toBe(14);
  });
  it('stops at the first range that is incomplete, whatever follows', () => {
    expect(contiguousBytes(ranges, [3, 10, 10])).toBe(3);
    expect(contiguousBytes(ranges, [10, 10, 10])).toBe(30);
  });
});

describe('writeRange', () => {
  const dirs: string[] = [];
  afterEach(async () => Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true }))));
  const emptyFile = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'write-range-'));
    dirs.push(dir);
    await writeFile(join(dir, 'f'), '');
    return join(dir, 'f');
  };
  /** Three 64 KiB parts of 1, 2, 3, then the connection breaks. */
  const cutBody = (): Readable =>
    Readable.from(
      (function* () {
        for (const byte of [1, 2, 3]) yield Buffer.alloc(64 * 1024, byte);
        throw new Error('socket hang up');
      })(),
    );

  it('writes every part received before a break, then reports the break', async () => {
    const path = await emptyFile();
    let written = 0;
    const seen: number[] = [];
    const run = writeRange(
      path,
      { start: 0, end: Number.POSITIVE_INFINITY },
      cutBody(),
      new AbortController().signal,
      (n) => (written += n),
      (part) => {
        seen.push(part[0]!);
      },
    );
    await expect(run).rejects.toThrow('socket hang up');
    expect(seen).toEqual([1, 2, 3]);
    expect(written).toBe(3 * 64 * 1024);
    const onDisk = await readFile(path);
    expect(onDisk.length).toBe(3 * 64 * 1024);
    expect(onDisk[2 * 64 * 1024]).toBe(3);
  });

  it('stops at the end of its range, and stops the body when a part is refused', async () => {
    const path = await emptyFile();
    expect(await writeRange(path, { start: 0, end: 100 * 1024 }, cutBody(), new AbortController().signal, () => undefined)).toBe(
      100 * 1024,
    );
    const body = cutBody();
    const refused = writeRange(
      path,
      { start: 0, end: Number.POSITIVE_INFINITY },
      body,
      new AbortController().signal,
      () => undefined,
      () => {
        throw new Error('too large');
      },
    );
    await expect(refused).rejects.toThrow('too large');
    expect(body.destroyed).toBe(true);
  });
});
