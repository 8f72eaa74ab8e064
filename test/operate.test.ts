// Operating the mirror: status (exit codes for monitoring), rollback with hold-back and --undo, and retention.
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMirrorFixture } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { expectConsistentMirror, flipByte, readJson, snapshot, writeSettings } from './helpers/mirror.js';

const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;

const f = useMirrorFixture();

const cli = (...args: string[]) => runCli([...args, '--settings', join(f.dir, 'settings.json')]);
const liveVersion = async () => (await readJson(join(f.mirror, 'linux/production/arch_x86_64/manifest.json')))['DefinitionVersion'];
const backVersion = async () => (await readJson(join(f.mirror, 'linux/production_back/arch_x86_64/manifest.json')))['DefinitionVersion'];

describe('status', () => {
  beforeEach(async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
  });

  it('exits 1 when a bundle is missing, naming it', async () => {
    const r = await cli('status', '--wide');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/linux\/production\/x86_64\s+PROBLEM\s+-.*live missing/);
  });

  it('exits 0 when healthy and shows versions, size and the last run', async () => {
    expect((await cli('download')).code).toBe(0);
    const r = await cli('status', '--wide');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all healthy');
    expect(r.stdout).toMatch(
      new RegExp(
        `linux/production/x86_64\\s+ok\\s+${f.upstream.catalog.get(X86).signatures.replace(/\./g, '\\.')}\\s+\\S+\\s+512 KiB.*downloaded`,
      ),
    );
    const json = JSON.parse((await cli('status', '--wide', '--json')).stdout) as {
      bundles: { live: { state: string; sha256: string } }[];
      exitCode: number;
    };
    expect(json.exitCode).toBe(0);
    expect(json.bundles[0]!.live).toMatchObject({ state: 'ok', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('exits 1 when older than --max-age', async () => {
    expect((await cli('download')).code).toBe(0);
    const manifestFile = join(f.mirror, 'linux/production/arch_x86_64/manifest.json');
    const m = await readJson(manifestFile);
    await writeFile(manifestFile, JSON.stringify({ ...m, downloadedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }));
    expect((await cli('status', '--wide', '--max-age', '4d')).code).toBe(0);
    const r = await cli('status', '--wide', '--max-age', '2d');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live is 3d\d+h old \(more than 2d00h\)/);
    expect((await cli('status', '--wide', '--max-age', 'two days')).code).toBe(2);
  });

  it('exits 1 when behind upstream (--check-upstream), 0 again after a download', async () => {
    expect((await cli('download')).code).toBe(0);
    expect((await cli('status', '--wide', '--check-upstream')).code).toBe(0);
    f.upstream.catalog.bump({ os: 'linux' });
    const r = await cli('status', '--wide', '--check-upstream');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`behind upstream ${f.upstream.catalog.get(X86).signatures}`);
    expect((await cli('download')).code).toBe(0);
    expect((await cli('status', '--wide', '--check-upstream')).code).toBe(0);
  });

  it('finds a bundle with a flipped byte with --verify', async () => {
    expect((await cli('download')).code).toBe(0);
    const bundle = join(f.mirror, 'linux/production/arch_x86_64/updates.zip');
    await flipByte(bundle);
    expect((await cli('status', '--wide')).code).toBe(0); // the cheap check (size) cannot see it
    const r = await cli('status', '--wide', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live broken: SHA-256 does not match the manifest/);
  });

  it('--verify proves the backup and retained versions too, reporting one rollback would refuse', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], backupPreviousUpdates: true, keepVersions: 3 });
    for (let i = 0; i < 3; i++) {
      if (i > 0) f.upstream.catalog.bump({ os: 'linux' });
      expect((await cli('download')).code).toBe(0);
    }
    expect((await cli('status', '--wide', '--verify')).code).toBe(0);
    const history = join(f.mirror, '.mdatp-mirror/history/live/linux/production/arch_x86_64');
    const [retained] = await readdir(history);
    await flipByte(join(history, retained!, 'updates.zip'));
    await flipByte(join(f.mirror, 'linux/production_back/arch_x86_64/updates.zip'));
    expect((await cli('status', '--wide')).code).toBe(0); // sizes still match: only --verify reads the bytes
    const r = await cli('status', '--wide', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/backup broken \(rollback would refuse it\): SHA-256 does not match the manifest/);
    expect(r.stdout).toMatch(/retained 1\.\d+\.\d+\.\d+ broken: SHA-256 does not match the manifest/);
    expect((await cli('rollback')).code).toBe(1);
  });

  it('--check-upstream with an unreachable upstream exits 3 (UNKNOWN), not 1; a real problem still exits 1', async () => {
    expect((await cli('download')).code).toBe(0);
    const r = await cli('status', '--wide', '--check-upstream', '--base-url', 'http://127.0.0.1:1/fwlink/');
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/upstream check failed: .*127\.0\.0\.1:1/);
    expect(
      JSON.parse((await cli('status', '--wide', '--check-upstream', '--json', '--base-url', 'http://127.0.0.1:1/fwlink/')).stdout),
    ).toMatchObject({
      exitCode: 3,
    });
    await flipByte(join(f.mirror, 'linux/production/arch_x86_64/updates.zip'));
    expect((await cli('status', '--wide', '--verify', '--check-upstream', '--base-url', 'http://127.0.0.1:1/fwlink/')).code).toBe(1);
  });

  it('--quiet prints nothing when healthy and only the problem rows otherwise', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64', 'arm64'] });
    expect((await cli('download')).code).toBe(0);
    const healthy = await cli('status', '--wide', '--quiet');
    expect([healthy.code, healthy.stdout]).toEqual([0, '']);
    await flipByte(join(f.mirror, 'linux/production/arch_arm64/updates.zip'));
    const r = await cli('status', '--wide', '--quiet', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/2 bundle\(s\), 1 with problems/);
    expect(r.stdout).toMatch(/linux\/production\/arm64\s+PROBLEM/);
    expect(r.stdout).not.toMatch(/linux\/production\/x86_64/);
  });

  it('uses the bundle time as the age of a manifest written by the old scripts', async () => {
    expect((await cli('download')).code).toBe(0);
    const dirOf = join(f.mirror, 'linux/production/arch_x86_64');
    await writeFile(join(dirOf, 'manifest.json'), JSON.stringify({ EngineVersion: '1.1.1.1', DefinitionVersion: '1.2.3.4' }));
    const old = new Date(Date.now() - 5 * 86_400_000);
    await utimes(join(dirOf, 'updates.zip'), old, old);
    const r = await cli('status', '--wide', '--max-age', '1d');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live is 5d/);
  });
});

