// Faults a mirror meets unattended: flaky and throttling servers, cut and stalled transfers, proxies, overlapping
// runs, crashes and signals. Each case ends with the same invariant: live bundles match their manifests, no temp files.
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestRecord, SimulatedUpstream } from '../src/simulate/server.js';
import { runCli, startCli } from './helpers/cli.js';
import { expectConsistentMirror, readJson, snapshot, startUpstream, writeSettings, logLines as readLogLines } from './helpers/mirror.js';
import { startProxy } from './helpers/proxy.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { createRequire } from 'node:module';

const require_ = createRequire(import.meta.url);

const f = useMirrorFixture({ bundleSize: 1024 * 1024 });

const settingsPath = () => join(f.dir, 'settings.json');
const download = (...args: string[]) => runCli(['download', '--settings', settingsPath(), ...args]);
const bundleRequests = () => f.upstream.requests.filter((r) => r.kind === 'bundle');
const logLines = () => readLogLines(f.dir);

describe('retries', () => {
  it('heals 500s and 503s that clear after a few tries, in the same run, logging every attempt', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retries: 4 });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 }, times: 2 });
    f.upstream.faults.add({ target: 'info', action: { type: 'status', status: 503 }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    expect(bundleRequests().map((q) => q.status)).toEqual([500, 500, 200]);
    const retries = (await logLines()).filter((l) => String(l['msg']).includes('failed; retrying'));
    expect(retries).toHaveLength(3);
    expect(retries[0]).toMatchObject({ attempt: 1, code: 'UPSTREAM_HTTP_STATUS' });
    await expectConsistentMirror(f.mirror);
  });

  it('gives up after the configured attempts on a persistent 500 and keeps the last good pair', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retries: 3 });
    expect((await download()).code).toBe(0);
    const good = await snapshot(f.mirror);
    f.upstream.catalog.bump({ os: 'linux' });
    f.upstream.requests.length = 0;
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 } });
    const r = await download();
    expect(r.code).toBe(1);
    expect(bundleRequests()).toHaveLength(3);
    expect(await snapshot(f.mirror)).toEqual(good);
    await expectConsistentMirror(f.mirror);
  });

  it('on a first run that fails, says there was no earlier pair to keep serving', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retries: 1 });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 } });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/linux\/production\/x86_64\s+FAILED\s+- \(none yet\)/);
    expect(r.stderr).toMatch(/failed bundles had no earlier good pair, so nothing is served for them yet; the next run retries them/);
    expect(r.stderr).not.toMatch(/still serve their previous good pair/);
  });

  it('--json counts the attempts made, for a failed version check as for a failed transfer', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retries: 4 });
    f.upstream.faults.add({ target: 'info', action: { type: 'status', status: 503 } });
    const versionFailed = JSON.parse((await download('--json')).stdout) as { bundles: { status: string; attempts: number }[] };
    expect(versionFailed.bundles[0]).toMatchObject({ status: 'failed', attempts: 4 });
    f.upstream.faults.clear();
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 500 } });
    const transferFailed = JSON.parse((await download('--json')).stdout) as { bundles: { status: string; attempts: number }[] };
    expect(transferFailed.bundles[0]).toMatchObject({ status: 'failed', attempts: 4 });
  });

  it('waits as long as a 429 Retry-After asks, then succeeds', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retryInitialDelay: '10ms', retryMaxDelay: '30s' });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 429, retryAfter: '1' }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    const [first, second] = bundleRequests();
    expect(first!.status).toBe(429);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950);
    await expectConsistentMirror(f.mirror);
  });

  it('caps a long Retry-After at retryMaxDelay', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], retryMaxDelay: '100ms' });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 503, retryAfter: '3600' }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    const [first, second] = bundleRequests();
    expect(second!.at - first!.at).toBeLessThan(2000);
  });

  it('does not retry other 4xx statuses', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 403 } });
    expect((await download()).code).toBe(1);
    expect(bundleRequests()).toHaveLength(1);
  });
});

describe('many at once', () => {
  it('cuts every bundle mid-body with concurrency 16 and resumes them all, without a MaxListenersExceededWarning', async () => {
    await writeSettings(f.dir, f.upstream, { downloadMacUpdates: true, downloadPreviewUpdates: true, concurrency: 16 });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'cut', at: 0.5 }, times: 8 });
    const r = await download();
    expect(r.code).toBe(0);
    expect(bundleRequests()).toHaveLength(16);
    expect(r.stderr).not.toContain('MaxListenersExceededWarning');
    await expectConsistentMirror(f.mirror);
  });
});

