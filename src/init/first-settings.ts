// `init`: a first settings.json for a new server, and its download folder, owned by the account that will run the
// mirror. Only the official six fields and the decisions an admin has to make; everything else keeps its default.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { OFFICIAL_BASE_URL } from '../settings/defaults.js';

/** Where a system-wide mirror lives (root or an administrator), or one in a user's home. */
export function firstPaths(system: boolean): { downloadFolder: string; logFilePath: string } {
  if (process.platform === 'win32') {
    const base = system ? 'C:\\ProgramData\\mdatp-mirror' : join(homedir(), 'mdatp-mirror');
    return { downloadFolder: join(base, 'wdav-update'), logFilePath: join(base, 'mdatp_offline_updates.log') };
  }
  if (system)
    return { downloadFolder: '/var/lib/mdatp-mirror/wdav-update', logFilePath: '/var/log/mdatp-mirror/mdatp_offline_updates.log' };
  const base = join(homedir(), 'mdatp-mirror');
  return { downloadFolder: join(base, 'wdav-update'), logFilePath: join(base, 'mdatp_offline_updates.log') };
}

export function firstSettings(paths: { downloadFolder: string; logFilePath: string }): string {
  const settings = {
    downloadFolder: paths.downloadFolder,
    downloadLinuxUpdates: true,
    downloadMacUpdates: true,
    downloadPreviewUpdates: false,
    backupPreviousUpdates: true,
    logFilePath: paths.logFilePath,
    // Decisions for the admin: what the fleet runs, where updates come from, how new releases reach it.
    architectures: ['x86_64', 'arm64'],
    baseUpdateUrl: OFFICIAL_BASE_URL,
    rollout: { mode: 'immediate' },
    keepVersions: 1,
  };
  return `${JSON.stringify(settings, null, 2)}\n`;
}