describe('rollback', () => {
  it('--undo without filters acts only on the bundles a rollback holds back, and exits 0', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64', 'arm64'] });
    expect((await cli('download')).code).toBe(0);
    f.upstream.catalog.bump({ os: 'linux' });
    expect((await cli('download')).code).toBe(0);
    const bad = await liveVersion();
    expect((await cli('rollback', '--arch', 'x86_64')).code).toBe(0);
    const arm = join(f.mirror, 'linux/production/arch_arm64/manifest.json');
    const armBefore = await readJson(arm);

    const undo = await cli('rollback', '--undo');
    expect(undo.stderr).toBe('');
    expect(undo.code).toBe(0);
    expect(undo.stdout).toContain(`linux/production/x86_64:`);
    expect(undo.stdout).not.toContain('arm64');
    expect(await liveVersion()).toBe(bad);
    expect(await readJson(arm)).toEqual(armBefore);
    // Now nothing in the selection is on hold: that, and only that, is exit 1.
    const again = await cli('rollback', '--undo');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no rollback to undo');
    await expectConsistentMirror(f.mirror);
  });

  it('swaps live and backup, keeps the bad release out on the next download, installs the next one, and --undo reverses', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await cli('download')).code).toBe(0);
    const good = f.upstream.catalog.get(X86).signatures;
    f.upstream.catalog.bump({ os: 'linux' });
    expect((await cli('download')).code).toBe(0);
    const bad = f.upstream.catalog.get(X86).signatures;
    expect(await liveVersion()).toBe(bad);

    const r = await cli('rollback', '--os', 'linux', '--arch', 'x86_64');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`linux/production/x86_64: ${bad} -> ${good} (${bad} held back until a newer release)`);
    expect(await liveVersion()).toBe(good);
    expect(await backVersion()).toBe(bad);
    await expectConsistentMirror(f.mirror);
    // Every run that changes the tree is in the run history, newest first.
    const state = await readJson<{
      recentRuns: { command: string; result: string; bundles: { bundle: string; status: string; from: string; to: string }[] }[];
    }>(join(f.mirror, '.mdatp-mirror/state.json'));
    expect(state.recentRuns.map((x) => `${x.command} ${x.result}`)).toEqual(['rollback ok', 'download ok', 'download ok']);
    expect(state.recentRuns[0]!.bundles).toEqual([
      { bundle: 'linux/production/arch_x86_64', status: 'rolled-back', from: bad, to: good, offered: null, error: null },
    ]);

    // Upstream still offers the bad release: it stays out, and no bundle is fetched.
    f.upstream.requests.length = 0;
    const again = await cli('download');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/held back/);
    expect(f.upstream.countRequests('bundle')).toBe(0);
    expect(await liveVersion()).toBe(good);
    const st = await cli('status', '--wide', '--check-upstream');
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`held back: ${bad}`);

    // --undo brings it back.
    const undo = await cli('rollback', '--undo');
    expect(undo.code).toBe(0);
    expect(await liveVersion()).toBe(bad);
    expect(await backVersion()).toBe(good);
    expect((await cli('rollback', '--undo')).code).toBe(1); // nothing left to undo

    // Roll back again, then a newer release arrives: it is installed and the hold is gone.
    expect((await cli('rollback')).code).toBe(0);
    f.upstream.catalog.bump({ os: 'linux' });
    const next = await cli('download');
    expect(next.code).toBe(0);
    expect(await liveVersion()).toBe(f.upstream.catalog.get(X86).signatures);
    expect(await backVersion()).toBe(good);
    expect(await readJson(join(f.mirror, '.mdatp-mirror/held.json'))).toEqual({});
    await expectConsistentMirror(f.mirror);
  });

  it('refuses when there is no backup, changing nothing', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], backupPreviousUpdates: false });
    expect((await cli('download')).code).toBe(0);
    const before = await snapshot(f.mirror);
    const r = await cli('rollback');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not rolled back: no consistent backup to roll back to \(is backupPreviousUpdates on\?\)/);
    expect(await snapshot(f.mirror)).toEqual(before);
  });

  it('exits 2 on an unknown --os value', async () => {
    await writeSettings(f.dir, f.upstream);
    const r = await cli('rollback', '--os', 'windows');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are linux, mac/);
  });
});

