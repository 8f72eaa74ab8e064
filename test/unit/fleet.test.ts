import { describe, expect, it } from 'vitest';
import { addRange, coversFile } from '../../src/fleet/coverage.js';
import { FleetRecord } from '../../src/fleet/fleet-record.js';

describe('coverage', () => {
  it('merges ranges that touch or overlap, and covers a file only from its first byte to its last', () => {
    let r = addRange([], 500, 999);
    expect(coversFile(r, 1000)).toBe(false);
    r = addRange(r, 0, 499);
    expect(r).toEqual([[0, 999]]);
    expect(coversFile(r, 1000)).toBe(true);
    expect(coversFile(addRange(addRange([], 0, 10), 12, 999), 1000)).toBe(false);
    expect(addRange(addRange([], 0, 600), 400, 999)).toEqual([[0, 999]]);
  });
});

describe('FleetRecord', () => {
  const current = new Map([['linux/production/arch_x86_64', '1.2']]);
  const hour = 3_600_000;

  it('counts current, older and unseen clients per bundle, by their last sighting', () => {
    const f = new FleetRecord();
    const b = 'linux/production/arch_x86_64';
    f.observe({ bundle: b, client: '10.0.0.1', signatures: '1.1', at: 0 });
    f.observe({ bundle: b, client: '10.0.0.1', signatures: '1.2', at: 5 * hour });
    f.observe({ bundle: b, client: '10.0.0.2', signatures: '1.1', at: 5 * hour });
    f.observe({ bundle: b, client: '10.0.0.3', signatures: '1.1', at: 0 });
    const c = f.counts(current, 6 * hour, 2 * hour);
    expect(c.bundles[b]).toMatchObject({ current: 1, older: 1, unseen: 1 });
    expect(new Set(c.bundles[b]!.versions.map((v) => `${v.signatures}:${v.clients}`))).toEqual(new Set(['1.2:1', '1.1:1']));
    expect(c.clients).toBe(3);
  });

  it('stays within its bound by forgetting the client seen longest ago, and says how many', () => {
    const f = new FleetRecord(3);
    for (let i = 0; i < 5; i++) f.observe({ bundle: 'b', client: `10.0.0.${i}`, signatures: '1.2', at: i });
    // Seen again, so it is the newest now and survives.
    f.observe({ bundle: 'b', client: '10.0.0.2', signatures: '1.2', at: 9 });
    f.observe({ bundle: 'b', client: '10.0.0.9', signatures: '1.2', at: 10 });
    const snapshot = f.takeSnapshot();
    expect(snapshot.sightings.map((s) => s[1])).toEqual(['10.0.0.4', '10.0.0.2', '10.0.0.9']);
    expect(snapshot.forgotten).toBe(3);
    const restored = new FleetRecord(3);
    restored.restore(snapshot);
    expect(restored.counts(new Map(), 10, 100)).toMatchObject({ clients: 3, forgotten: 3 });
    expect(restored.changed).toBe(false);
  });
});
