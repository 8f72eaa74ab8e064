// Across the air gap and between sites: keygen, the signed index (checked with the real minisign), export/import
// through real tar files and pipes, every refusal leaving the tree untouched, and a mirror fed from a mirror.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { CLI, cleanEnv, runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { expectConsistentMirror, flipByte, readJson, snapshot, writeSettings } from './helpers/mirror.js';
import { startServe } from './helpers/serve.js';

const f = useMirrorFixture();
const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;
const X86_DIR = 'linux/production/arch_x86_64';

/** The connected side ("central", signing) lives in f.dir; the disconnected side in f.dir/site. */
const central = (...args: string[]) => runCli([...args, '--settings', join(f.dir, 'settings.json')]);
const site = (...args: string[]) => runCli([...args, '--settings', join(f.dir, 'site', 'settings.json')]);
const siteMirror = () => join(f.dir, 'site', 'mirror');
const tar = (...args: string[]) => execFileSync('tar', args, { cwd: f.dir, encoding: 'utf8' });

async function setUp(siteExtra: Record<string, unknown> = {}): Promise<void> {
  expect((await runCli(['keygen', '--out', join(f.dir, 'keys')])).code).toBe(0);
  await writeSettings(f.dir, f.upstream, { signingKey: 'keys/mdatp-mirror.key', mirrorName: 'central' });
  await mkdir(join(f.dir, 'site'));
  await writeSettings(join(f.dir, 'site'), 'https://unreachable.invalid/fwlink/', {
    trustedKeys: ['../keys/mdatp-mirror.pub'],
    ...siteExtra,
  });
}

/** Unpacks an archive, lets the test change files, and packs it again in the same order with GNU tar. */
async function rewriteArchive(archive: string, change: (dir: string) => Promise<void>, drop: string[] = []): Promise<string> {
  const dir = join(f.dir, 'unpacked');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir);
  const names = tar('tf', archive).trim().split('\n');
  tar('xf', archive, '-C', dir);
  await change(dir);
  const out = join(f.dir, 'rewritten.tar');
  execFileSync('tar', ['--format=ustar', '-cf', out, ...names.filter((n) => !drop.includes(n))], { cwd: dir });
  return out;
}