describe('resume', () => {
  it('resumes a transfer cut at 50% with Range and If-Range, and verifies the whole file', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'cut', at: 0.5 }, times: 1 });
    const r = await download('--json');
    expect(r.code).toBe(0);
    const [cut, resumed] = bundleRequests();
    expect(cut!.range).toBeUndefined();
    expect(cut!.bytes).toBeGreaterThan(0);
    // Bytes still in flight when the connection dropped are lost: resume from what reached the disk.
    const from = Number(/^bytes=(\d+)-$/.exec(resumed!.range ?? '')?.[1]);
    expect(from).toBeGreaterThan(0);
    expect(from).toBeLessThanOrEqual(cut!.bytes);
    expect(resumed!.ifRange).toBeTruthy();
    expect(resumed!.status).toBe(206);
    const report = JSON.parse(r.stdout) as { bundles: { resumed: number; bytesTransferred: number; size: number }[] };
    expect(report.bundles[0]).toMatchObject({ resumed: 1 });
    // Resumed, not restarted: about one bundle crossed the wire, not one and a half.
    expect(report.bundles[0]!.bytesTransferred).toBeLessThan(report.bundles[0]!.size * 1.2);
    await expectConsistentMirror(f.mirror);
  });

  it('starts over when the server ignores Range and answers 200', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'cut', at: 0.5 }, times: 1 });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'ignore-range' }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    const [, second] = bundleRequests();
    expect(second!.range).toMatch(/^bytes=\d+-$/);
    expect(second!.status).toBe(200);
    await expectConsistentMirror(f.mirror);
  });

  it('times out a stalled body and retries', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], timeouts: { bodyIdle: '300ms' } });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'stall', at: 0.3 }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    expect(bundleRequests().length).toBe(2);
    const lines = await logLines();
    expect(lines.some((l) => l['code'] === 'UPSTREAM_TIMEOUT')).toBe(true);
    await expectConsistentMirror(f.mirror);
  });
});

describe('disk space', () => {
  it('fails a bundle that would not fit, naming the folder, the space needed and free, and keeps the last good pair', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await download()).code).toBe(0);
    const good = await snapshot(f.mirror);
    f.upstream.catalog.bump({ os: 'linux' });
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], minFreeSpace: '900000GB' });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /DISK_FULL: not enough disk space in \S*mirror: need .* \(bundle [\d.]+ KiB \+ margin 879 TiB\), [\d.]+ \w+ free/,
    );
    expect(await snapshot(f.mirror)).toEqual(good);
    await expectConsistentMirror(f.mirror);
  });
});

describe('one run at a time', () => {
  it('exits 3 naming the holder while another run is active, then the lock is released', async () => {
    await withSlowUpstream(1_000_000, async (slow) => {
      await writeSettings(f.dir, slow, { architectures: ['x86_64'] });
      const progress = new Promise<void>((resolve) => slow.events.once('body-progress', () => resolve()));
      const first = startCli(['download', '--settings', settingsPath()]);
      await progress;
      const second = await download();
      expect(second.code).toBe(3);
      expect(second.stderr).toContain(`pid ${first.pid} on ${hostname()}`);
      expect(second.stderr).toMatch(/--wait/);
      expect((await first.result).code).toBe(0);
      await expectConsistentMirror(f.mirror);
    });
  });

  it('waits for the lock with --wait, then runs', async () => {
    await withSlowUpstream(2_000_000, async (slow) => {
      await writeSettings(f.dir, slow, { architectures: ['x86_64'] });
      const progress = new Promise<void>((resolve) => slow.events.once('body-progress', () => resolve()));
      const first = startCli(['download', '--settings', settingsPath()]);
      await progress;
      const second = await download('--wait', '30');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/up to date/);
      expect((await first.result).code).toBe(0);
    });
  });

  it('takes over a stale lock whose holder is dead', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    await mkdir(join(f.mirror, '.mdatp-mirror'), { recursive: true });
    const dead = { pid: 2 ** 22 + 12345, host: hostname(), startedAt: new Date().toISOString(), command: 'download', token: 'x' };
    await writeFile(join(f.mirror, '.mdatp-mirror', 'lock'), JSON.stringify(dead));
    const r = await download();
    expect(r.code).toBe(0);
    expect((await logLines()).some((l) => String(l['msg']).includes(`took over a stale lock (pid ${dead.pid}`))).toBe(true);
    await expectConsistentMirror(f.mirror);
  });
});

