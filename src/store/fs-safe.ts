// Small durable-filesystem steps the publisher is built from: fsync, rename with Windows retries, atomic small writes.
import { copyFile, link, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import writeFileAtomic from 'write-file-atomic';

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

/** rename(), retried a bounded number of times when Windows reports the target held open (antivirus, indexer). */
export async function renameDurably(from: string, to: string, attempts = process.platform === 'win32' ? 10 : 1): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await rename(from, to);
      break;
    } catch (e) {
      if (i >= attempts || !WINDOWS_BUSY.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
      await sleep(50 * i);
    }
  }
  await fsyncDir(dirname(to));
}

/** Replaces the file atomically (temp + fsync + rename) and makes the rename itself durable. */
export async function writeFileDurably(path: string, data: string | Buffer): Promise<void> {
  await writeFileAtomic(path, data, { fsync: true });
  await fsyncDir(dirname(path));
}

/** @param durable false for records whose loss after a power cut costs nothing (the last run's report). */
export async function writeJsonAtomic(path: string, value: unknown, durable = true): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`, { fsync: durable });
  if (durable) await fsyncDir(dirname(path));
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
