// serve's /status page, /status.json and fleet adoption through the real CLI: a mirror with a failed run and a
// release it has not got yet, clients on several loopback addresses (the whole 127/8 is local on Linux), the page
// rendered in headless Chromium (a screenshot and the DOM), and the counts kept across a restart.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import type { MirrorStatus } from '../src/status/mirror-status.js';
import { runCli } from './helpers/cli.js';
import { removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';
import { startServe, type RunningServe } from './helpers/serve.js';

const run = promisify(execFile);
const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;
const BUNDLE = 'linux/production/arch_x86_64';
const ZIP = `/${BUNDLE}/updates.zip`;

let upstream: SimulatedUpstream;
let dir: string;
let serve: RunningServe | undefined;
let served: string;

/** A GET from a given loopback address; range as "start-end". Resolves with the status once the body is read. */
function fetchFrom(base: string, path: string, localAddress: string, range?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { localAddress, headers: range ? { Range: `bytes=${range}` } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

async function statusJson(base: string): Promise<MirrorStatus> {
  const res = await fetch(`${base}/status.json`);
  expect(res.status).toBe(200);
  return (await res.json()) as MirrorStatus;
}

const settingsArgs = (): string[] => ['--settings', join(dir, 'settings.json')];

async function stopServe(): Promise<void> {
  serve!.child.kill('SIGTERM');
  expect((await serve!.child.result).code).toBe(0);
}

beforeAll(async () => {
  upstream = await startUpstream({ bundleSize: 256 * 1024 });
  dir = await tempDir();
  await writeSettings(dir, upstream, { architectures: ['x86_64'] });
  expect((await runCli(['download', ...settingsArgs()])).code).toBe(0);
  served = upstream.catalog.get(X86).signatures;
  // A new release the mirror fails to fetch: the bundle is behind, and the last run failed.
  upstream.catalog.bump(X86);
  upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 } });
  expect((await runCli(['download', ...settingsArgs()])).code).toBe(1);
  upstream.faults.clear();
  serve = await startServe([...settingsArgs(), '--fleet-window', '1h']);
});
afterAll(async () => {
  if (serve && serve.child.exitCode === null) await stopServe();
  await upstream.stop();
  await removeDir(dir);
});

describe('serve: status page and fleet adoption', () => {
  it('counts a client once it has the whole bundle, in one response or in ranges, and not for a part', async () => {
    const { base } = serve!;
    const half = Math.floor((await stat(join(dir, 'mirror', BUNDLE, 'updates.zip'))).size / 2);
    expect(await fetchFrom(base, ZIP, '127.0.0.2')).toBe(200);
    expect(await fetchFrom(base, ZIP, '127.0.0.3', `0-${half - 1}`)).toBe(206);
    expect(await fetchFrom(base, ZIP, '127.0.0.3', `${half}-`)).toBe(206);
    expect(await fetchFrom(base, ZIP, '127.0.0.4', '0-999')).toBe(206);
    // The manifest alone is not a bundle.
    expect(await fetchFrom(base, `/${BUNDLE}/manifest.json`, '127.0.0.5')).toBe(200);

    const s = await statusJson(base);
    const b = s.bundles.find((x) => x.bundle === BUNDLE)!;
    expect(b.live.signatures).toBe(served);
    expect(b.fleet).toEqual({ versions: [{ signatures: served, clients: 2 }], current: 2, older: 0, unseen: 0 });
    expect(s.fleet).toMatchObject({ clients: 2, windowSeconds: 3600 });
    expect(b.upstream).toMatchObject({ signatures: upstream.catalog.get(X86).signatures, behind: true });
    expect(b).toMatchObject({ consecutiveFailures: 1, lastError: 'UPSTREAM_HTTP_STATUS' });
    expect(s.runs.map((r) => [r.command, r.result])).toEqual([
      ['download', 'failed'],
      ['download', 'ok'],
    ]);
    expect(s.healthy).toBe(true);
    expect(s.attention.join('\n')).toMatch(/behind upstream/);

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain(`mdatp_mirror_fleet_clients{bundle="${BUNDLE}",state="current"} 2`);
    expect(metrics).toContain(`mdatp_mirror_bundle_behind_upstream{bundle="${BUNDLE}"} 1`);
    expect(metrics).toContain(`mdatp_mirror_bundle_consecutive_failures{bundle="${BUNDLE}"} 1`);
    expect(metrics).not.toMatch(/127\.0\.0\.\d/);
  });

  it('renders in headless Chromium: a screenshot, and the DOM shows the versions, the failed run and the bundle behind', async () => {
    const { base } = serve!;
    const shots = join(dir, 'screenshots');
    await mkdir(shots);
    const chromium = ['--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', `--user-data-dir=${join(dir, 'chromium')}`];
    const png = join(shots, 'status.png');
    await run('chromium', [...chromium, '--window-size=1400,900', `--screenshot=${png}`, `${base}/status`], { timeout: 60_000 });
    const image = await readFile(png);
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    expect(image.length).toBeGreaterThan(10_000);

    const { stdout: dom } = await run('chromium', [...chromium, '--dump-dom', `${base}/status`], { timeout: 60_000, maxBuffer: 1 << 24 });
    const row = new RegExp(`<tr data-bundle="${BUNDLE}" data-live-state="ok">[\\s\\S]*?</tr>`).exec(dom)?.[0] ?? '';
    expect(row).toContain(`data-signatures="${served}"`);
    expect(row).toContain('data-upstream="behind"');
    expect(row).toContain('data-fleet-current="2"');
    expect(dom).toMatch(/<tr data-run="download" data-result="failed">[\s\S]*?UPSTREAM_HTTP_STATUS/);
    // Nothing from elsewhere: a fleet's mirror is offline.
    expect(dom).not.toMatch(/<(script|link)\b|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it('keeps the counts across a restart, in the state folder', async () => {
    await stopServe();
    expect(existsSync(join(dir, 'mirror', '.mdatp-mirror', 'fleet.json'))).toBe(true);
    serve = await startServe([...settingsArgs(), '--fleet-window', '1h']);
    const b = (await statusJson(serve.base)).bundles.find((x) => x.bundle === BUNDLE)!;
    expect(b.fleet).toMatchObject({ current: 2, older: 0 });
    // The fleet record is the tool's own: never served.
    expect((await fetch(`${serve.base}/.mdatp-mirror/fleet.json`)).status).toBe(404);
  });

  it('with --workers, counts what every worker served, and the primary saves it', async () => {
    await stopServe();
    serve = await startServe([...settingsArgs(), '--fleet-window', '1h', '--workers', '2']);
    // One connection per client: the workers take turns accepting them.
    for (const address of ['127.0.0.6', '127.0.0.7', '127.0.0.8']) expect(await fetchFrom(serve.base, ZIP, address)).toBe(200);
    const counts = async (): Promise<unknown> => (await statusJson(serve!.base)).bundles.find((x) => x.bundle === BUNDLE)!.fleet;
    expect(await counts()).toMatchObject({ current: 5 });
    await stopServe();
    serve = await startServe([...settingsArgs(), '--fleet-window', '1h']);
    expect(await counts()).toMatchObject({ current: 5 });
  });
});
