// Free-space checks before a bundle is written, and the message a full disk gets.
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MirrorError } from '../errors/catalogue.js';
import { formatBytes } from '../util/bytes.js';

async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const s = await statfs(dirname(path));
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** @param path a file in the folder being written; @param folder the folder to name to the user */
export async function diskFullError(path: string, folder: string, needed: number, margin: number): Promise<MirrorError> {
  const free = await freeBytes(path);
  return new MirrorError(
    'DISK_FULL',
    `not enough disk space in ${folder}: need ${formatBytes(needed + margin)} (bundle ${formatBytes(needed)} + margin ${formatBytes(margin)}), ${free === undefined ? 'unknown' : formatBytes(free)} free. Free space there or move downloadFolder.`,
  );
}

export async function checkFreeSpace(path: string, folder: string, needed: number, margin: number): Promise<void> {
  const free = await freeBytes(path);
  if (free !== undefined && free < needed + margin) throw await diskFullError(path, folder, needed, margin);
}
