// Defaults: the old scripts' values for their six fields, and ours for the additive ones.
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** download --wait without a value: how long to wait for another run's lock. */
export const DEFAULT_LOCK_WAIT_SECONDS = 600;

export { OFFICIAL_BASE_URL } from '../upstream/urls.js';

export const defaultDownloadFolder = (): string => join(homedir(), 'wdav-update');

/** The scripts log to /tmp; Windows has no /tmp, so use the OS temp folder there. */
export const defaultLogFilePath = (): string =>
  process.platform === 'win32' ? join(tmpdir(), 'mdatp_offline_updates.log') : '/tmp/mdatp_offline_updates.log';

export const DEFAULT_SETTINGS_FILE = 'settings.json';
export const SETTINGS_ENV = 'MDATP_MIRROR_SETTINGS';