describe('a live run is never disturbed', () => {
  it("keeps a live holder's lock however old it looks, and the second run leaves the first one's temp files alone", async () => {
    await withSlowUpstream(1_000_000, async (slow) => {
      await writeSettings(f.dir, slow, { architectures: ['x86_64'], lockStaleAfter: '5m' });
      const progress = bodyProgressOf(slow, 100_000);
      const first = startCli(['download', '--settings', settingsPath()]);
      await progress;
      const lockPath = join(f.mirror, '.mdatp-mirror', 'lock');
      await writeFile(lockPath, JSON.stringify({ ...(await readJson(lockPath)), startedAt: '2000-01-01T00:00:00.000Z' }));
      const second = await download();
      expect(second.code).toBe(3);
      expect(second.stderr).toMatch(/another run holds the lock .*pid \d+/);
      expect(await readdir(join(f.mirror, '.mdatp-mirror', 'tmp'))).not.toEqual([]);
      const firstResult = await first.result;
      expect(firstResult.code, firstResult.stderr).toBe(0);
      await expectConsistentMirror(f.mirror);
    });
  });

  it('clears temp files of runs that are gone at the start, but not those of a live process', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    const tmp = join(f.mirror, '.mdatp-mirror', 'tmp');
    await mkdir(tmp, { recursive: true });
    const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
    const live = `${hostTag}-${process.pid}.linux-production-x86_64.download.0000.tmp`;
    const gone = [`${hostTag}-${2 ** 22 + 12345}.linux-production-x86_64.download.0000.tmp`, 'linux-production-x86_64.download.1111.tmp'];
    for (const name of [live, ...gone]) await writeFile(join(tmp, name), 'partial');
    expect((await download()).code).toBe(0);
    expect(await readdir(tmp)).toEqual([live]);
    const cleared = (await logLines()).find((l) => String(l['msg']).includes('left by an interrupted run'));
    expect(cleared?.['files']).toEqual(expect.arrayContaining(gone));
    await rm(tmp, { recursive: true });
    await expectConsistentMirror(f.mirror);
  });
});

describe('crashes and signals', () => {
  it('survives kill -9 mid-download: the live tree stays consistent and the next run completes', async () => {
    await withSlowUpstream(1_000_000, async (slow) => {
      await writeSettings(f.dir, slow, { architectures: ['x86_64'] });
      expect((await download()).code).toBe(0);
      const good = await snapshot(f.mirror);
      slow.catalog.bump({ os: 'linux' });
      const progress = new Promise<void>((resolve) =>
        slow.events.on('body-progress', (rec: RequestRecord) => rec.bytes > 200_000 && resolve()),
      );
      const child = startCli(['download', '--settings', settingsPath()]);
      await progress;
      child.kill('SIGKILL');
      expect((await child.result).signal).toBe('SIGKILL');
      expect(await snapshot(f.mirror)).toEqual(good);

      const next = await download();
      expect(next.code).toBe(0);
      expect((await logLines()).some((l) => String(l['msg']).includes('took over a stale lock'))).toBe(true);
      expect((await readJson(join(f.mirror, 'linux/production/arch_x86_64/manifest.json')))['DefinitionVersion']).toBe(
        slow.catalog.get({ os: 'linux', channel: 'production', arch: 'x86_64' }).signatures,
      );
      await expectConsistentMirror(f.mirror);
    });
  });

  for (const [sig, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`on ${sig} stops, removes temp files, releases the lock, logs it and exits ${code}`, async () => {
      await withSlowUpstream(1_000_000, async (slow) => {
        await writeSettings(f.dir, slow, { architectures: ['x86_64'] });
        expect((await download()).code).toBe(0);
        const good = await snapshot(f.mirror);
        slow.catalog.bump({ os: 'linux' });
        const progress = bodyProgressOf(slow, 100_000);
        const child = startCli(['download', '--settings', settingsPath()]);
        await progress;
        child.kill(sig);
        const r = await child.result;
        expect(r.code).toBe(code);
        expect(await snapshot(f.mirror)).toEqual(good);
        await expectConsistentMirror(f.mirror);
        expect((await logLines()).some((l) => l['event'] === 'interrupted' && l['signal'] === sig)).toBe(true);
      });
    });
  }
});

