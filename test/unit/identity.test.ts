import { describe, expect, it } from 'vitest';
import { archSegmentIn, bundleKey, bundleLabel, matchesFilter, treeAtEnd } from '../../src/bundle/identity.js';
import { planBundles } from '../../src/settings/plan.js';
import { isAbsoluteLocalPath, isHttpUrl } from '../../src/util/location.js';

describe('bundle identity', () => {
  it('reads the tree a location ends at, with either separator', () => {
    expect(treeAtEnd('http://m:8080/linux/production/')).toEqual({ os: 'linux', channel: 'production', trailingSeparator: true });
    expect(treeAtEnd('/srv/mirror/mac/preview')).toEqual({ os: 'mac', channel: 'preview', trailingSeparator: false });
    expect(treeAtEnd('C:\\mirror\\linux\\production')).toEqual({ os: 'linux', channel: 'production', trailingSeparator: false });
    expect(treeAtEnd('C:\\mirror\\linux\\production\\')).toMatchObject({ os: 'linux', trailingSeparator: true });
    expect(treeAtEnd('http://m/linux/production_back/')).toBeUndefined();
    expect(treeAtEnd('http://m/windows/production/')).toBeUndefined();
    expect(treeAtEnd('http://m/xlinux/production/')).toBeUndefined();
  });

  it('finds an arch folder in a location, with either separator', () => {
    expect(archSegmentIn('http://m/linux/production/arch_x86_64/')?.[0]).toBe('/arch_x86_64/');
    expect(archSegmentIn('C:\\m\\linux\\production\\arch_arm64')?.[0]).toBe('\\arch_arm64');
    expect(archSegmentIn('http://m/linux/production/')).toBeNull();
  });

  it('names bundles as endpoints address them and as people read them', () => {
    const id = { os: 'mac', channel: 'preview', arch: 'arm64' } as const;
    expect(bundleKey(id)).toBe('mac/preview/arch_arm64');
    expect(bundleLabel(id)).toBe('mac/preview/arm64');
    expect(matchesFilter(id, { os: 'mac' })).toBe(true);
    expect(matchesFilter(id, { os: 'mac', arch: 'x86_64' })).toBe(false);
  });

  it('plans production always and preview only when asked, per selected arch', () => {
    expect(planBundles({ linux: true, mac: false, preview: false, architectures: ['x86_64'] }).map(bundleKey)).toEqual([
      'linux/production/arch_x86_64',
    ]);
    expect(planBundles({ linux: true, mac: true, preview: true, architectures: ['x86_64', 'arm64'] })).toHaveLength(8);
    expect(planBundles({ linux: false, mac: false, preview: true, architectures: ['x86_64'] })).toEqual([]);
  });

  it('tells URLs from absolute paths on every platform', () => {
    expect(isHttpUrl('HTTPS://m/')).toBe(true);
    expect(isHttpUrl('ftp://m/')).toBe(false);
    for (const p of ['/srv/m', 'C:\\m', 'c:/m', '\\\\server\\share']) expect(isAbsoluteLocalPath(p)).toBe(true);
    for (const p of ['m/linux', 'C:m', '.\\m']) expect(isAbsoluteLocalPath(p)).toBe(false);
  });
});
