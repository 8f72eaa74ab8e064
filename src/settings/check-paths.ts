// Checks the folders and files a command is about to use, before it uses them, so an environment mistake (a file
// where downloadFolder belongs, a log path that is a folder, a folder this user cannot write) is one message naming
// the setting, the path and the fix, with exit 2, instead of a stack trace or a misleading result later.
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { settingsError } from '../errors/catalogue.js';

/**
 * How a command uses downloadFolder: `write` creates it if needed; `read` accepts it missing (nothing downloaded
 * yet); `serve` needs it to exist.
 */
export type FolderUse = 'write' | 'read' | 'serve';

type PathState = { kind: 'folder' } | { kind: 'file' } | { kind: 'missing'; under: string } | { kind: 'under-file'; file: string };

async function kindOf(path: string): Promise<'folder' | 'file' | 'missing' | 'not-dir'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'ENOTDIR') return 'not-dir';
    throw e;
  }
}

/** What is at `path`, and for a missing path the nearest existing folder above it, or the file that blocks it. */
async function inspect(path: string): Promise<PathState> {
  const kind = await kindOf(path);
  if (kind === 'folder' || kind === 'file') return { kind };
  for (let up = dirname(path), below = path; up !== below; below = up, up = dirname(up)) {
    const k = await kindOf(up);
    if (k === 'folder') return { kind: 'missing', under: up };
    if (k === 'file') return { kind: 'under-file', file: up };
  }
  return { kind: 'missing', under: path };
}

const userName = (): string => {
  try {
    return userInfo().username;
  } catch {
    return 'the current user';
  }
};

async function writable(path: string): Promise<boolean> {
  try {
    await access(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function notWritable(setting: string, path: string, where: string): never {
  const user = userName();
  const fix =
    process.platform === 'win32'
      ? `give ${user} write access (icacls "${where}" /grant ${user}:M), or choose another folder`
      : `chown it to ${user} (sudo chown -R ${user} ${where}), or choose another folder`;
  throw settingsError(
    'SETTINGS_INVALID',
    `${setting} ${path} is not writable by user ${user}${where === path ? '' : ` (${where} is not)`}: ${fix}.`,
  );
}

export async function checkDownloadFolder(folder: string, use: FolderUse): Promise<void> {
  const state = await inspect(folder);
  if (state.kind === 'file') {
    throw settingsError(
      'SETTINGS_INVALID',
      `downloadFolder ${folder} is a file, not a folder: move the file away, or set downloadFolder to a folder.`,
    );
  }
  if (state.kind === 'under-file') {
    throw settingsError(
      'SETTINGS_INVALID',
      `downloadFolder ${folder} lies under ${state.file}, which is a file: move that file away, or set downloadFolder elsewhere.`,
    );
  }
  if (state.kind === 'missing' && use === 'serve') {
    throw settingsError(
      'SETTINGS_INVALID',
      `downloadFolder ${folder} does not exist, so there is nothing to serve: run mdatp-mirror download first, or fix downloadFolder.`,
    );
  }
  if (use !== 'write') return;
  const where = state.kind === 'missing' ? state.under : folder;
  if (!(await writable(where))) notWritable('downloadFolder', folder, where);
}

/** logFilePath: a file (or nothing yet) that this user can create or append to. */
export async function checkLogFile(file: string): Promise<void> {
  const state = await inspect(file);
  if (state.kind === 'folder') {
    throw settingsError(
      'SETTINGS_INVALID',
      `logFilePath ${file} is a folder: set logFilePath to a file, such as ${join(file, 'mdatp-mirror.log')}.`,
    );
  }
  if (state.kind === 'under-file') {
    throw settingsError('SETTINGS_INVALID', `logFilePath ${file} lies under ${state.file}, which is a file: choose another logFilePath.`);
  }
  // The logger creates missing folders; what has to be writable is the nearest one that exists.
  const where = state.kind === 'missing' ? state.under : file;
  if (!(await writable(where))) notWritable('logFilePath', file, where);
}