/** A second simulated upstream, rate-limited so a transfer is still running when the test acts. */
async function withSlowUpstream(bytesPerSec: number, body: (slow: SimulatedUpstream) => Promise<void>): Promise<void> {
  const slow = await startUpstream({ bundleSize: 1024 * 1024, rateBytesPerSec: bytesPerSec });
  try {
    await body(slow);
  } finally {
    await slow.stop();
  }
}

function bodyProgressOf(sim: SimulatedUpstream, bytes: number): Promise<void> {
  return new Promise((resolve) => {
    const on = (rec: RequestRecord): void => {
      if (rec.bytes >= bytes) {
        sim.events.off('body-progress', on);
        resolve();
      }
    };
    sim.events.on('body-progress', on);
  });
}

describe('proxy', () => {
  it('sends all upstream traffic through the proxy setting, and never shows its credentials', async () => {
    const proxy = await startProxy({ requireAuth: 'mirror:s3cr3t-pa55' });
    try {
      await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], proxy: `http://mirror:s3cr3t-pa55@127.0.0.1:${proxy.port}` });
      const r = await download('--json');
      expect(r.code).toBe(0);
      expect(proxy.seen.length).toBeGreaterThan(0);
      expect(proxy.seen.every((s) => s.includes(`127.0.0.1:${new URL(f.upstream.baseUrl).port}`))).toBe(true);
      const log = await readFile(join(f.dir, 'mirror.log'), 'utf8');
      for (const text of [log, r.stdout, r.stderr]) expect(text).not.toContain('s3cr3t-pa55');
      expect(log).toContain('127.0.0.1');
      await expectConsistentMirror(f.mirror);
    } finally {
      await proxy.close();
    }
  });

  it('names a proxy that refuses the credentials (407, not retried, password never shown) or is busy (503, retried)', async () => {
    const strict = await startProxy({ requireAuth: 'mirror:right-pa55' });
    try {
      await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], proxy: `http://mirror:wr0ng-pa55@127.0.0.1:${strict.port}` });
      const r = await download();
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /UPSTREAM_PROXY: the proxy refused to connect to .*HTTP 407 Proxy Authentication Required\. Check the user and password in the proxy setting/,
      );
      expect(strict.seen).toHaveLength(1);
      expect(`${r.stdout}${r.stderr}${await readFile(join(f.dir, 'mirror.log'), 'utf8')}`).not.toContain('wr0ng-pa55');
    } finally {
      await strict.close();
    }
    // Only https:// goes through a CONNECT tunnel (as Microsoft's service does); plain http is forwarded.
    const { makeCertificates } = await import('./helpers/tls.js');
    const certs = makeCertificates(f.dir);
    const tlsUpstream = await startUpstream({ tls: { cert: certs.cert, key: certs.key }, bundleSize: 64 * 1024 });
    const busy = await startProxy({ refuseConnect: { status: 503, times: 2 } });
    try {
      await writeSettings(f.dir, tlsUpstream, { architectures: ['x86_64'], retries: 4, proxy: busy.url, caFile: 'ca.pem' });
      const r = await download();
      expect(r.code, r.stderr).toBe(0);
      const retried = (await logLines()).filter((l) => l['code'] === 'UPSTREAM_PROXY' && String(l['msg']).includes('retrying'));
      expect(retried.length).toBe(2);
      expect(JSON.stringify(retried[0])).toMatch(/the proxy answered HTTP 503 instead of connecting/);
      await expectConsistentMirror(f.mirror);
    } finally {
      await busy.close();
      await tlsUpstream.stop();
    }
  });

  it('honours HTTPS_PROXY/HTTP_PROXY from the environment', async () => {
    const proxy = await startProxy();
    try {
      await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
      const r = await runCli(['download', '--settings', settingsPath()], { env: { HTTP_PROXY: proxy.url } });
      expect(r.code).toBe(0);
      expect(proxy.seen.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });
  it('reads an environment proxy as curl does: no scheme means http://, lowercase first; refuses one it cannot use', async () => {
    const proxy = await startProxy();
    try {
      await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
      // "host:port" as /etc/environment often has it; the uppercase name is shadowed by the lowercase one.
      const hostPort = new URL(proxy.url).host;
      const r = await runCli(['download', '--settings', settingsPath()], {
        env: { http_proxy: hostPort, HTTP_PROXY: 'socks5://127.0.0.1:9' },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(proxy.seen.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }

    const socks = { HTTP_PROXY: 'socks5://mirror:s3cr3t@127.0.0.1:1080' };
    const refused = await runCli(['download', '--settings', settingsPath()], { env: socks });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'HTTP_PROXY=socks5://127.0.0.1:1080 in the environment: only http:// and https:// proxies are supported, not socks5://.',
    );
    expect(refused.stderr).not.toMatch(/s3cr3t|unexpected error|\n\s+at /);
    const check = await runCli(['check', '--settings', settingsPath()], { env: socks });
    expect(check.code).toBe(2);
    expect(check.stdout + check.stderr).toMatch(/proxy.*only http:\/\/ and https:\/\/ proxies are supported/);

    const garbled = await runCli(['download', '--settings', settingsPath()], { env: { HTTPS_PROXY: 'http://[::1' } });
    expect(garbled.code).toBe(2);
    expect(garbled.stderr).toContain('HTTPS_PROXY in the environment is not a proxy address: set it to http://host:port');
  });
});

describe('log hygiene', () => {
  it('rotates the log by size and keeps logFiles files in all', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], logMaxBytes: 10_000, logFiles: 3 });
    // A log that has already grown close to the limit, as after months of runs.
    const old = `${JSON.stringify({ level: 30, msg: 'an older run', pad: 'x'.repeat(60) })}\n`;
    await writeFile(join(f.dir, 'mirror.log'), old.repeat(Math.floor(9_900 / old.length)));
    for (let i = 0; i < 9; i++) {
      f.upstream.catalog.bump({ os: 'linux' });
      expect((await download()).code).toBe(0);
    }
    const { readdir, stat } = await import('node:fs/promises');
    const logs = (await readdir(f.dir)).filter((name) => name.startsWith('mirror.log')).sort();
    expect(logs).toEqual(['mirror.log', 'mirror.log.1', 'mirror.log.2']);
    for (const name of logs) expect((await stat(join(f.dir, name))).size).toBeLessThanOrEqual(10_000);
    // Every line of every file is still a whole JSON object.
    for (const name of logs) for (const line of (await readFile(join(f.dir, name), 'utf8')).trim().split('\n')) JSON.parse(line);
  });
});

