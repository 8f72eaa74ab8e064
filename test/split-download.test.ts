// connectionsPerBundle: one large bundle fetched over two connections (the second a Range + If-Range request), and
// what happens when a range fails: the retry resumes on one connection from what is complete at the start of the file.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { expectConsistentMirror, logLines, writeSettings } from './helpers/mirror.js';
import { useMirrorFixture } from './helpers/fixture.js';

const size = 20 * 1024 * 1024;
const f = useMirrorFixture({ bundleSize: size });

const download = (...args: string[]) => runCli(['download', '--settings', join(f.dir, 'settings.json'), ...args]);
const bundleRequests = () => f.upstream.requests.filter((r) => r.kind === 'bundle');
const rangeStart = (range: string | undefined): number => Number(/^bytes=(\d+)-/.exec(range ?? '')?.[1]);

interface Report {
  bundles: { status: string; resumed: number; bytesTransferred: number; size: number }[];
}

describe('one bundle over several connections', () => {
  it('fetches the second half with Range + If-Range on its own connection and publishes the bundle verified', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    const r = await download('--json');
    expect(r.code).toBe(0);
    const [whole, second] = bundleRequests();
    expect(bundleRequests()).toHaveLength(2);
    expect(whole!.range).toBeUndefined();
    expect(whole!.status).toBe(200);
    const report = JSON.parse(r.stdout) as Report;
    const total = report.bundles[0]!.size;
    expect(second!.range).toBe(`bytes=${Math.ceil(total / 2)}-${total - 1}`);
    expect(second!.ifRange).toBeTruthy();
    expect(second!.status).toBe(206);
    expect(report.bundles[0]).toMatchObject({ resumed: 0 });
    // The first connection stopped at its half: one bundle crossed the wire, not one and a half.
    expect(report.bundles[0]!.bytesTransferred).toBe(total);
    await expectConsistentMirror(f.mirror);
  });

  it('keeps to one connection with connectionsPerBundle 1', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], connectionsPerBundle: 1 });
    expect((await download()).code).toBe(0);
    expect(bundleRequests().map((r) => r.range)).toEqual([undefined]);
    await expectConsistentMirror(f.mirror);
  });

  it('resumes on one connection from the complete start of the file when a range fails halfway', async () => {
    // The range stalls halfway and times out: by then the first connection has written its whole range, so what is
    // kept reaches into the second half, whatever the order the two connections ran in.
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], timeouts: { bodyIdle: '300ms' } });
    f.upstream.faults.add({ target: 'bundle', ranged: true, action: { type: 'stall', at: 0.5 }, times: 1 });
    const r = await download('--json');
    expect(r.code).toBe(0);
    const requests = bundleRequests();
    expect(
      requests.map((q) => [q.range, q.status, q.bytes, q.fault]),
      r.stderr,
    ).toHaveLength(3);
    const resumed = requests[2]!;
    // An open-ended range: the retry is an ordinary resume, not another split.
    expect(resumed.range).toMatch(/^bytes=\d+-$/);
    const total = (JSON.parse(r.stdout) as Report).bundles[0]!.size;
    expect(rangeStart(resumed.range)).toBeGreaterThan(total / 2);
    expect(rangeStart(resumed.range)).toBeLessThan(total);
    expect(resumed.status).toBe(206);
    expect((JSON.parse(r.stdout) as Report).bundles[0]).toMatchObject({ resumed: 1 });
    await expectConsistentMirror(f.mirror);
  });

  it('names a server that answers a range with the whole file, and finishes on one connection', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    f.upstream.faults.add({ target: 'bundle', ranged: true, action: { type: 'ignore-range' }, times: 1 });
    const r = await download();
    expect(r.code).toBe(0);
    const lines = await logLines(f.dir);
    expect(lines.some((l) => JSON.stringify(l).includes('answered with the wrong part'))).toBe(true);
    await expectConsistentMirror(f.mirror);
  });
});
