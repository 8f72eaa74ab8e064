// `check`: the first command on a new server, each step with its result, through the built CLI.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { writeSettings } from './helpers/mirror.js';

const f = useMirrorFixture({ bundleSize: 64 * 1024 });
const check = (...args: string[]) => runCli(['check', '--settings', join(f.dir, 'settings.json'), ...args]);

describe('check', () => {
  it('passes every step against a reachable upstream, asking for one version document and no bundle', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    const r = await check();
    expect(r.code).toBe(0);
    for (const step of ['settings', 'downloadFolder', 'logFilePath', 'proxy', 'caFile', 'upstream']) {
      expect(r.stdout).toMatch(new RegExp(`^${step}\\s+ok\\s`, 'm'));
    }
    expect(r.stdout).toMatch(/upstream\s+ok\s+.*linux\/production\/arch_x86_64 offers signatures 1\.421\.\d+\.0, engine/);
    expect(r.stdout).toContain('all checks passed');
    expect(f.upstream.requests.filter((q) => q.kind === 'info')).toHaveLength(1);
    expect(f.upstream.requests.filter((q) => q.kind === 'bundle')).toHaveLength(0);
  });

  it('exits 1 when the upstream cannot be asked, reporting every other step', async () => {
    await writeSettings(f.dir, 'http://127.0.0.1:9/fwlink/', { retries: 1 });
    const r = await check('--json');
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { steps: { step: string; ok: boolean; detail: string }[]; exitCode: number };
    expect(report.exitCode).toBe(1);
    expect(report.steps.map((s) => [s.step, s.ok])).toEqual([
      ['settings', true],
      ['downloadFolder', true],
      ['logFilePath', true],
      ['proxy', true],
      ['caFile', true],
      ['upstream', false],
    ]);
    expect(report.steps.at(-1)!.detail).toMatch(/ECONNREFUSED/);
  });

  it('exits 2 for a mistake in the environment or the settings, naming it', async () => {
    await writeFile(join(f.dir, 'blocker'), 'a file');
    await writeSettings(f.dir, f.upstream, { downloadFolder: join(f.dir, 'blocker', 'mirror') });
    const env = await check();
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/^downloadFolder\s+FAILED\s+downloadFolder .*blocker\/mirror lies under .*blocker, which is a file/m);
    expect(env.stderr).toMatch(/^upstream\s+ok/m);
    const missing = await runCli(['check', '--settings', join(f.dir, 'nothere.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^settings\s+FAILED\s+settings file .*nothere\.json does not exist/m);
  });
});
