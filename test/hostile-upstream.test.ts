// A hostile or broken upstream, on 127.0.0.1: zip bombs, endless and trickling bodies, redirects into the machine's
// own networks, and a stop request while a huge bundle is being verified. Each fails fast, names the setting that
// bounds it, and leaves the live tree as it was.
import { watch } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { zerosZip } from './helpers/crafted-zip.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { expectConsistentMirror, snapshot, writeSettings, logLines as readLogLines } from './helpers/mirror.js';

const f = useMirrorFixture({ bundleSize: 256 * 1024 });
const download = () => runCli(['download', '--settings', join(f.dir, 'settings.json')]);
const bundleRequests = () => f.upstream.requests.filter((r) => r.kind === 'bundle');
const logLines = () => readLogLines(f.dir);

/** Resolves once the run's log holds a line matching `pattern` (awaiting changes to the file, not polling). */
function logShows(pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    const check = (): void =>
      void readFile(join(f.dir, 'mirror.log'), 'utf8').then(
        (text) => pattern.test(text) && (watcher.close(), resolve()),
        () => undefined,
      );
    const watcher = watch(f.dir, check);
    check();
  });
}

/** A good first run, then a new release whose bundle requests meet `fault`: returns the tree the fault must not touch. */
async function goodMirrorThenRelease(settings: Record<string, unknown> = {}): Promise<Record<string, string>> {
  await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], ...settings });
  expect((await download()).code).toBe(0);
  f.upstream.catalog.bump({ os: 'linux' });
  f.upstream.requests.length = 0;
  return snapshot(f.mirror);
}

async function servesCrafted(zip: Buffer): Promise<void> {
  const path = join(f.dir, 'crafted.zip');
  await writeFile(path, zip);
  f.upstream.faults.add({ target: 'bundle', action: { type: 'file', path } });
}

describe('zip bombs', () => {
  it('refuses a zip whose 200 entries share one 64 MiB stream at once, without inflating it, and keeps the live pair', async () => {
    const good = await goodMirrorThenRelease();
    await servesCrafted(zerosZip(64 * 1024 * 1024, 200, true));
    const started = performance.now();
    const r = await download();
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /BUNDLE_NOT_ZIP: .* has overlapping entries \(zeros0\.bin and zeros1\.bin share their data\): refused as a zip bomb/,
    );
    expect(bundleRequests()).toHaveLength(1);
    expect(await snapshot(f.mirror)).toEqual(good);
    await expectConsistentMirror(f.mirror);
  });

  it('refuses a bundle that unpacks to more than maxUnpackedSize (a 64 MiB deflate bomb under a 16MB bound)', async () => {
    const good = await goodMirrorThenRelease({ maxUnpackedSize: '16MB' });
    await servesCrafted(zerosZip(64 * 1024 * 1024, 1, false));
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BUNDLE_TOO_LARGE: .* declares 64 MiB unpacked, more than maxUnpackedSize \(16 MiB\).*raise maxUnpackedSize/);
    expect(bundleRequests()).toHaveLength(1);
    expect(await snapshot(f.mirror)).toEqual(good);
  });
});

describe('bodies that never end or barely move', () => {
  it('cuts a 200 without Content-Length that never ends at maxBundleSize, once, and keeps the live pair', async () => {
    const good = await goodMirrorThenRelease({ maxBundleSize: '4MB' });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'endless' } });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /BUNDLE_TOO_LARGE: the bundle from http:\/\/127\.0\.0\.1:\d+\/\S+ is longer than that, more than maxBundleSize \(4\.0 MiB\)/,
    );
    expect(bundleRequests()).toHaveLength(1);
    expect(await snapshot(f.mirror)).toEqual(good);
    await expectConsistentMirror(f.mirror);
  });

  it('cuts an attempt below timeouts.lowSpeedLimit for timeouts.lowSpeedTime, then retries and completes', async () => {
    await goodMirrorThenRelease({ timeouts: { lowSpeedLimit: '1KB', lowSpeedTime: '1s' } });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'trickle', byteEveryMs: 100 }, times: 1 });
    const r = await download();
    expect(r.code, r.stderr).toBe(0);
    const slow = (await logLines()).filter((l) => l['code'] === 'UPSTREAM_TOO_SLOW');
    expect(slow).toHaveLength(1);
    expect(JSON.stringify(slow[0])).toMatch(/below timeouts\.lowSpeedLimit \(1\.0 KiB\/s for timeouts\.lowSpeedTime 1\.0s\)/);
    expect(bundleRequests()).toHaveLength(2);
    await expectConsistentMirror(f.mirror);
  });

  it('asks for the version again while the bundle is arriving (once the server has answered 200), not after it', async () => {
    await goodMirrorThenRelease({ timeouts: { lowSpeedLimit: '1KB', lowSpeedTime: '1s' } });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'trickle', byteEveryMs: 100 }, times: 1 });
    expect((await download()).code).toBe(0);
    // The re-check went out during the trickling 200, before the resume; the resume (206) did not ask again.
    const order = f.upstream.requests.filter((r) => r.kind === 'info' || r.kind === 'bundle').map((r) => `${r.kind} ${r.status}`);
    expect(order).toEqual(['info 200', 'bundle 200', 'info 200', 'bundle 206']);
    await expectConsistentMirror(f.mirror);
  });
});

describe('redirects', () => {
  it('refuses a redirect from a loopback upstream to a cloud metadata address, without retrying', async () => {
    const good = await goodMirrorThenRelease();
    f.upstream.faults.add({ target: 'bundle', action: { type: 'redirect', location: 'http://169.254.169.254/latest/meta-data/' } });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /UPSTREAM_REDIRECTS: refusing redirect from http:\/\/127\.0\.0\.1:\d+\/\S+ into a link-local address \(http:\/\/169\.254\.169\.254\/latest\/meta-data\/\)/,
    );
    expect(bundleRequests()).toHaveLength(1);
    expect(await snapshot(f.mirror)).toEqual(good);
  });
});

describe('a stop request while a huge bundle is verified', () => {
  it('SIGTERM ends the CRC pass within two seconds, exits 143 and keeps the live pair', async () => {
    // 1,000 entries of 16 MiB zeros: 16 MiB on the wire, 15.6 GiB to inflate (many seconds of CPU).
    const good = await goodMirrorThenRelease({ maxUnpackedSize: '32GB' });
    await servesCrafted(zerosZip(16 * 1024 * 1024, 1000, false));
    const child = startCli(['download', '--verbose', '--settings', join(f.dir, 'settings.json')]);
    await logShows(/"event":"verifying"/);
    const stopAt = performance.now();
    child.kill('SIGTERM');
    const r = await child.result;
    expect(performance.now() - stopAt).toBeLessThan(2_000);
    expect(r.code).toBe(143);
    expect(r.stderr).toMatch(/FAILED .* INTERRUPTED: stopped by SIGTERM/);
    expect(await snapshot(f.mirror)).toEqual(good);
    await expectConsistentMirror(f.mirror);
  });
});

describe('a base URL that is not the redirector', () => {
  it('says baseUpdateUrl must be the redirector (…/fwlink/) when the version document is a 404, and does not retry', async () => {
    const notRedirector = f.upstream.baseUrl.replace('/fwlink/', '/mirror/');
    await writeSettings(f.dir, notRedirector, { architectures: ['x86_64'] });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`baseUpdateUrl (or --base-url) ${notRedirector} must be the redirector`);
    expect(r.stderr).toContain('/fwlink/');
    expect(f.upstream.requests.filter((q) => q.kind !== 'admin')).toHaveLength(1);
  });
});
