import { describe, expect, it } from 'vitest';
import { isTreeKey } from '../../src/replicate/object-store.js';
import { planReplication } from '../../src/replicate/plan.js';

const local = (key: string, sha256 = 'a', size = 1) => ({ key, path: `/m/${key}`, size, sha256 });
const remote = (key: string, sha256 = 'a') => ({ key, size: 1, sha256, ours: true });
/** An object someone else put there: no sha256 metadata, no marker. */
const foreign = (key: string) => ({ key, size: 1, sha256: undefined, ours: false });
const LIVE = 'linux/production/arch_x86_64';
const BACK = 'linux/production_back/arch_x86_64';

describe('planReplication', () => {
  it('uploads every bundle before any manifest, and the index then its signature last', () => {
    const plan = planReplication(
      [
        local('index.json.minisig'),
        local(`${LIVE}/manifest.json`),
        local('index.json'),
        local(`${BACK}/updates.zip`),
        local(`${LIVE}/updates.zip`),
      ],
      [],
    );
    expect(plan.upload.map((u) => u.key)).toEqual([
      `${BACK}/updates.zip`,
      `${LIVE}/updates.zip`,
      `${LIVE}/manifest.json`,
      'index.json',
      'index.json.minisig',
    ]);
  });

  it('skips objects whose size and sha256 metadata match, and re-sends those that differ or are not ours', () => {
    const plan = planReplication(
      [local(`${LIVE}/updates.zip`, 'new'), local(`${LIVE}/manifest.json`), local(`${BACK}/updates.zip`)],
      [remote(`${LIVE}/updates.zip`, 'old'), remote(`${LIVE}/manifest.json`), foreign(`${BACK}/updates.zip`)],
    );
    expect(plan.upload.map((u) => u.key)).toEqual([`${BACK}/updates.zip`, `${LIVE}/updates.zip`]);
    expect(plan.unchanged).toBe(1);
    expect(plan.overwritesForeign).toEqual([`${BACK}/updates.zip`]);
  });

  it('deletes only stale objects it wrote, manifests before their bundles', () => {
    const plan = planReplication(
      [],
      [remote(`${BACK}/updates.zip`), remote(`${BACK}/manifest.json`), foreign(`linux/preview/arch_x86_64/manifest.json`)],
    );
    expect(plan.remove).toEqual([`${BACK}/manifest.json`, `${BACK}/updates.zip`]);
  });
});

describe('isTreeKey', () => {
  it('knows the served tree and nothing else', () => {
    for (const k of [
      `${LIVE}/updates.zip`,
      `${BACK}/manifest.json`,
      `staging/${LIVE}/updates.zip`,
      'index.json',
      'staging/index.json.minisig',
    ])
      expect(isTreeKey(k), k).toBe(true);
    for (const k of ['README.txt', `${LIVE}/other.bin`, `../${LIVE}/updates.zip`, `x/${LIVE}/updates.zip`, 'staging/staging/index.json'])
      expect(isTreeKey(k), k).toBe(false);
  });
});
