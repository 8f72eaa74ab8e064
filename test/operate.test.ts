// Operating the mirror: status (exit codes for monitoring), rollback with hold-back and --undo, and retention.
import { writeFile, readFile, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { runCli } from './helpers/cli.js';
import { expectConsistentMirror, readJson, removeDir, snapshot, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';

let upstream: SimulatedUpstream;
let dir: string;
let mirror: string;
const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => upstream.stop());
beforeEach(async () => {
  dir = await tempDir();
  mirror = join(dir, 'mirror');
  upstream.faults.clear();
  upstream.requests.length = 0;
});
afterEach(async () => removeDir(dir));

const cli = (...args: string[]) => runCli([...args, '--settings', join(dir, 'settings.json')]);
const liveVersion = async () => (await readJson(join(mirror, 'linux/production/arch_x86_64/manifest.json')))['DefinitionVersion'];
const backVersion = async () => (await readJson(join(mirror, 'linux/production_back/arch_x86_64/manifest.json')))['DefinitionVersion'];

describe('status', () => {
  beforeEach(async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'] });
  });

  it('exits 1 when a bundle is missing, naming it', async () => {
    const r = await cli('status');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/linux\/production\/x86_64\s+PROBLEM\s+-.*live missing/);
  });

  it('exits 0 when healthy and shows versions, size and the last run', async () => {
    expect((await cli('download')).code).toBe(0);
    const r = await cli('status');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('all healthy');
    expect(r.stdout).toMatch(new RegExp(`linux/production/x86_64\\s+ok\\s+${upstream.catalog.get(X86).signatures.replace(/\./g, '\\.')}\\s+\\S+\\s+512 KiB.*downloaded`));
    const json = JSON.parse((await cli('status', '--json')).stdout) as { bundles: { live: { state: string; sha256: string } }[]; exitCode: number };
    expect(json.exitCode).toBe(0);
    expect(json.bundles[0]!.live).toMatchObject({ state: 'ok', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('exits 1 when older than --max-age', async () => {
    expect((await cli('download')).code).toBe(0);
    const manifestFile = join(mirror, 'linux/production/arch_x86_64/manifest.json');
    const m = await readJson(manifestFile);
    await writeFile(manifestFile, JSON.stringify({ ...m, downloadedAt: new Date(Date.now() - 3 * 86_400_000).toISOString() }));
    expect((await cli('status', '--max-age', '4d')).code).toBe(0);
    const r = await cli('status', '--max-age', '2d');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live is 3d\d+h old \(more than 2d00h\)/);
    expect((await cli('status', '--max-age', 'two days')).code).toBe(2);
  });

  it('exits 1 when behind upstream (--check-upstream), 0 again after a download', async () => {
    expect((await cli('download')).code).toBe(0);
    expect((await cli('status', '--check-upstream')).code).toBe(0);
    upstream.catalog.bump({ os: 'linux' });
    const r = await cli('status', '--check-upstream');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`behind upstream ${upstream.catalog.get(X86).signatures}`);
    expect((await cli('download')).code).toBe(0);
    expect((await cli('status', '--check-upstream')).code).toBe(0);
  });

  it('finds a bundle with a flipped byte with --verify', async () => {
    expect((await cli('download')).code).toBe(0);
    const bundle = join(mirror, 'linux/production/arch_x86_64/updates.zip');
    const bytes = await readFile(bundle);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    await writeFile(bundle, bytes);
    expect((await cli('status')).code).toBe(0); // the cheap check (size) cannot see it
    const r = await cli('status', '--verify');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live broken: SHA-256 does not match the manifest/);
  });

  it('uses the bundle time as the age of a manifest written by the old scripts', async () => {
    expect((await cli('download')).code).toBe(0);
    const dirOf = join(mirror, 'linux/production/arch_x86_64');
    await writeFile(join(dirOf, 'manifest.json'), JSON.stringify({ EngineVersion: '1.1.1.1', DefinitionVersion: '1.2.3.4' }));
    const old = new Date(Date.now() - 5 * 86_400_000);
    await utimes(join(dirOf, 'updates.zip'), old, old);
    const r = await cli('status', '--max-age', '1d');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/live is 5d/);
  });
});

