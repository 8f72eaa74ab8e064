// The Windows smoke suite: the built CLI run by Node.js for Windows under Wine (see wine.ts), against the simulated
// upstream on loopback, with the mirror in C:\smoke. What cannot apply on Windows is said where it is left out:
// POSIX signals other than Ctrl-C, systemd and crontab are tested on Linux only.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../../src/simulate/server.js';
import { expectConsistentMirror, readJson, snapshot, startUpstream } from '../helpers/mirror.js';
import { pausedDownload } from '../helpers/serve.js';
import { onDriveC, runWin, runsSingleExecutable, startWinServe, type WinServe } from './wine.js';

const ROOT = 'C:\\smoke';
const MIRROR = `${ROOT}\\mirror`;
const SETTINGS = `${ROOT}\\settings.json`;
const LIVE = 'linux/production/arch_x86_64';
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

let upstream: SimulatedUpstream;
const servers: WinServe[] = [];

beforeAll(async () => {
  // Larger than loopback socket buffers, so a paused client really holds the served file open.
  upstream = await startUpstream({ bundleSize: 8 * 1024 * 1024 });
  await rm(onDriveC(ROOT), { recursive: true, force: true });
  await mkdir(onDriveC(ROOT), { recursive: true });
  // No logFilePath: the default, %TEMP%\mdatp_offline_updates.log, is part of what is tested.
  const settings = {
    downloadFolder: MIRROR,
    downloadLinuxUpdates: true,
    downloadMacUpdates: false,
    downloadPreviewUpdates: false,
    backupPreviousUpdates: true,
    baseUpdateUrl: upstream.baseUrl,
  };
  // As Windows PowerShell 5.1 saves it (Microsoft's settings.ps1: ConvertTo-Json | Out-File): UTF-16 LE with a
  // byte-order mark and CRLF line ends.
  const text = JSON.stringify(settings, null, 2).replace(/\n/g, '\r\n');
  await writeFile(onDriveC(SETTINGS), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await upstream.stop();
});

const download = (...args: string[]) => runWin(['download', '--settings', SETTINGS, ...args]);

async function serveMirror(): Promise<WinServe> {
  const s = await startWinServe(['--settings', SETTINGS]);
  servers.push(s);
  return s;
}

async function fetchBody(url: string): Promise<Buffer> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('Windows (Node.js for Windows under Wine)', () => {
  it('--version names the build: Node.js 22 for Windows, or the single executable made on it', async () => {
    const r = await runWin(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(runsSingleExecutable ? /; Node\.js 22\.\d+\.\d+, single executable\)/ : /; Node\.js 22\.\d+\.\d+\)/);
  });

  it('demo runs both passes in a C:\\ folder', async () => {
    const r = await runWin(['demo', '--dir', `${ROOT}\\demo`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/8 bundle\(s\): 2 downloaded, 6 up to date, 0 failed/);
    await expectConsistentMirror(onDriveC(`${ROOT}\\demo`));
  });

  it('download: fresh, then nothing to do, then only the new release, with the log under %TEMP%', async () => {
    const fresh = await download();
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toMatch(/2 bundle\(s\): 2 downloaded, 0 up to date, 0 failed/);
    const log = onDriveC(`C:\\users\\${userInfo().username}\\Temp\\mdatp_offline_updates.log`);
    expect(await readFile(log, 'utf8')).toMatch(/"decision":"downloaded"/);

    const bundleRequests = upstream.countRequests('bundle');
    const again = await download();
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/2 bundle\(s\): 0 downloaded, 2 up to date/);
    expect(upstream.countRequests('bundle')).toBe(bundleRequests);

    const before = await snapshot(onDriveC(MIRROR));
    upstream.catalog.bump({ os: 'linux', channel: 'production', arch: 'x86_64' });
    const release = await download();
    expect(release.code).toBe(0);
    expect(release.stdout).toMatch(/2 bundle\(s\): 1 downloaded, 1 up to date/);
    const after = await snapshot(onDriveC(MIRROR));
    expect(after['linux/production_back/arch_x86_64/updates.zip']).toBe(before[`${LIVE}/updates.zip`]);
    await expectConsistentMirror(onDriveC(MIRROR));
  });

  it('status --verify --check-upstream is healthy', async () => {
    const r = await runWin(['status', '--settings', SETTINGS, '--verify', '--check-upstream']);
    expect(r.stdout + r.stderr).not.toMatch(/FAILED|mismatch/i);
    expect(r.code).toBe(0);
  });

  it('rollback and rollback --undo swap the live and backup pairs, whole', async () => {
    const before = await snapshot(onDriveC(MIRROR));
    const back = await runWin(['rollback', '--settings', SETTINGS, '--os', 'linux', '--arch', 'x86_64']);
    expect(back.stderr).toBe('');
    expect(back.code).toBe(0);
    const rolled = await snapshot(onDriveC(MIRROR));
    expect(rolled[`${LIVE}/updates.zip`]).toBe(before['linux/production_back/arch_x86_64/updates.zip']);
    const undo = await runWin(['rollback', '--settings', SETTINGS, '--undo', '--os', 'linux', '--arch', 'x86_64']);
    expect(undo.code).toBe(0);
    expect((await snapshot(onDriveC(MIRROR)))[`${LIVE}/updates.zip`]).toBe(before[`${LIVE}/updates.zip`]);
    await expectConsistentMirror(onDriveC(MIRROR));
  });

  it('verify takes a C:\\ folder (backslashes) and a URL', async () => {
    const folder = await runWin(['verify', `${MIRROR}\\linux\\production`, '--check-upstream', '--base-url', upstream.baseUrl]);
    expect(folder.stderr).toBe('');
    expect(folder.code).toBe(0);
    const s = await serveMirror();
    const url = await runWin(['verify', `${s.base}/linux/production/`]);
    expect(url.stderr).toBe('');
    expect(url.code).toBe(0);
  });

  it('schedule install --with windows-task writes Task Scheduler XML with Windows paths', async () => {
    const r = await runWin(['schedule', 'install', '--with', 'windows-task', '--settings', SETTINGS, '--out', `${ROOT}\\task`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/schtasks \/Create \/TN mdatp-mirror \/XML/);
    const raw = await readFile(onDriveC(`${ROOT}\\task\\mdatp-mirror-task.xml`));
    const task = new XMLParser().parse(raw.subarray(2).toString('utf16le')) as {
      Task: { Actions: { Exec: { Command: string; Arguments: string } } };
    };
    // The task starts what this run was started as: node.exe (with the CLI script), or the single executable alone.
    expect(task.Task.Actions.Exec.Command).toMatch(
      runsSingleExecutable ? /^[A-Z]:\\.*\\mdatp-mirror-[^\\]*\.exe$/i : /^[A-Z]:\\.*node\.exe$/i,
    );
    if (runsSingleExecutable) expect(task.Task.Actions.Exec.Arguments).toMatch(/^download /);
    expect(task.Task.Actions.Exec.Arguments).toContain(`download --quiet --settings ${SETTINGS}`);
  });

  it('serve answers a Linux client with the live bundle, and a publish while a client holds it open keeps both whole', async () => {
    const s = await serveMirror();
    const live = onDriveC(`${MIRROR}\\${LIVE.split('/').join('\\')}`);
    const old = await readFile(`${live}/updates.zip`);
    expect(sha(await fetchBody(`${s.base}/${LIVE}/updates.zip`))).toBe(sha(old));

    const client = await pausedDownload(`${s.base}/${LIVE}/updates.zip`);
    upstream.catalog.bump({ os: 'linux', channel: 'production', arch: 'x86_64' });
    const r = await download();
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 downloaded/);
    const replaced = await readFile(`${live}/updates.zip`);
    expect(sha(replaced)).not.toBe(sha(old));
    expect(sha(await client.finish())).toBe(sha(old));
    expect(sha(await fetchBody(`${s.base}/${LIVE}/updates.zip`))).toBe(sha(replaced));
    const manifest = await readJson<{ sha256: string }>(`${live}/manifest.json`);
    expect(manifest.sha256).toBe(sha(replaced));
    await expectConsistentMirror(onDriveC(MIRROR));
  });

  it('serve stops gracefully on Ctrl-C, letting a running transfer finish', async () => {
    const s = await serveMirror();
    const client = await pausedDownload(`${s.base}/${LIVE}/updates.zip`);
    const stopped = s.stop();
    const body = await client.finish();
    expect(body.length).toBe((await readJson<{ size: number }>(`${onDriveC(MIRROR)}/${LIVE}/manifest.json`)).size);
    const r = await stopped;
    expect(r.stderr).toMatch(/stopping: letting running transfers finish/);
    expect(r.code).toBe(0);
  });
});
