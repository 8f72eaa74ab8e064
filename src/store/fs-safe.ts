// Small durable-filesystem steps the publisher is built from: fsync, rename with Windows retries, atomic small writes.
import { randomBytes } from 'node:crypto';
import { copyFile, link, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export async function fsyncFile(path: string): Promise<void> {
  const h = await open(path, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Makes a rename durable across power loss on POSIX; Windows cannot open folders, and NTFS journals renames. */
export async function fsyncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } catch (e) {
    // Some network filesystems refuse fsync on folders; the rename has still happened.
    if ((e as NodeJS.ErrnoException).code !== 'EINVAL' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
  } finally {
    await h.close();
  }
}

const WINDOWS_BUSY = new Set(['EPERM', 'EBUSY', 'EACCES']);
const isWindowsBusy = (e: unknown): boolean => process.platform === 'win32' && WINDOWS_BUSY.has((e as NodeJS.ErrnoException).code ?? '');

/** Retries a step a bounded number of times while Windows reports a file held without delete sharing (antivirus, indexer). */
async function whileBusy<T>(step: () => Promise<T>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await step();
    } catch (e) {
      if (i >= attempts || !isWindowsBusy(e)) throw e;
      await sleep(50 * i);
    }
  }
}

/**
 * rename() over `to`, made durable. Windows refuses to replace a file that a reader holds open, and serve holds the
 * live bundle open all day, but it does let that file itself be renamed (Node opens with delete sharing). So there
 * the held file is moved aside first, the new one takes its name, and the old one is deleted: Windows removes it
 * when its last reader closes, and every reader keeps the whole old file. The name is absent only between the two
 * renames, a gap serve bridges (serve/file-response.ts); a crash inside it leaves the manifest without its bundle,
 * which the next run downloads again.
 */
export async function renameDurably(from: string, to: string): Promise<void> {
  await replace(from, to);
  await fsyncDir(dirname(to));
}

async function replace(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (e) {
    if (!isWindowsBusy(e)) throw e;
    await whileBusy(() => replaceHeldOpen(from, to));
  }
}

async function replaceHeldOpen(from: string, to: string): Promise<void> {
  const aside = `${to}.${randomBytes(4).toString('hex')}.superseded`;
  const movedAside = await rename(to, aside).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      // Nothing to replace: the file held open was the source (a scanner reading the new file); retry as it was.
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );
  try {
    await rename(from, to);
  } catch (e) {
    if (movedAside) await rename(aside, to).catch(() => undefined);
    throw e;
  }
  if (movedAside) await rm(aside, { force: true }).catch(() => undefined);
}

/**
 * Replaces the file atomically (temp + fsync + rename) and makes the rename itself durable. Not write-file-atomic:
 * its rename fails on Windows while a reader holds the file (a manifest being served); renameDurably handles that.
 * @param durable false for records whose loss after a power cut costs nothing (the last run's report).
 */
export async function writeFileDurably(path: string, data: string | Buffer, durable = true): Promise<void> {
  const tmp = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const h = await open(tmp, 'wx');
    try {
      await h.writeFile(data);
      if (durable) await h.sync();
    } finally {
      await h.close();
    }
    if (durable) await renameDurably(tmp, path);
    else await replace(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

export async function writeJsonAtomic(path: string, value: unknown, durable = true): Promise<void> {
  await writeFileDurably(path, `${JSON.stringify(value, null, 2)}\n`, durable);
}

export async function removeQuietly(path: string): Promise<void> {
  await rm(path, { force: true, recursive: true, maxRetries: 3 }).catch(() => undefined);
}

/** A second name for the same bytes when the filesystem allows (instant, no extra space), else a copy. */
export async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}
