// Which bytes of one file a client has received, as sorted disjoint ranges: an endpoint that resumes a bundle in
// pieces has it once the pieces cover the file, as a full 200 does at once.
export type Ranges = readonly (readonly [start: number, end: number])[];

/** The ranges with [start, end] (inclusive) added, merged where they touch or overlap. */
export function addRange(ranges: Ranges, start: number, end: number): Ranges {
  const all = [...ranges, [start, end] as const].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [s, e] of all) {
    const last = merged.at(-1);
    if (last && s <= last[1] + 1) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  return merged;
}

export const coversFile = (ranges: Ranges, size: number): boolean =>
  ranges.length === 1 && ranges[0]![0] === 0 && ranges[0]![1] >= size - 1;