void once;

describe('crash between the two renames', () => {
  it('detects a live bundle newer than its manifest, repairs it, and keeps the consistent backup', async () => {
    const { ensureBundle } = await import('../src/simulate/bundle-factory.js');
    const { copyFile } = await import('node:fs/promises');
    const id = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await download()).code).toBe(0);
    f.upstream.catalog.bump({ os: 'linux' });
    expect((await download()).code).toBe(0);
    const backup = await snapshot(join(f.mirror, 'linux/production_back'));

    // The state a power cut leaves after "rename bundle" and before "write manifest": new bytes, old manifest.
    f.upstream.catalog.bump({ os: 'linux' });
    const next = await ensureBundle(
      join((await import('node:os')).tmpdir(), 'mdatp-mirror-test-bundles'),
      id,
      f.upstream.catalog.get(id),
      1024 * 1024,
      { shape: 'stored' },
    );
    await copyFile(next, join(f.mirror, 'linux/production/arch_x86_64/updates.zip'));

    const r = await download();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/did not match its manifest, so the existing backup was kept/);
    expect(await snapshot(join(f.mirror, 'linux/production_back'))).toEqual(backup);
    expect((await readJson(join(f.mirror, 'linux/production/arch_x86_64/manifest.json')))['DefinitionVersion']).toBe(
      f.upstream.catalog.get(id).signatures,
    );
    await expectConsistentMirror(f.mirror);
  });
});

