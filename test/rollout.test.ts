// Staged rollout: manual and delayed modes keep the fleet's tree unchanged until promotion; promotion re-verifies.
import { existsSync } from 'node:fs';

import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useMirrorFixture } from './helpers/fixture.js';
import { runCli } from './helpers/cli.js';
import { expectConsistentMirror, flipByte, readJson, snapshot, writeSettings } from './helpers/mirror.js';
import { startServe } from './helpers/serve.js';

const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;
const T0 = Date.parse('2026-11-20T08:00:00Z');
const at = (hours: number) => ({ MDATP_MIRROR_NOW: new Date(T0 + hours * 3_600_000).toISOString() });

const f = useMirrorFixture();

const cli = (args: string[], env: Record<string, string> = {}) => runCli([...args, '--settings', join(f.dir, 'settings.json')], { env });
const version = async (tree: string) =>
  (await readJson(join(f.mirror, tree, 'linux/production/arch_x86_64/manifest.json')))['DefinitionVersion'];
const liveFiles = async () => Object.keys(await snapshot(f.mirror)).filter((f) => !f.startsWith('staging/'));

describe('rollout: manual', () => {
  beforeEach(async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], rollout: { mode: 'manual' } });
  });

  it('stages new bundles, verified, and leaves the fleet tree unchanged until promote', async () => {
    const r = await cli(['download']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/linux\/production\/x86_64\s+staged/);
    expect(await liveFiles()).toEqual([]);
    expect(await version('staging')).toBe(f.upstream.catalog.get(X86).signatures);
    await expectConsistentMirror(join(f.mirror, 'staging'));

    // Nothing new upstream: no bundle request, still nothing live.
    f.upstream.requests.length = 0;
    expect((await cli(['download'])).code).toBe(0);
    expect(f.upstream.countRequests('bundle')).toBe(0);
    expect(await liveFiles()).toEqual([]);

    const st = await cli(['status', '--wide']);
    expect(st.stdout).toMatch(/STAGED/);
    expect(st.stdout).toContain(`staged ${f.upstream.catalog.get(X86).signatures}`);

    const p = await cli(['promote']);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain(`linux/production/x86_64: - -> ${f.upstream.catalog.get(X86).signatures} (promoted from staging)`);
    expect(await version('')).toBe(f.upstream.catalog.get(X86).signatures);
    // Test devices keep their bundle.
    expect(await version('staging')).toBe(f.upstream.catalog.get(X86).signatures);
    await expectConsistentMirror(f.mirror);

    // The next release is staged while the fleet keeps the promoted one; promoting rotates live into _back.
    const first = f.upstream.catalog.get(X86).signatures;
    f.upstream.catalog.bump({ os: 'linux' });
    expect((await cli(['download'])).code).toBe(0);
    expect(await version('')).toBe(first);
    expect(await version('staging')).toBe(f.upstream.catalog.get(X86).signatures);
    expect((await cli(['promote', '--version', f.upstream.catalog.get(X86).signatures])).code).toBe(0);
    expect(await version('')).toBe(f.upstream.catalog.get(X86).signatures);
    expect((await readJson(join(f.mirror, 'linux/production_back/arch_x86_64/manifest.json')))['DefinitionVersion']).toBe(first);
    await expectConsistentMirror(f.mirror);
  });

  it('refuses to promote a missing, broken or wrong-version bundle, with exit 1, changing nothing', async () => {
    const missing = await cli(['promote']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/linux\/production\/x86_64: not promoted: nothing is staged for linux\/production\/x86_64/);
    expect(existsSync(join(f.mirror, 'linux'))).toBe(false);

    expect((await cli(['download'])).code).toBe(0);
    const wrong = await cli(['promote', '--version', '9.9.9.9']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/the staged version is 1\.421\.\d+\.0, not 9\.9\.9\.9/);
    expect(await liveFiles()).toEqual([]);

    const staged = join(f.mirror, 'staging/linux/production/arch_x86_64/updates.zip');
    await flipByte(staged);
    const before = await snapshot(f.mirror);
    const broken = await cli(['promote']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/not promoted: the staged updates\.zip is missing or does not match its manifest/);
    expect(broken.stderr).toMatch(/nothing was promoted/);
    expect(await snapshot(f.mirror)).toEqual(before);
  });

  it('serves the staging tree, and endpoint-config points test devices at it', async () => {
    expect((await cli(['download'])).code).toBe(0);
    const serve = await startServe(['--settings', join(f.dir, 'settings.json')]);
    try {
      const cfg = await runCli(['endpoint-config', '--url', serve.base, '--os', 'linux', '--staging']);
      const url = (JSON.parse(cfg.stdout) as { antivirusEngine: { offlineDefinitionUpdateUrl: string } }).antivirusEngine
        .offlineDefinitionUpdateUrl;
      expect(url).toBe(`${serve.base}/staging/linux/production/`);
      const v = await runCli(['verify', url, '--arch', 'x86_64']);
      expect(v.code).toBe(0);
      expect((await runCli(['verify', `${serve.base}/linux/production/`, '--arch', 'x86_64'])).code).toBe(1);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.child.result;
    }
  });
});

describe('rollout: delayed', () => {
  it('promotes only after the delay, and a newer staged release restarts the clock', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], rollout: { mode: 'delayed', delay: '24h' } });
    const v1 = f.upstream.catalog.get(X86).signatures;
    expect((await cli(['download'], at(0))).code).toBe(0);
    expect(await liveFiles()).toEqual([]);

    const waiting = await cli(['status', '--wide'], at(23));
    expect(waiting.stdout).toContain(`staged ${v1} goes live in 1h00m`);
    expect((await cli(['download'], at(23))).code).toBe(0);
    expect(await liveFiles()).toEqual([]);

    const due = await cli(['download'], at(25));
    expect(due.code).toBe(0);
    expect(due.stdout).toMatch(new RegExp(`promoted to live: linux/production/x86_64 - -> ${v1.replace(/\./g, '\\.')} \\(staged 1d01h\\)`));
    expect(await version('')).toBe(v1);

    // v2 arrives at 30h; at 50h it has waited only 20h, at 55h it is due.
    f.upstream.catalog.bump({ os: 'linux' });
    const v2 = f.upstream.catalog.get(X86).signatures;
    expect((await cli(['download'], at(30))).code).toBe(0);
    expect((await cli(['download'], at(50))).code).toBe(0);
    expect(await version('')).toBe(v1);
    expect((await cli(['download'], at(55))).code).toBe(0);
    expect(await version('')).toBe(v2);
    await expectConsistentMirror(f.mirror);
  });

  it('exits 2 on an unknown rollout mode or a bad delay', async () => {
    await writeSettings(f.dir, f.upstream, { rollout: { mode: 'canary' } });
    const r = await cli(['download']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/rollout\.mode/);
    await writeSettings(f.dir, f.upstream, { rollout: { mode: 'delayed', delay: 'a day' } });
    const d = await cli(['download']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/field "rollout\.delay" "a day" is not a duration/);
  });
});

describe('rollout: immediate', () => {
  it('publishes straight to the live tree, as before, with no staging folder', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], rollout: { mode: 'immediate' } });
    expect((await cli(['download'])).code).toBe(0);
    expect(await version('')).toBe(f.upstream.catalog.get(X86).signatures);
    expect(existsSync(join(f.mirror, 'staging'))).toBe(false);
  });
});
