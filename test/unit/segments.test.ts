import { describe, expect, it } from 'vitest';
import { contiguousBytes, MIN_SEGMENT_BYTES, planSegments } from '../../src/sync/segments.js';

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
