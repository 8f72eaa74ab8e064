// `mdatp-mirror init [--dir D]`: writes a first settings.json (never over an existing one), creates the download
// folder owned by the account that will run the mirror, and prints the next commands.
import { existsSync, statSync } from 'node:fs';
import { chown, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { usageError } from '../../errors/catalogue.js';
import { fileSystemError } from '../../errors/file-system.js';
import { firstPaths, firstSettings } from '../../init/first-settings.js';
import { existingAccount } from '../../schedule/install/run-as.js';
import { loadSettings } from '../../settings/load.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { makeDirectories } from '../../util/make-directories.js';

export interface InitOptions extends GlobalOptions {
  readonly dir: string;
  readonly downloadFolder?: string;
  readonly logFile?: string;
  readonly user?: string;
}

const isAdministrator = (): boolean => process.platform === 'win32' || process.getuid?.() === 0;

export async function init(o: InitOptions, io: CommandIo): Promise<number> {
  const dir = resolve(io.cwd, o.dir);
  const file = join(dir, 'settings.json');
  const defaults = firstPaths(isAdministrator());
  const paths = {
    downloadFolder: o.downloadFolder ? resolve(io.cwd, o.downloadFolder) : defaults.downloadFolder,
    logFilePath: o.logFile ? resolve(io.cwd, o.logFile) : defaults.logFilePath,
  };
  const owner = o.user === undefined ? undefined : await existingAccount(o.user);
  if (o.user !== undefined && process.getuid?.() !== 0) {
    throw usageError(`--user ${o.user}: only root can hand folders to another account; run init with sudo.`);
  }
  const alreadyThere = (): Error =>
    usageError(`${file} already exists: edit it, or move it away to start again (init never overwrites settings).`);
  if (existsSync(file)) throw alreadyThere();
  if (statSync(dir, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw usageError(`--dir ${dir} is a file, not a folder: give the folder settings.json is to be written in.`);
  }
  // The folders first and the settings last: a failure on the way leaves no settings.json that a second init
  // would refuse to replace.
  const folders = [...new Set([paths.downloadFolder, dirname(paths.logFilePath)])];
  try {
    for (const folder of folders) {
      await makeDirectories(folder);
      if (owner) await chown(folder, owner.uid, owner.gid);
    }
    await makeDirectories(dir);
    await writeFile(file, firstSettings(paths), { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw alreadyThere();
    throw fileSystemError(e) ?? e;
  }
  // What was written must load: the same checks every command makes.
  await loadSettings({ settingsFile: file }, io);
  const as = o.user ? ` (owner ${o.user})` : '';
  const s = `--settings ${file}`;
  io.stdout.write(
    `wrote ${file}\n` +
      `created ${folders.join(' and ')}${as}\n` +
      `next:\n` +
      `  1. edit ${file}: the OSes, channels and architectures your fleet runs; "proxy" or "caFile" if your network needs them\n` +
      `  2. mdatp-mirror check ${s}\n` +
      `  3. mdatp-mirror download ${s}\n` +
      `  4. mdatp-mirror schedule install --with ${process.platform === 'win32' ? 'windows-task' : process.platform === 'darwin' ? 'launchd' : 'systemd'} ${s}${o.user ? ` --user ${o.user}` : ''}\n`,
  );
  return 0;
}
