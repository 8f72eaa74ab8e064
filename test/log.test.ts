// `log`: the run log read back readably, filtered by time, and followed while a run writes it.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { writeSettings } from './helpers/mirror.js';

const f = useMirrorFixture({ bundleSize: 64 * 1024 });
const settings = () => join(f.dir, 'settings.json');

/** Resolves with the child's stdout once it matches (awaiting its output, not polling). */
function outputMatches(child: ReturnType<typeof startCli>, pattern: RegExp): Promise<void> {
  let seen = '';
  return new Promise((resolve) => {
    child.stdout!.on('data', (c: Buffer) => {
      seen += c.toString();
      if (pattern.test(seen)) resolve();
    });
  });
}

describe('log', () => {
  it('prints the run log readably, the raw lines with --json, and only recent lines with --since', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await runCli(['download', '--settings', settings()])).code).toBe(0);
    const pretty = await runCli(['log', '--settings', settings()]);
    expect(pretty.code).toBe(0);
    expect(pretty.stdout).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: published$/m);
    const raw = await runCli(['log', '--settings', settings(), '--json']);
    const lines = raw.stdout.trim().split('\n');
    for (const line of lines) JSON.parse(line);
    expect(lines.some((l) => l.includes('"decision":"downloaded"'))).toBe(true);
    // A clock a day ahead: nothing was written in the last hour.
    const later = new Date(Date.now() + 24 * 3600_000).toISOString();
    const recent = await runCli(['log', '--settings', settings(), '--since', '1h'], { env: { MDATP_MIRROR_NOW: later } });
    expect(recent.stdout).toBe('');
    expect((await runCli(['log', '--settings', settings(), '--since', 'lately'])).code).toBe(2);
  });

  it('--follow prints what a run writes while it runs, and stops on Ctrl-C with exit 0', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    const follower = startCli(['log', '--settings', settings(), '--follow', '--json']);
    const sawRun = outputMatches(follower, /"msg":"run finished"/);
    // The log does not exist yet; the follower waits for it.
    expect((await runCli(['download', '--settings', settings()])).code).toBe(0);
    await sawRun;
    follower.kill('SIGINT');
    expect((await follower.result).code).toBe(0);
  });
});
