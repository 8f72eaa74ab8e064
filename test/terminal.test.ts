// What a person at a terminal sees, under a real pseudo-terminal (util-linux script): progress rows that fit the
// width, one line per notable event instead of whole log records, a verifying state, colour that NO_COLOR turns off,
// and a status table that fits 100 columns.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { writeSettings } from './helpers/mirror.js';

const f = useMirrorFixture({ bundleSize: 4 * 1024 * 1024, rateBytesPerSec: 16 * 1024 * 1024 });

/**
 * Runs the CLI with stdout and stderr on a pseudo-terminal `cols` wide; resolves with what the terminal received.
 * Asynchronous: the simulated upstream answers from this same process.
 */
async function onTerminal(args: string[], cols: number, env: Record<string, string> = {}, redirect = ''): Promise<string> {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  // script copies its stdin to the terminal until it ends: nothing to type here.
  const child = spawn('script', ['-qec', `stty cols ${cols}; ${command}${redirect}`, '/dev/null'], {
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  await once(child, 'close');
  return out;
}

const ESC = String.fromCharCode(27);

/** The screen lines as a person reads them: escape sequences removed, carriage returns dropped. */
const visible = (output: string): string[] => stripVTControlCharacters(output).replace(/\r/g, '').split('\n');

describe('on a terminal', () => {
  it('shows progress rows cut to the width, verifying, one line per retry, and the summary, with no log records', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'], downloadMacUpdates: true });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 503 }, times: 1 });
    const out = await onTerminal(['download', '--settings', join(f.dir, 'settings.json')], 60);
    const lines = visible(out);
    // The progress rows (indented) fit; the summary table below is as wide as its content, like any command's output.
    expect(lines.filter((l) => l.startsWith('  ') && l.length > 60)).toEqual([]);
    expect(lines.some((l) => /^\s+(linux|mac)\/production\/x86_64\s+\d+%/.test(l))).toBe(true);
    expect(lines.some((l) => /^\s+(linux|mac)\/production\/x86_64\s+verifying/.test(l))).toBe(true);
    expect(lines.filter((l) => /production\/x86_64 {2}download attempt 1 failed; retrying$/.test(l))).toHaveLength(1);
    // Multi-line pino records had lines like `    versions: {` and `"msg"` keys.
    expect(lines.filter((l) => /^\s+\w+: [{[]$|"level"/.test(l))).toEqual([]);
    expect(lines.some((l) => l.startsWith('mdatp-mirror download: 2 bundle(s): 2 downloaded'))).toBe(true);
    expect(out).toContain(`${ESC}[33m`); // the retry line in yellow
  });

  it('keeps progress on stderr when stdout is piped (| tee), and NO_COLOR turns colour off', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    f.upstream.faults.add({ target: 'bundle', action: { type: 'status', status: 503 }, times: 1 });
    const out = await onTerminal(
      ['download', '--settings', join(f.dir, 'settings.json')],
      80,
      { NO_COLOR: '1' },
      ` > '${join(f.dir, 'out.txt')}'`,
    );
    expect(visible(out).some((l) => /linux\/production\/x86_64\s+(\d+%|verifying)/.test(l))).toBe(true);
    expect(out).not.toMatch(new RegExp(`${ESC}\\[3\\dm`));
    expect(visible(out).some((l) => l.startsWith('mdatp-mirror download:'))).toBe(false);
  });

  it('status fits 100 columns, with the rest under --wide', async () => {
    await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
    expect((await runCli(['download', '--settings', join(f.dir, 'settings.json')])).code).toBe(0);
    f.upstream.catalog.bump({ os: 'linux' });
    expect((await runCli(['download', '--settings', join(f.dir, 'settings.json')])).code).toBe(0);
    const narrow = await runCli(['status', '--settings', join(f.dir, 'settings.json')]);
    const rows = narrow.stdout.split('\n').filter((l) => l.startsWith('BUNDLE') || l.startsWith('linux/'));
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.length).toBeLessThanOrEqual(100);
    expect(rows[0]).not.toContain('SIZE');
    const wide = await runCli(['status', '--settings', join(f.dir, 'settings.json'), '--wide']);
    expect(wide.stdout).toMatch(/^BUNDLE\s+HEALTH\s+LIVE\s+AGE\s+SIZE\s+BACKUP\s+LAST RUN\s+DETAIL$/m);
  });
});