describe('keygen', () => {
  it('writes a minisign key pair (secret 0600) that the real minisign signs with, and never overwrites it', async () => {
    const r = await runCli(['keygen', '--out', join(f.dir, 'keys')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/key [0-9A-F]{16}/);
    const key = join(f.dir, 'keys', 'mdatp-mirror.key');
    const pub = join(f.dir, 'keys', 'mdatp-mirror.pub');
    if (process.platform !== 'win32') expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain((await readFile(key, 'utf8')).split('\n')[1]);
    await writeFile(join(f.dir, 'note.txt'), 'hello\n');
    execFileSync('minisign', ['-S', '-s', key, '-m', join(f.dir, 'note.txt')], { stdio: 'pipe' });
    expect(execFileSync('minisign', ['-V', '-p', pub, '-m', join(f.dir, 'note.txt')], { encoding: 'utf8' })).toContain('verified');

    const before = await readFile(key);
    const again = await runCli(['keygen', '--out', join(f.dir, 'keys')]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/mdatp-mirror\.key already exists/);
    expect(await readFile(key)).toEqual(before);
  });
});

describe('signed index', () => {
  beforeEach(() => setUp());

  it('download with signingKey writes index.json that the real minisign verifies, and status reports it', async () => {
    expect((await central('download')).code).toBe(0);
    const out = execFileSync('minisign', ['-V', '-p', join(f.dir, 'keys/mdatp-mirror.pub'), '-m', join(f.mirror, 'index.json')], {
      encoding: 'utf8',
    });
    expect(out).toContain('Signature and comment signature verified');
    expect(out).toContain('mirror:central');
    const index = await readJson<{ files: { path: string; sha256: string; DefinitionVersion?: string }[] }>(join(f.mirror, 'index.json'));
    const manifest = await readJson<{ sha256: string; DefinitionVersion: string }>(join(f.mirror, X86_DIR, 'manifest.json'));
    expect(index.files.find((e) => e.path === `${X86_DIR}/updates.zip`)).toMatchObject({
      sha256: manifest.sha256,
      DefinitionVersion: manifest.DefinitionVersion,
    });
    const status = await central('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/index: signed by key [0-9A-F]{16}, matches the tree/);

    // A second run with nothing new leaves the signed index as it was.
    const first = await readFile(join(f.mirror, 'index.json.minisig'), 'utf8');
    expect((await central('download')).code).toBe(0);
    expect(await readFile(join(f.mirror, 'index.json.minisig'), 'utf8')).toBe(first);

    // The backup is described too after a release; a hand-made change to the tree shows in status.
    f.upstream.catalog.bump(X86);
    expect((await central('download')).code).toBe(0);
    const after = await readJson<{ files: { path: string }[] }>(join(f.mirror, 'index.json'));
    expect(after.files.map((e) => e.path)).toContain('linux/production_back/arch_x86_64/updates.zip');
    await writeFile(join(f.mirror, 'index.json'), (await readFile(join(f.mirror, 'index.json'), 'utf8')).replace('central', 'evil'));
    const bad = await central('status');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/index: PROBLEM: .*does not match the signed file/);

    // A rollback changes the live tree, so it re-signs an index that matches it again.
    expect((await central('rollback', '--arch', 'x86_64')).code).toBe(0);
    const rolled = await central('status');
    expect(rolled.stdout).toMatch(/index: signed by key [0-9A-F]{16}, matches the tree/);
    const rolledIndex = await readJson<{ files: { path: string; DefinitionVersion?: string }[] }>(join(f.mirror, 'index.json'));
    const liveNow = await readJson<{ DefinitionVersion: string }>(join(f.mirror, X86_DIR, 'manifest.json'));
    expect(rolledIndex.files.find((e) => e.path === `${X86_DIR}/updates.zip`)?.DefinitionVersion).toBe(liveNow.DefinitionVersion);
  });

  it('a key made by `minisign -G -W` signs the index', async () => {
    execFileSync('minisign', ['-G', '-W', '-p', join(f.dir, 'own.pub'), '-s', join(f.dir, 'own.key')], { stdio: 'pipe' });
    await writeSettings(f.dir, f.upstream, { signingKey: 'own.key' });
    expect((await central('download')).code).toBe(0);
    execFileSync('minisign', ['-V', '-p', join(f.dir, 'own.pub'), '-m', join(f.mirror, 'index.json')], { stdio: 'pipe' });
  });

  it('a password-protected or missing signingKey exits 2 before anything is created', async () => {
    await writeSettings(f.dir, f.upstream, { signingKey: 'keys/nope.key' });
    const missing = await central('download');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/signingKey .*nope\.key does not exist: make a key pair with `mdatp-mirror keygen/);
    expect(existsSync(f.mirror)).toBe(false);
    // minisign's default key is encrypted; we cannot type its password unattended.
    const key = (await readFile(join(f.dir, 'keys/mdatp-mirror.key'), 'utf8')).split('\n');
    const bytes = Buffer.from(key[1]!, 'base64');
    bytes.write('Sc', 2, 'latin1');
    await writeFile(join(f.dir, 'enc.key'), `${key[0]}\n${bytes.toString('base64')}\n`);
    await writeSettings(f.dir, f.upstream, { signingKey: 'enc.key' });
    const enc = await central('download');
    expect(enc.code).toBe(2);
    expect(enc.stderr).toMatch(/protected by a password.*minisign -G -W/);
  });
});

describe('export and import', () => {
  beforeEach(() => setUp());

  it('carries the live bundles byte for byte; the disconnected side verifies; a second import changes nothing', async () => {
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'bundles.tar');
    const ex = await central('export', '--out', archive);
    expect(ex.code).toBe(0);
    expect(ex.stdout).toMatch(/2 bundle\(s\).*signed by key/);
    expect(tar('tf', archive).trim().split('\n')).toEqual([
      'index.json',
      'index.json.minisig',
      `${X86_DIR}/manifest.json`,
      `${X86_DIR}/updates.zip`,
      'linux/production/arch_arm64/manifest.json',
      'linux/production/arch_arm64/updates.zip',
    ]);
    // Anyone can check the archive's index by hand.
    await rewriteArchive(archive, (dir) => {
      execFileSync('minisign', ['-V', '-p', join(f.dir, 'keys/mdatp-mirror.pub'), '-m', join(dir, 'index.json')], { stdio: 'pipe' });
      return Promise.resolve();
    });

    const only = join(f.dir, 'arm64.tar');
    expect((await central('export', '--bundles', 'linux/production/arm64', '--out', only)).code).toBe(0);
    expect(tar('tf', only).trim().split('\n').slice(2)).toEqual([
      'linux/production/arch_arm64/manifest.json',
      'linux/production/arch_arm64/updates.zip',
    ]);
    const typo = await central('export', '--bundles', 'linux/prod/arm64', '--out', only);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/"linux\/prod\/arm64" is not a bundle; write it like linux\/production\/x86_64/);

    const im = await site('import', archive);
    expect(im.code).toBe(0);
    expect(im.stdout).toMatch(/signed by trusted key [0-9A-F]{16}/);
    expect(im.stdout).toMatch(/linux\/production\/x86_64\s+imported/);
    expect(await readFile(join(siteMirror(), X86_DIR, 'updates.zip'))).toEqual(await readFile(join(f.mirror, X86_DIR, 'updates.zip')));
    await expectConsistentMirror(siteMirror());
    const verify = await runCli(['verify', join(siteMirror(), 'linux', 'production')]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const snap = await snapshot(siteMirror());
    const again = await site('import', archive, '--json');
    expect(again.code).toBe(0);
    expect((JSON.parse(again.stdout) as { bundles: { status: string }[] }).bundles.map((b) => b.status)).toEqual([
      'up-to-date',
      'up-to-date',
    ]);
    expect(await snapshot(siteMirror())).toEqual(snap);
  });

  it('refuses a flipped byte, an edited index, an untrusted key, a missing signature and a cut archive, leaving the tree untouched', async () => {
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'bundles.tar');
    expect((await central('export', '--out', archive)).code).toBe(0);
    // The site already serves an older release: each refusal must leave it exactly so.
    f.upstream.catalog.bump(X86);
    await writeSettings(join(f.dir, 'site'), f.upstream, { trustedKeys: ['../keys/mdatp-mirror.pub'] });
    expect((await site('download')).code).toBe(0);
    const before = await snapshot(siteMirror());

    const expectRefused = async (file: string, pattern: RegExp, ...flags: string[]): Promise<void> => {
      const r = await site('import', file, ...flags);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(await snapshot(siteMirror())).toEqual(before);
      await expectConsistentMirror(siteMirror());
    };

    await expectRefused(
      await rewriteArchive(archive, (dir) => flipByte(join(dir, X86_DIR, 'updates.zip'))),
      /updates\.zip differs from the index \(SHA-256\)/,
    );
    await expectRefused(
      await rewriteArchive(archive, async (dir) => {
        const p = join(dir, 'index.json');
        await writeFile(p, (await readFile(p, 'utf8')).replace('"mirror": "central"', '"mirror": "elsewhere"'));
      }),
      /index\.json\.minisig does not match the signed file/,
    );
    await expectRefused(await rewriteArchive(archive, () => Promise.resolve(), ['index.json.minisig']), /has no index\.json\.minisig/);
    const cut = join(f.dir, 'cut.tar');
    const whole = await readFile(archive);
    await writeFile(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
    await expectRefused(
      cut,
      new RegExp(`cut short at byte \\d+, inside ${X86_DIR}|cut short at byte \\d+, inside linux/production/arch_arm64`),
    );

    execFileSync('minisign', ['-G', '-W', '-p', join(f.dir, 'other.pub'), '-s', join(f.dir, 'other.key')], { stdio: 'pipe' });
    await writeSettings(join(f.dir, 'site'), f.upstream, { trustedKeys: ['../other.pub'] });
    await expectRefused(archive, /made by key [0-9A-F]{16}, which is not among the trusted keys/);
  });

  it('a bundle that is no zip, in an archive signed as if it were, fails that bundle alone (exit 1); the rest imports', async () => {
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'bundles.tar');
    expect((await central('export', '--out', archive)).code).toBe(0);
    // What a sending mirror with a bug (or a stolen key) could produce: the index and its signature vouch for bad bytes.
    const forged = await rewriteArchive(archive, async (dir) => {
      const bundle = join(dir, X86_DIR, 'updates.zip');
      await flipByte(bundle);
      const sha256 = createHash('sha256')
        .update(await readFile(bundle))
        .digest('hex');
      const indexPath = join(dir, 'index.json');
      const index = JSON.parse(await readFile(indexPath, 'utf8')) as { files: { path: string; sha256: string }[] };
      for (const file of index.files) if (file.path === `${X86_DIR}/updates.zip`) file.sha256 = sha256;
      await writeFile(indexPath, JSON.stringify(index, null, 2));
      execFileSync('minisign', ['-S', '-s', join(f.dir, 'keys/mdatp-mirror.key'), '-m', indexPath, '-x', `${indexPath}.minisig`], {
        stdio: 'pipe',
      });
    });
    const r = await site('import', forged);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(
      /linux\/production\/x86_64\s+FAILED .*BUNDLE_CRC_MISMATCH: bundle from archive \S+ \(mirror central\): entry \S+ fails its CRC-32 check/,
    );
    expect(r.stdout).toMatch(/export them again from a mirror that verifies them/);
    expect(r.stdout).toMatch(/linux\/production\/arm64\s+imported/);
    expect(existsSync(join(siteMirror(), X86_DIR))).toBe(false);
    await expectConsistentMirror(siteMirror());
  });

  it('trusts a public key copied by Windows PowerShell 5.1 (`Get-Content a.pub > b.pub` writes UTF-16 with a byte-order mark)', async () => {
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'bundles.tar');
    expect((await central('export', '--out', archive)).code).toBe(0);
    const pub = (await readFile(join(f.dir, 'keys/mdatp-mirror.pub'), 'utf8')).trimEnd().split('\n').join('\r\n') + '\r\n';
    await writeFile(join(f.dir, 'site', 'central.pub'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pub, 'utf16le')]));
    await writeSettings(join(f.dir, 'site'), f.upstream, { trustedKeys: ['central.pub'] });
    const im = await site('import', archive);
    expect(im.code, im.stderr).toBe(0);
    expect(im.stdout).toMatch(/signed by trusted key [0-9A-F]{16}/);
  });

  it('without trustedKeys exits 2 saying how to configure it; --allow-unsigned takes an unsigned archive', async () => {
    await writeSettings(f.dir, f.upstream, {});
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'unsigned.tar');
    const ex = await central('export', '--out', archive);
    expect(ex.stdout).toContain('UNSIGNED');
    await writeSettings(join(f.dir, 'site'), f.upstream, {});
    const r = await site('import', archive);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/import needs "trustedKeys".*--allow-unsigned/);
    expect(existsSync(siteMirror())).toBe(false);
    const ok = await site('import', archive, '--allow-unsigned');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('UNSIGNED (--allow-unsigned)');
  });

  it('--since last carries exactly the bundle that changed, and its import rotates the backup; an older archive is skipped', async () => {
    expect((await central('download')).code).toBe(0);
    const full = join(f.dir, 'full.tar');
    expect((await central('export', '--out', full)).code).toBe(0);
    expect((await site('import', full)).code).toBe(0);
    const first = f.upstream.catalog.get(X86).signatures;

    f.upstream.catalog.bump(X86);
    expect((await central('download')).code).toBe(0);
    const delta = join(f.dir, 'delta.tar');
    const ex = await central('export', '--since', 'last', '--out', delta);
    expect(ex.code).toBe(0);
    expect(ex.stdout).toMatch(/unchanged since the last export, left out: linux\/production\/arm64/);
    expect(tar('tf', delta).trim().split('\n')).toEqual([
      'index.json',
      'index.json.minisig',
      `${X86_DIR}/manifest.json`,
      `${X86_DIR}/updates.zip`,
    ]);

    expect((await site('import', delta)).code).toBe(0);
    expect((await readJson(join(siteMirror(), X86_DIR, 'manifest.json')))['DefinitionVersion']).toBe(
      f.upstream.catalog.get(X86).signatures,
    );
    expect((await readJson(join(siteMirror(), 'linux/production_back/arch_x86_64/manifest.json')))['DefinitionVersion']).toBe(first);
    await expectConsistentMirror(siteMirror());

    // Nothing changed since: an empty delta.
    const none = await central('export', '--since', 'last', '--out', join(f.dir, 'none.tar'), '--json');
    expect((JSON.parse(none.stdout) as { bundles: unknown[] }).bundles).toEqual([]);

    const snap = await snapshot(siteMirror());
    const old = await site('import', full);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/linux\/production\/x86_64\s+skipped.*older than live/);
    expect(await snapshot(siteMirror())).toEqual(snap);
    const down = await site('import', full, '--allow-downgrade');
    expect(down.stdout).toMatch(/linux\/production\/x86_64\s+imported/);
  });

  it('Ctrl-C or kill -9 in the middle of an import leaves the live tree as it was; the next import completes', async () => {
    expect((await central('download')).code).toBe(0);
    expect((await central('export', '--out', join(f.dir, 'v1.tar'))).code).toBe(0);
    expect((await site('import', join(f.dir, 'v1.tar'))).code).toBe(0);
    f.upstream.catalog.bump();
    expect((await central('download')).code).toBe(0);
    const archive = join(f.dir, 'v2.tar');
    expect((await central('export', '--out', archive)).code).toBe(0);
    const bytes = await readFile(archive);
    const before = await snapshot(siteMirror());
    const tmp = join(siteMirror(), '.mdatp-mirror', 'tmp');

    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      const child = spawn(CLI[0]!, [...CLI.slice(1), 'import', '-', '--settings', join(f.dir, 'site', 'settings.json')], {
        env: cleanEnv(),
        stdio: ['pipe', 'ignore', 'ignore'],
      });
      child.stdin.on('error', () => undefined);
      // Most of the archive arrives, then the sender stalls (a slow link, a pulled stick): the import is mid-bundle.
      child.stdin.write(bytes.subarray(0, Math.floor(bytes.length * 0.7)));
      await vi.waitFor(async () => expect((await readdir(tmp).catch(() => [])).length).toBeGreaterThan(0), {
        timeout: 10_000,
        interval: 20,
      });
      child.kill(signal);
      const [code, killed] = (await once(child, 'close')) as [number | null, string | null];
      if (signal === 'SIGINT') expect(code).toBe(130);
      else expect(killed).toBe('SIGKILL');
      expect(await snapshot(siteMirror())).toEqual(before);
    }
    const r = await site('import', archive);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/2 imported/);
    await expectConsistentMirror(siteMirror());
  });

  it('streams through a pipe: export --out - | import -', async () => {
    expect((await central('download')).code).toBe(0);
    const exporter = spawn(CLI[0]!, [...CLI.slice(1), 'export', '--out', '-', '--settings', join(f.dir, 'settings.json')], {
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const importer = spawn(CLI[0]!, [...CLI.slice(1), 'import', '-', '--settings', join(f.dir, 'site', 'settings.json')], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    exporter.stdout.pipe(importer.stdin);
    let exportErr = '';
    let importOut = '';
    exporter.stderr.on('data', (c: Buffer) => (exportErr += c.toString()));
    importer.stdout.on('data', (c: Buffer) => (importOut += c.toString()));
    const [[exportCode], [importCode]] = await Promise.all([once(exporter, 'close'), once(importer, 'close')]);
    expect(exportCode).toBe(0);
    expect(exportErr).toMatch(/2 bundle\(s\).* to -/);
    expect(importCode, importOut).toBe(0);
    expect(importOut).toMatch(/2 imported/);
    await expectConsistentMirror(siteMirror());
  });
});

describe('a mirror fed from a mirror', () => {
  beforeEach(() => setUp());

  it('converges over HTTP from serve, and refuses a bundle changed upstream without a new signature', async () => {
    expect((await central('download')).code).toBe(0);
    const served = await startServe(['--settings', join(f.dir, 'settings.json')]);
    try {
      await writeSettings(join(f.dir, 'site'), 'https://unreachable.invalid/fwlink/', {
        trustedKeys: ['../keys/mdatp-mirror.pub'],
        upstreamMirror: `${served.base}/`,
      });
      const first = await site('download');
      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(first.stdout).toMatch(/2 downloaded/);
      expect(await readFile(join(siteMirror(), X86_DIR, 'updates.zip'))).toEqual(await readFile(join(f.mirror, X86_DIR, 'updates.zip')));
      const status = await site('status', '--check-upstream');
      expect(status.code).toBe(0);
      expect((await site('download')).stdout).toMatch(/2 up to date/);

      // A new release reaches central; someone then swaps central's bundle without re-signing.
      f.upstream.catalog.bump(X86);
      expect((await central('download')).code).toBe(0);
      await copyFile(join(f.mirror, 'linux/production_back/arch_x86_64/updates.zip'), join(f.mirror, X86_DIR, 'updates.zip'));
      const before = await snapshot(siteMirror());
      const refused = await site('download');
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/BUNDLE_NOT_VOUCHED: .*not the one the upstream mirror's signed index vouches for/);
      expect(await snapshot(siteMirror())).toEqual(before);
      await expectConsistentMirror(siteMirror());
    } finally {
      served.child.kill();
    }
  });

  it('reads a mirror given as a folder, and exits 2 when upstreamMirror has no trustedKeys', async () => {
    expect((await central('download')).code).toBe(0);
    await writeSettings(join(f.dir, 'site'), 'https://unreachable.invalid/fwlink/', {
      trustedKeys: ['../keys/mdatp-mirror.pub'],
      upstreamMirror: '../mirror',
    });
    const r = await site('download');
    expect(r.code, r.stderr).toBe(0);
    await expectConsistentMirror(siteMirror());
    await writeSettings(join(f.dir, 'site'), 'https://unreachable.invalid/fwlink/', { upstreamMirror: '../mirror' });
    const bad = await site('download');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/"upstreamMirror" needs "trustedKeys"/);
  });
});
