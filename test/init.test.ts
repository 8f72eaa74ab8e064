// `init`: a first settings.json and folders owned by the account that will run the mirror, never overwriting.
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { removeDir, startUpstream, tempDir } from './helpers/mirror.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

const init = (...args: string[]) =>
  runCli([
    'init',
    '--dir',
    join(dir, 'etc'),
    '--download-folder',
    join(dir, 'lib/wdav-update'),
    '--log-file',
    join(dir, 'log/m.log'),
    ...args,
  ]);

it('writes the six official fields and the decisions to make, creates the folders, and says what to run next', async () => {
  const r = await init();
  expect(r.code).toBe(0);
  const file = join(dir, 'etc/settings.json');
  const settings = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(Object.keys(settings).slice(0, 6)).toEqual([
    'downloadFolder',
    'downloadLinuxUpdates',
    'downloadMacUpdates',
    'downloadPreviewUpdates',
    'backupPreviousUpdates',
    'logFilePath',
  ]);
  expect(settings).toMatchObject({ downloadFolder: join(dir, 'lib/wdav-update'), architectures: ['x86_64', 'arm64'] });
  expect((await stat(join(dir, 'lib/wdav-update'))).isDirectory()).toBe(true);
  expect(r.stdout).toContain(`mdatp-mirror check --settings ${file}`);

  // The file works as written: check passes every local step (the upstream here is the simulator, not Microsoft's).
  const upstream = await startUpstream();
  try {
    await writeFile(file, JSON.stringify({ ...settings, baseUpdateUrl: upstream.baseUrl }));
    expect((await runCli(['check', '--settings', file])).code).toBe(0);
  } finally {
    await upstream.stop();
  }

  const again = await init();
  expect(again.code).toBe(2);
  expect(again.stderr).toContain('already exists: edit it, or move it away');
});

it.runIf(process.getuid?.() === 0)('as root, hands the folders to --user, and refuses an account that does not exist', async () => {
  expect((await init('--user', 'nobody')).code).toBe(0);
  const nobody = Number(
    (await readFile('/etc/passwd', 'utf8'))
      .split('\n')
      .find((l) => l.startsWith('nobody:'))!
      .split(':')[2],
  );
  expect((await stat(join(dir, 'lib/wdav-update'))).uid).toBe(nobody);
  expect((await stat(join(dir, 'log'))).uid).toBe(nobody);
  expect((await stat(join(dir, 'etc/settings.json'))).uid).toBe(userInfo().uid);
  const unknown = await runCli(['init', '--dir', join(dir, 'other'), '--user', 'no-such-account']);
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('--user no-such-account: no such account on this machine');
});

it('refuses a --dir that is a file before creating anything, and names a folder that takes no new folders (/proc)', async () => {
  await writeFile(join(dir, 'etc'), 'a file');
  const file = await init();
  expect(file.code).toBe(2);
  expect(file.stderr).toContain(`--dir ${join(dir, 'etc')} is a file, not a folder`);
  expect(await readdir(dir)).toEqual(['etc']);

  const proc = `/proc/mdatp-mirror-${process.pid}`;
  const r = await runCli(['init', '--dir', proc, '--download-folder', join(dir, 'lib'), '--log-file', join(dir, 'log/m.log')]);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`mkdir ${proc}: the folder above it takes no new folders`);
  expect(r.stderr).not.toMatch(/already exists|\n\s+at /);
});
