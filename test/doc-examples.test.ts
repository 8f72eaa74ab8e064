// Every shell example in the README and docs/ as a reader pastes it: each ```sh block runs in bash (set -e, pipefail)
// in a sandbox folder holding a mirror downloaded from the simulated upstream, with `mdatp-mirror` on PATH, a
// settings.json there and at the sandbox's /etc/mdatp-mirror, and a serve of that mirror standing in for
// http://mirror01:8080. The only changes made to a block are the path and host rewrites below. A block that cannot
// run here says so in the page, on the line before it, with the reason:
//   <!-- doc-test: not runnable: needs a real S3 bucket -->
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, cp, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { BIN, runCli } from './helpers/cli.js';
import { removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';
import { startServe, type RunningServe } from './helpers/serve.js';

const ROOT = new URL('../', import.meta.url).pathname;
const MARK = /^<!-- doc-test: not runnable: (.+) -->$/;

interface Example {
  readonly page: string;
  readonly line: number;
  readonly code: string;
  /** Why it cannot run here, as the page says; undefined: it runs. */
  readonly notRunnable: string | undefined;
}

async function pages(): Promise<string[]> {
  const walk = async (dir: string): Promise<string[]> =>
    (await readdir(join(ROOT, dir), { withFileTypes: true })).flatMap((e) =>
      e.isDirectory() ? [join(dir, e.name)] : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
    );
  const found = ['README.md'];
  const dirs = ['docs'];
  while (dirs.length > 0) {
    for (const p of await walk(dirs.pop()!)) (p.endsWith('.md') ? found : dirs).push(p);
  }
  // The generated reference holds no examples of its own.
  return found.filter((p) => !p.startsWith('docs/reference/')).sort();
}

async function examples(): Promise<Example[]> {
  const out: Example[] = [];
  for (const page of await pages()) {
    const lines = (await readFile(join(ROOT, page), 'utf8')).split('\n');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i] !== '```sh') continue;
      const end = lines.indexOf('```', i + 1);
      const mark = MARK.exec(lines[i - 1] ?? '') ?? MARK.exec(lines[i - 2] ?? '');
      out.push({ page, line: i + 1, code: lines.slice(i + 1, end).join('\n'), notRunnable: mark?.[1] });
      i = end;
    }
  }
  return out;
}

let upstream: SimulatedUpstream;
let template: string;
let serve: RunningServe;

/** The sandbox's stand-ins for the paths and hosts a page names. */
const rewrite = (code: string, sandbox: string, mirrorUrl: string): string =>
  code
    .replaceAll('/etc/opt/microsoft/mdatp/managed/mdatp_managed.json', join(sandbox, 'mdatp_managed.json'))
    .replaceAll('/etc/mdatp-mirror', join(sandbox, 'etc/mdatp-mirror'))
    .replaceAll('/tmp/units', join(sandbox, 'units'))
    .replaceAll('/media/usb', join(sandbox, 'usb'))
    .replaceAll('/mnt/wdav-update', join(sandbox, 'mirror'))
    .replaceAll('http://mirror01:8080', mirrorUrl)
    .replaceAll('http://mirror.example.com:8080', mirrorUrl);

async function runBlock(code: string, sandbox: string): Promise<{ code: number | null; output: string }> {
  const child = spawn('bash', ['-euo', 'pipefail', '-c', code], {
    cwd: sandbox,
    env: { ...process.env, PATH: `${join(sandbox, 'bin')}:${process.env.PATH ?? ''}`, HOME: sandbox },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  // 'exit', not 'close': a background process (&) keeps the pipes open after the block ends.
  const [exit] = (await once(child, 'exit')) as [number | null];
  // A block that started something in the background (&) leaves nothing behind.
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  return { code: exit, output };
}

beforeAll(async () => {
  upstream = await startUpstream({ bundleSize: 64 * 1024 });
  template = await tempDir('mdatp-mirror-docs-');
  await mkdir(join(template, 'bin'));
  await writeFile(join(template, 'bin', 'mdatp-mirror'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  await chmod(join(template, 'bin', 'mdatp-mirror'), 0o755);
  for (const dir of ['units', 'usb', 'etc/mdatp-mirror']) await mkdir(join(template, dir), { recursive: true });
  await writeSettings(template, upstream, {
    downloadFolder: join(template, 'mirror'),
    logFilePath: join(template, 'mirror.log'),
    downloadMacUpdates: true,
  });
  await cp(join(template, 'settings.json'), join(template, 'etc/mdatp-mirror/settings.json'));
  // Two releases, so there is a backup to roll back to.
  expect((await runCli(['download', '--settings', join(template, 'settings.json')])).code).toBe(0);
  upstream.catalog.bump();
  expect((await runCli(['download', '--settings', join(template, 'settings.json')])).code).toBe(0);
  serve = await startServe(['--settings', join(template, 'settings.json')]);
});
afterAll(async () => {
  serve.child.kill('SIGTERM');
  await serve.child.result;
  await upstream.stop();
  await removeDir(template);
});

const all = await examples();

describe('shell examples in the README and docs/', () => {
  it('every block runs here or says why not', () => {
    expect(all.length).toBeGreaterThan(20);
    const unmarked = all.filter((e) => e.notRunnable === undefined);
    // Pages that marked everything would pass trivially: a floor of blocks that really run.
    expect(unmarked.length, 'blocks that run').toBeGreaterThanOrEqual(8);
  });

  for (const e of all.filter((x) => x.notRunnable === undefined)) {
    it(`${e.page}:${e.line}`, async () => {
      const sandbox = await tempDir('mdatp-mirror-doc-');
      try {
        await cp(template, sandbox, { recursive: true });
        // The copied settings still name the template's folders: point them at this sandbox's.
        for (const f of ['settings.json', 'etc/mdatp-mirror/settings.json']) {
          const text = await readFile(join(sandbox, f), 'utf8');
          await writeFile(join(sandbox, f), text.replaceAll(template, sandbox));
        }
        const r = await runBlock(rewrite(e.code, sandbox, serve.base), sandbox);
        expect(r.code, `${e.page}:${e.line} exited ${r.code}:\n${r.output}`).toBe(0);
      } finally {
        await removeDir(sandbox);
      }
    });
  }
});