describe('retention', () => {
  it('keepVersions: 3 keeps exactly three previous versions outside the served tree, restorable with rollback --to', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], keepVersions: 3 });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) f.upstream.catalog.bump({ os: 'linux' });
      expect((await cli('download')).code).toBe(0);
      seen.push(f.upstream.catalog.get(X86).signatures);
    }
    const { readdir } = await import('node:fs/promises');
    const history = join(f.mirror, '.mdatp-mirror/history/live/linux/production/arch_x86_64');
    expect((await readdir(history)).sort()).toEqual(
      seen
        .slice(1, 4)
        .map((v) => `${f.upstream.catalog.get(X86).engine}-${v}`)
        .sort(),
    );
    // The served tree still has only live and _back.
    expect(Object.keys(await snapshot(f.mirror)).sort()).toEqual([
      'linux/production/arch_x86_64/manifest.json',
      'linux/production/arch_x86_64/updates.zip',
      'linux/production_back/arch_x86_64/manifest.json',
      'linux/production_back/arch_x86_64/updates.zip',
    ]);
    const st = await cli('status', '--wide');
    expect(st.stdout).toContain(`history: ${seen[3]}, ${seen[2]}, ${seen[1]} (1.5 MiB)`);

    const r = await cli('rollback', '--to', seen[1]!);
    expect(r.code).toBe(0);
    expect(await liveVersion()).toBe(seen[1]);
    expect(await backVersion()).toBe(seen[4]);
    await expectConsistentMirror(f.mirror);
    const missing = await cli('rollback', '--to', '9.9.9.9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('version 9.9.9.9 is neither in the backup nor in the retained history');
  });
});