describe('rollback', () => {
  it('swaps live and backup, keeps the bad release out on the next download, installs the next one, and --undo reverses', async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'] });
    expect((await cli('download')).code).toBe(0);
    const good = upstream.catalog.get(X86).signatures;
    upstream.catalog.bump({ os: 'linux' });
    expect((await cli('download')).code).toBe(0);
    const bad = upstream.catalog.get(X86).signatures;
    expect(await liveVersion()).toBe(bad);

    const r = await cli('rollback', '--os', 'linux', '--arch', 'x86_64');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`linux/production/x86_64: ${bad} -> ${good} (${bad} held back until a newer release)`);
    expect(await liveVersion()).toBe(good);
    expect(await backVersion()).toBe(bad);
    await expectConsistentMirror(mirror);

    // Upstream still offers the bad release: it stays out, and no bundle is fetched.
    upstream.requests.length = 0;
    const again = await cli('download');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/held back/);
    expect(upstream.countRequests('bundle')).toBe(0);
    expect(await liveVersion()).toBe(good);
    const st = await cli('status', '--check-upstream');
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
    upstream.catalog.bump({ os: 'linux' });
    const next = await cli('download');
    expect(next.code).toBe(0);
    expect(await liveVersion()).toBe(upstream.catalog.get(X86).signatures);
    expect(await backVersion()).toBe(good);
    expect(await readJson(join(mirror, '.mdatp-mirror/held.json'))).toEqual({});
    await expectConsistentMirror(mirror);
  });

  it('refuses when there is no backup, changing nothing', async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'], backupPreviousUpdates: false });
    expect((await cli('download')).code).toBe(0);
    const before = await snapshot(mirror);
    const r = await cli('rollback');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not rolled back: no consistent backup to roll back to \(is backupPreviousUpdates on\?\)/);
    expect(await snapshot(mirror)).toEqual(before);
  });

  it('exits 2 on an unknown --os value', async () => {
    await writeSettings(dir, upstream);
    const r = await cli('rollback', '--os', 'windows');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Allowed choices are linux, mac/);
  });
});

describe('retention', () => {
  it('keepVersions: 3 keeps exactly three previous versions outside the served tree, restorable with rollback --to', async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'], keepVersions: 3 });
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) {
      if (i > 0) upstream.catalog.bump({ os: 'linux' });
      expect((await cli('download')).code).toBe(0);
      seen.push(upstream.catalog.get(X86).signatures);
    }
    const { readdir } = await import('node:fs/promises');
    const history = join(mirror, '.mdatp-mirror/history/live/linux/production/arch_x86_64');
    expect((await readdir(history)).sort()).toEqual(seen.slice(1, 4).map((v) => `${upstream.catalog.get(X86).engine}-${v}`).sort());
    // The served tree still has only live and _back.
    expect(Object.keys(await snapshot(mirror)).sort()).toEqual([
      'linux/production/arch_x86_64/manifest.json',
      'linux/production/arch_x86_64/updates.zip',
      'linux/production_back/arch_x86_64/manifest.json',
      'linux/production_back/arch_x86_64/updates.zip',
    ]);
    const st = await cli('status');
    expect(st.stdout).toContain(`history: ${seen[3]}, ${seen[2]}, ${seen[1]} (1.5 MiB)`);

    const r = await cli('rollback', '--to', seen[1]!);
    expect(r.code).toBe(0);
    expect(await liveVersion()).toBe(seen[1]);
    expect(await backVersion()).toBe(seen[4]);
    await expectConsistentMirror(mirror);
    const missing = await cli('rollback', '--to', '9.9.9.9');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('version 9.9.9.9 is neither in the backup nor in the retained history');
  });
});