// Mounting a real small filesystem needs root (CI runs as root); elsewhere this block is reported as skipped, by name.
const isRoot = process.getuid?.() === 0;
describe.runIf(isRoot)('a disk that fills up during the write (needs root to mount a 3 MiB tmpfs)', () => {
  const { execFileSync } = require_('node:child_process') as typeof import('node:child_process');
  let small: string;
  beforeEach(async () => {
    small = join(f.dir, 'small');
    await mkdir(small);
    // A real 3 MiB filesystem: writing past it fails with ENOSPC.
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', small]);
  });
  afterEach(() => {
    execFileSync('umount', ['-l', small]);
  });

  it('reports ENOSPC with the folder and sizes, exits 1, removes the temp file and loses nothing', async () => {
    const settings = { downloadFolder: 'small/mirror', architectures: ['x86_64'], minFreeSpace: 0, concurrency: 2 };
    await writeSettings(f.dir, f.upstream, settings);
    expect((await download()).code).toBe(0);
    const good = await snapshot(join(small, 'mirror'));
    // Two new 1 MiB bundles with ~1.5 MiB free: each passes the free-space check alone, together they do not fit.
    await writeSettings(f.dir, f.upstream, { ...settings, architectures: ['x86_64', 'arm64'] });
    f.upstream.catalog.bump({ os: 'linux', arch: 'x86_64' });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DISK_FULL: not enough disk space in \S*small\/mirror: need .*, [\d.]+ \w+ free/);
    // Whichever bundle hit the wall, x86_64 is either the old good pair or, complete, the new release.
    const now = await snapshot(join(small, 'mirror'));
    const x86 = await readJson(join(small, 'mirror/linux/production/arch_x86_64/manifest.json'));
    if (now['linux/production/arch_x86_64/updates.zip'] !== good['linux/production/arch_x86_64/updates.zip']) {
      expect(x86['DefinitionVersion']).toBe(f.upstream.catalog.get({ os: 'linux', channel: 'production', arch: 'x86_64' }).signatures);
      expect(now['linux/production_back/arch_x86_64/updates.zip']).toBe(good['linux/production/arch_x86_64/updates.zip']);
    }
    await expectConsistentMirror(join(small, 'mirror'));
  });

  it('stops a body without Content-Length before it takes the space minFreeSpace keeps', async () => {
    await writeSettings(f.dir, f.upstream, { downloadFolder: 'small/mirror', architectures: ['x86_64'], minFreeSpace: '1MB' });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'endless' } });
    const r = await download();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DISK_FULL: not enough disk space in \S*small\/mirror: .*free space fell below minFreeSpace during the write/);
    expect(r.stderr).not.toMatch(/ENOSPC/);
    // The first run into this tree failed: nothing is served, and nothing half-written either.
    await expectConsistentMirror(join(small, 'mirror'), 0);
  });
});

describe('TLS', () => {
  it('trusts a corporate CA given in caFile, and refuses the same server without it', async () => {
    const { makeCertificates } = await import('./helpers/tls.js');
    const certs = makeCertificates(f.dir);
    const tlsUpstream = await startUpstream({ tls: { cert: certs.cert, key: certs.key } });
    try {
      await writeSettings(f.dir, tlsUpstream, { architectures: ['x86_64'], retries: 1 });
      const refused = await download();
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /UPSTREAM_TLS: the certificate of https:\/\/127\.0\.0\.1:\d+\/.* is not trusted: .*put that CA's certificate \(PEM\) in caFile/,
      );
      expect(tlsUpstream.countRequests('bundle')).toBe(0);

      // caFile mistakes are settings mistakes: exit 2 naming caFile and the path, before any request.
      for (const [file, content, why] of [
        ['missing.pem', undefined, /caFile .*missing\.pem does not exist/],
        ['empty.pem', 'not a certificate\n', /caFile .*empty\.pem holds no PEM certificate/],
        [
          'broken.pem',
          '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
          /caFile .*broken\.pem holds a certificate that does not parse/,
        ],
        ['.', undefined, /caFile .* is a folder/],
      ] as const) {
        if (content !== undefined) await writeFile(join(f.dir, file), content);
        await writeSettings(f.dir, tlsUpstream, { architectures: ['x86_64'], caFile: file });
        const wrong = await download();
        expect(wrong.code, wrong.stderr).toBe(2);
        expect(wrong.stderr).toMatch(why);
        expect(wrong.stderr).not.toMatch(/\n\s+at /);
      }

      // Copied by Windows PowerShell 5.1 (`Get-Content ca.pem > ca-utf16.pem`): UTF-16 with a byte-order mark.
      const pem = await readFile(join(f.dir, 'ca.pem'), 'utf8');
      await writeFile(
        join(f.dir, 'ca-utf16.pem'),
        Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(pem.replace(/\n/g, '\r\n'), 'utf16le')]),
      );
      await writeSettings(f.dir, tlsUpstream, { architectures: ['x86_64'], caFile: 'ca-utf16.pem' });
      const r = await download();
      expect(r.code, r.stderr).toBe(0);
      await expectConsistentMirror(f.mirror);
    } finally {
      await tlsUpstream.stop();
    }
  });
});
