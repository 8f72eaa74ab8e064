import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeDirectories } from '../../src/util/make-directories.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'make-directories-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('makeDirectories', () => {
  it('makes every missing folder with the mode, and accepts one that exists', async () => {
    await makeDirectories(join(dir, 'a/b/c'), 0o700);
    expect((await stat(join(dir, 'a/b/c'))).isDirectory()).toBe(true);
    if (process.platform !== 'win32') expect((await stat(join(dir, 'a'))).mode & 0o777).toBe(0o700 & ~process.umask());
    await makeDirectories(join(dir, 'a/b/c'));
    await makeDirectories(dir);
  });

  it('rejects as mkdir does where a file stands: EEXIST at the path, ENOTDIR above it', async () => {
    await writeFile(join(dir, 'file'), 'x');
    await expect(makeDirectories(join(dir, 'file'))).rejects.toMatchObject({ code: 'EEXIST' });
    await expect(makeDirectories(join(dir, 'file/below'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('rejects under /proc, where Node’s own recursive mkdir never returns', async () => {
    await expect(makeDirectories(`/proc/mdatp-mirror-${process.pid}/keys`)).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'mkdir',
      path: `/proc/mdatp-mirror-${process.pid}`,
    });
  });
});
