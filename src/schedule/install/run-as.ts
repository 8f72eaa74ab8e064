// Whom a generated job or service runs as: the owner of the download folder (the account that already writes it),
// or the user installing it when the folder does not exist yet. Never root by default when someone else owns it.
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';

/** The account name for a numeric uid, from /etc/passwd (getpwuid has no Node binding); the number if not found. */
async function accountName(uid: number): Promise<string> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  const line = passwd.split('\n').find((l) => l.split(':')[2] === String(uid));
  return line?.split(':')[0] ?? String(uid);
}

export async function defaultRunAs(downloadFolder: string): Promise<string> {
  const owner = await stat(downloadFolder).then(
    (s) => s.uid,
    () => undefined,
  );
  if (owner === undefined || process.platform === 'win32') return userInfo().username;
  return accountName(owner);
}

/** A user name or uid systemd and launchd accept. */
export const isAccountName = (name: string): boolean => /^(?:[a-z_][a-z0-9_.-]*[$]?|\d+)$/i.test(name) && name.length <= 32;
