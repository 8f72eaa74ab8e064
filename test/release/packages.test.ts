// The .deb installed, used, upgraded, removed and purged with dpkg on this Debian machine (as root, as CI runs), the
// .rpm inspected with rpm and rpmlint (installing it would need an RPM-based machine: not tested here), and the
// release's proof checked with the standard tools: sha256sum -c and minisign -Vm.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../../src/simulate/server.js';
import { startUpstream } from '../helpers/mirror.js';
import { artifact, releaseDir } from './artifacts.js';

const sh = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const tryRun = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const SETTINGS = '/etc/mdatp-mirror/settings.json';
const TREE = '/var/lib/mdatp-mirror/wdav-update';
/** The installed executable as the package's account. Asynchronous: the simulator answers from this very process. */
function asService(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('runuser', ['-u', 'mdatp-mirror', '--', '/usr/bin/mdatp-mirror', ...args, '--settings', SETTINGS], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return once(child, 'close').then(([status]) => ({ status: status as number | null, stdout, stderr }));
}
const installed = (): boolean => tryRun('dpkg-query', ['-W', '-f=${Status}', 'mdatp-mirror']).stdout.includes('installed');

describe('the .deb (amd64) through dpkg', () => {
  let upstream: SimulatedUpstream;
  let scratch: string;
  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error('the package test installs with dpkg: run it as root (CI does)');
    if (installed() || existsSync('/var/lib/mdatp-mirror'))
      throw new Error('mdatp-mirror is already on this machine: purge it first (dpkg -P mdatp-mirror)');
    upstream = await startUpstream();
    scratch = await mkdtemp(join(tmpdir(), 'mdatp-deb-'));
  });
  afterAll(async () => {
    if (installed()) tryRun('dpkg', ['-P', 'mdatp-mirror']);
    await upstream?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  it('has no lintian errors (the overrides say why each remaining tag is expected)', () => {
    for (const deb of [artifact.debAmd64, artifact.debArm64]) {
      const r = tryRun('lintian', ['--fail-on', 'error', deb]);
      expect(
        r.stdout.split('\n').filter((l) => l.startsWith('E:')),
        r.stdout,
      ).toEqual([]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
  });

  it('installs: the executable, the system account, its folders, a conffile, disabled units, completions and a man page', () => {
    sh('dpkg', ['-i', artifact.debAmd64]);
    expect(sh('/usr/bin/mdatp-mirror', ['--version'])).toMatch(/^0\.\d+\.\d+.*single executable/);
    expect(sh('getent', ['passwd', 'mdatp-mirror'])).toMatch(/^mdatp-mirror:x:\d+:\d+:/);
    const uid = Number(sh('id', ['-u', 'mdatp-mirror']));
    for (const dir of ['/var/lib/mdatp-mirror', TREE, '/var/log/mdatp-mirror']) expect(statSync(dir).uid, dir).toBe(uid);
    expect(sh('dpkg-query', ['-W', '-f=${Conffiles}', 'mdatp-mirror'])).toContain(SETTINGS);
    for (const f of [
      '/lib/systemd/system/mdatp-mirror.service',
      '/lib/systemd/system/mdatp-mirror.timer',
      '/lib/systemd/system/mdatp-mirror-serve.service',
      '/usr/share/bash-completion/completions/mdatp-mirror',
      '/usr/share/zsh/vendor-completions/_mdatp-mirror',
      '/usr/share/fish/vendor_completions.d/mdatp-mirror.fish',
      '/usr/share/man/man1/mdatp-mirror.1.gz',
      '/usr/share/mdatp-mirror/monitoring/grafana-dashboard.json',
    ])
      expect(existsSync(f), f).toBe(true);
    // The shipped alert rules pass their own unit test where they are installed.
    expect(
      execFileSync('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: '/usr/share/mdatp-mirror/monitoring', encoding: 'utf8' }),
    ).toContain('SUCCESS');
    // Shipped disabled: nothing links the units into a target until the admin enables them.
    expect(tryRun('sh', ['-c', 'ls /etc/systemd/system/*.wants/ 2>/dev/null | grep mdatp-mirror']).status).not.toBe(0);
    const unit = readFileSync('/lib/systemd/system/mdatp-mirror.service', 'utf8');
    expect(unit).toContain(`ExecStart=/usr/bin/mdatp-mirror download --quiet --settings ${SETTINGS}`);
    expect(unit).toContain('User=mdatp-mirror');
    const verify = tryRun('systemd-analyze', [
      'verify',
      '/lib/systemd/system/mdatp-mirror.timer',
      '/lib/systemd/system/mdatp-mirror-serve.service',
    ]);
    expect(verify.status, verify.stderr).toBe(0);
    // The man page renders (mandoc reads the installed, compressed page).
    expect(sh('mandoc', ['-T', 'ascii', '/usr/share/man/man1/mdatp-mirror.1.gz'])).toMatch(/mdatp-mirror/);
    const settings = JSON.parse(readFileSync(SETTINGS, 'utf8')) as Record<string, unknown>;
    expect(settings.downloadFolder).toBe(TREE);
  });

  it('runs as its account with the packaged settings, pointed at the simulator', async () => {
    const settings = JSON.parse(await readFile(SETTINGS, 'utf8')) as Record<string, unknown>;
    await writeFile(SETTINGS, JSON.stringify({ ...settings, baseUpdateUrl: upstream.baseUrl, downloadMacUpdates: false }, null, 2));
    const check = await asService('check');
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const download = await asService('download');
    expect(download.status, download.stdout + download.stderr).toBe(0);
    expect(existsSync(join(TREE, 'linux/production/arch_x86_64/manifest.json'))).toBe(true);
    expect(statSync(join(TREE, 'linux/production/arch_x86_64/manifest.json')).uid).toBe(Number(sh('id', ['-u', 'mdatp-mirror'])));
    expect((await asService('status')).status).toBe(0);
  });

  it('an upgrade keeps the edited settings and the mirror; removing keeps them; purging leaves nothing', async () => {
    const edited = await readFile(SETTINGS, 'utf8');
    const manifest = await readFile(join(TREE, 'linux/production/arch_x86_64/manifest.json'), 'utf8');
    // The next version, made from this one as a newer release would be: same files, a higher version.
    const unpacked = join(scratch, 'next');
    sh('dpkg-deb', ['-R', artifact.debAmd64, unpacked]);
    const control = join(unpacked, 'DEBIAN/control');
    await writeFile(control, (await readFile(control, 'utf8')).replace(/^Version: (.*)$/m, 'Version: $1+upgrade1'));
    const next = join(scratch, 'next.deb');
    sh('dpkg-deb', ['--root-owner-group', '-b', unpacked, next]);
    sh('dpkg', ['-i', next]);
    expect(sh('dpkg-query', ['-W', '-f=${Version}', 'mdatp-mirror'])).toMatch(/\+upgrade1$/);
    expect(await readFile(SETTINGS, 'utf8')).toBe(edited);
    expect(await readFile(join(TREE, 'linux/production/arch_x86_64/manifest.json'), 'utf8')).toBe(manifest);

    sh('dpkg', ['-r', 'mdatp-mirror']);
    expect(existsSync('/usr/bin/mdatp-mirror')).toBe(false);
    expect(await readFile(SETTINGS, 'utf8')).toBe(edited);
    expect(existsSync(join(TREE, 'linux/production/arch_x86_64/manifest.json'))).toBe(true);

    sh('dpkg', ['-P', 'mdatp-mirror']);
    for (const gone of ['/etc/mdatp-mirror', '/var/lib/mdatp-mirror', '/var/log/mdatp-mirror']) expect(existsSync(gone), gone).toBe(false);
    expect(tryRun('getent', ['passwd', 'mdatp-mirror']).status).not.toBe(0);
  });
});

describe('the .rpm (x86_64 and aarch64)', () => {
  const query = (rpm: string, ...q: string[]) => sh('rpm', ['-qp', ...q, rpm]);

  it('holds the same files, settings.json as %config(noreplace), the account made in %pre, for its architecture', () => {
    for (const [rpm, arch] of [
      [artifact.rpmX86, 'x86_64'],
      [artifact.rpmAarch64, 'aarch64'],
    ] as const) {
      const files = query(rpm, '--list').split('\n');
      for (const f of [
        '/usr/bin/mdatp-mirror',
        SETTINGS,
        '/usr/lib/systemd/system/mdatp-mirror.timer',
        '/usr/share/man/man1/mdatp-mirror.1.gz',
        '/usr/share/mdatp-mirror/monitoring/alerts.yml',
        TREE,
      ])
        expect(files, f).toContain(f);
      expect(query(rpm, '--configfiles').trim()).toBe(SETTINGS);
      expect(query(rpm, '--qf', '[%{FILEFLAGS:fflags} %{FILENAMES}\\n]')).toMatch(new RegExp(`cn ${SETTINGS}`));
      expect(query(rpm, '--scripts')).toMatch(/useradd -r -g mdatp-mirror/);
      expect(query(rpm, '--qf', '%{ARCH}')).toBe(arch);
      expect(query(rpm, '--qf', '[%{FILEUSERNAME} %{FILENAMES}\\n]')).toContain(`mdatp-mirror ${TREE}`);
    }
  });

  it('has no rpmlint errors (packaging/rpm/mdatp-mirror.rpmlintrc says why each filter is there)', () => {
    const r = tryRun('rpmlint', ['-r', 'packaging/rpm/mdatp-mirror.rpmlintrc', artifact.rpmX86, artifact.rpmAarch64]);
    expect(r.stdout, r.stdout + r.stderr).toMatch(/\b0 errors\b/);
  });
});

describe('the proof: SHA256SUMS, its minisign signature, the SBOM', () => {
  it('sha256sum -c checks every artifact in the release folder', () => {
    const listed = readFileSync(artifact.sums, 'utf8').trim().split('\n');
    const names = listed.map((l) => l.split('  ')[1]);
    expect(names).toEqual(
      expect.arrayContaining(
        Object.values(artifact)
          .filter((v) => v.startsWith(releaseDir) && v !== artifact.sums)
          .map((v) => v.slice(releaseDir.length)),
      ),
    );
    const r = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: releaseDir, encoding: 'utf8' });
    expect(r.trim().split('\n')).toHaveLength(listed.length);
    expect(r).not.toMatch(/FAILED/);
  });

  it('minisign -Vm proves SHA256SUMS with the release public key, and refuses a changed file', async () => {
    const pub = process.env.MDATP_RELEASE_PUBLIC_KEY;
    if (!pub) throw new Error('MDATP_RELEASE_PUBLIC_KEY is not set: .ci/run makes a release key and passes its public half');
    expect(sh('minisign', ['-Vm', artifact.sums, '-p', pub])).toMatch(
      /Signature and comment signature verified[\s\S]*Trusted comment: mdatp-mirror \d/,
    );
    const copy = join(await mkdtemp(join(tmpdir(), 'mdatp-sums-')), 'SHA256SUMS');
    await writeFile(copy, `${await readFile(artifact.sums, 'utf8')}0000  extra\n`);
    await writeFile(`${copy}.minisig`, await readFile(`${artifact.sums}.minisig`));
    expect(tryRun('minisign', ['-Vm', copy, '-p', pub]).status).not.toBe(0);
  });

  it('the SBOM is CycloneDX JSON naming what the executables carry, and their Node.js', () => {
    const bom = JSON.parse(readFileSync(artifact.sbom, 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      components: { name: string; version: string; purl: string }[];
    };
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toBe('1.5');
    const names = bom.components.map((c) => c.name);
    for (const n of ['undici', 'commander', 'zod', '@aws-sdk/client-s3', '@azure/storage-blob', 'node']) expect(names, n).toContain(n);
    for (const c of bom.components) expect(c.purl).toMatch(/^pkg:(npm|generic)\/.+@.+/);
  });
});
