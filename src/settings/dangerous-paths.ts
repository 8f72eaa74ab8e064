// Folders the tool must never write into, and log locations that would damage what they sit in: checked once the
// settings' paths are resolved, before anything is created.
import { posix, win32 } from 'node:path';
import { OSES } from '../bundle/identity.js';
import { STAGING_DIR } from '../store/layout.js';

/** The operating system's own trees: writing a mirror here harms the machine (or, for /proc, spins for ever). */
const POSIX_SYSTEM = ['/etc', '/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', '/boot', '/proc', '/sys', '/dev', '/run'];

/** Why a download folder is dangerous, or undefined when it is an ordinary folder. `path` is absolute. */
export function dangerousFolderReason(path: string, platform: NodeJS.Platform = process.platform): string | undefined {
  if (platform === 'win32') {
    const p = win32.resolve(path).toLowerCase();
    if (/^[a-z]:\\?$/.test(p) || /^\\\\[^\\]+\\[^\\]+\\?$/.test(p)) return 'is the root of a drive or share';
    const windows = win32.join(p.slice(0, 2), '\\windows');
    if (p === windows || p.startsWith(`${windows}\\`)) return 'is inside the Windows system folder';
    return undefined;
  }
  const p = posix.resolve(path);
  if (p === '/') return 'is the root of the file system';
  const system = POSIX_SYSTEM.find((s) => p === s || p.startsWith(`${s}/`));
  return system ? `is inside the system folder ${system}` : undefined;
}

/** Why a log file at `log` would damage something, or undefined. All paths absolute. */
export function logPathConflict(
  log: string,
  settingsFile: string,
  downloadFolder: string,
  platform = process.platform,
): string | undefined {
  const path = platform === 'win32' ? win32 : posix;
  const same = (a: string, b: string): boolean =>
    platform === 'win32' ? path.resolve(a).toLowerCase() === path.resolve(b).toLowerCase() : path.resolve(a) === path.resolve(b);
  if (same(log, settingsFile)) return 'is the settings file itself: log lines would be appended to it';
  if (same(log, downloadFolder)) return 'is the download folder';
  const rel = path.relative(downloadFolder, log);
  const first = rel.split(path.sep)[0] ?? '';
  const served: readonly string[] = [...OSES, STAGING_DIR];
  if (!rel.startsWith('..') && !path.isAbsolute(rel) && served.includes(first)) {
    return `is inside the tree endpoints download from (${first}/): log lines could land in a served file`;
  }
  return undefined;
}
