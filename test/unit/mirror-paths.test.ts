import { describe, expect, it } from 'vitest';
import { decidePath } from '../../src/serve/mirror-paths.js';

describe('serve path allowlist', () => {
  it('serves exactly the bundle and manifest files of the live, backup and staging trees', () => {
    for (const p of [
      '/linux/production/arch_x86_64/updates.zip',
      '/mac/preview_back/arch_arm64/manifest.json',
      '/staging/linux/production/arch_arm64/updates.zip',
    ]) {
      expect(decidePath(p)).toEqual({ kind: 'file', rel: p.slice(1) });
    }
  });

  it('lists tree folders with a canonical trailing slash', () => {
    expect(decidePath('/linux/production')).toEqual({ kind: 'dir', rel: 'linux/production', canonical: '/linux/production/' });
    expect(decidePath('/')).toEqual({ kind: 'dir', rel: '', canonical: '/' });
    expect(decidePath('/staging/')).toMatchObject({ kind: 'dir', canonical: '/staging/' });
  });

  it('refuses state, traversal, encoded separators and anything outside the tree', () => {
    expect(decidePath('/.mdatp-mirror/state.json')).toMatchObject({ kind: 'reject', status: 404 });
    expect(decidePath('/linux/../.mdatp-mirror/lock')).toMatchObject({ kind: 'reject', status: 400 });
    expect(decidePath('/linux%2f..%2f..%2fetc/passwd')).toMatchObject({ kind: 'reject' });
    expect(decidePath('/linux/production/arch_x86_64/updates.zip%00.txt')).toMatchObject({ kind: 'reject', status: 400 });
    expect(decidePath('/linux\\production')).toMatchObject({ kind: 'reject', status: 400 });
    expect(decidePath('/linux/production/arch_sparc/updates.zip')).toMatchObject({ kind: 'reject', status: 404 });
    expect(decidePath('/%E0%A4%A')).toMatchObject({ kind: 'reject', status: 400 });
    expect(decidePath('/healthz')).toEqual({ kind: 'special', name: 'healthz' });
  });
});
