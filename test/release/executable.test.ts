// The single executables as an admin runs them: no Node.js on the machine (PATH holds no node), the arm64 one under
// qemu-aarch64-static with Debian's arm64 libraries, the archives unpacked with the standard tools.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../../src/simulate/server.js';
import { CLI, cleanEnv, runCli } from '../helpers/cli.js';
import { startUpstream, writeSettings } from '../helpers/mirror.js';
import { startServe } from '../helpers/serve.js';
import { artifact } from './artifacts.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-release-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const QEMU = '/usr/bin/qemu-aarch64-static';
const execFileAsync = promisify(execFile);

describe('the Linux x64 executable', () => {
  it('is what the CLI helper runs here, on a PATH that holds no node', () => {
    expect(CLI).toEqual([artifact.linuxX64]);
    const path = cleanEnv().PATH ?? '';
    expect(spawnSync('sh', ['-c', 'command -v node'], { env: { PATH: path } }).status).not.toBe(0);
  });

  it('names the version, the commit and its Node.js, and the Node version check does not apply', async () => {
    // Node 20 first on PATH, as on these machines: the executable does not care which node the machine has.
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^${artifact.version.replaceAll('.', '\\.')} \\(commit [0-9a-f]{12}(\\+dirty)?; Node\\.js 24\\.\\d+\\.\\d+, single executable\\)\\n$`,
      ),
    );
  });

  it('runs the demo (both passes) in a temp folder', async () => {
    const r = await runCli(['demo', '--dir', join(dir, 'demo')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/running again/);
    expect(existsSync(join(dir, 'demo', 'linux', 'production', 'arch_x86_64', 'manifest.json'))).toBe(true);
  });

  it('reports a usage mistake with exit 2 and no stack trace, as the npm install does', async () => {
    const r = await runCli(['download', '--settings', join(dir, 'missing.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('missing.json');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('unpacks from its .tar.xz with tar as one folder: executable, licence, README, notices', () => {
    execFileSync('tar', ['xJf', artifact.linuxX64Tar, '-C', dir]);
    const top = join(dir, `mdatp-mirror-${artifact.version}-linux-x64`);
    expect(readdirSync(top).sort()).toEqual(['LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt', 'mdatp-mirror']);
    expect(statSync(join(top, 'mdatp-mirror')).mode & 0o111).not.toBe(0);
    expect(execFileSync(join(top, 'mdatp-mirror'), ['--version'], { env: cleanEnv(), encoding: 'utf8' })).toContain('single executable');
  });
});

describe('the smoke path with the Linux x64 executable', () => {
  let upstream: SimulatedUpstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => upstream.stop());

  it('downloads twice against the simulator, reports status, and serves a bundle that curl fetches whole', async () => {
    const settings = await writeSettings(dir, upstream);
    const first = await runCli(['download', '--settings', settings]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/downloaded/);
    const second = await runCli(['download', '--settings', settings, '--json']);
    expect(second.code).toBe(0);
    const again = JSON.parse(second.stdout) as { exitCode: number; bundles: { status: string; bytesTransferred: number }[] };
    expect(again.exitCode).toBe(0);
    expect(again.bundles.length).toBeGreaterThan(0);
    for (const b of again.bundles) expect(b).toMatchObject({ status: 'up-to-date', bytesTransferred: 0 });
    expect((await runCli(['status', '--settings', settings])).code).toBe(0);
    const served = await startServe(['--settings', settings]);
    try {
      const zip = join(dir, 'fetched.zip');
      await execFileAsync('curl', ['-fsS', '-o', zip, `${served.base}/linux/production/arch_x86_64/updates.zip`]);
      expect(readFileSync(zip)).toEqual(readFileSync(join(dir, 'mirror/linux/production/arch_x86_64/updates.zip')));
    } finally {
      served.child.kill('SIGTERM');
      await served.child.result;
    }
  });
});

describe('the Linux arm64 executable under qemu-aarch64-static', () => {
  const arm = (...args: string[]) =>
    spawnSync(QEMU, ['-L', '/usr/aarch64-linux-gnu', artifact.linuxArm64, ...args], {
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 110_000,
    });

  it('is an aarch64 ELF that answers --version', () => {
    expect(execFileSync('file', ['-b', artifact.linuxArm64], { encoding: 'utf8' })).toMatch(/ELF 64-bit.*ARM aarch64/);
    const r = arm('--version');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Node\.js 24\.\d+\.\d+, single executable/);
  });

  it('runs the demo', () => {
    const r = arm('demo', '--dir', join(dir, 'demo-arm'));
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'demo-arm', 'linux', 'production', 'arch_arm64', 'manifest.json'))).toBe(true);
  });
});

describe('the Windows executable', () => {
  it('is a PE32+ x86-64 program, zipped with its licence, README and notices', () => {
    expect(execFileSync('file', ['-b', artifact.winX64], { encoding: 'utf8' })).toMatch(/PE32\+ executable.*x86-64/);
    execFileSync('unzip', ['-q', artifact.winX64Zip, '-d', dir]);
    const top = join(dir, `mdatp-mirror-${artifact.version}-win-x64`);
    expect(readdirSync(top).sort()).toEqual(['LICENSE', 'README.md', 'THIRD-PARTY-NOTICES.txt', 'mdatp-mirror.exe']);
    expect(execFileSync('unzip', ['-tq', artifact.winX64Zip], { encoding: 'utf8' })).toMatch(/No errors/);
  });
});
