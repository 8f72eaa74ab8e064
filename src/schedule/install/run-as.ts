// Whom a generated job or service runs as: the owner of the download folder (the account that already writes it),
// or the user installing it when the folder does not exist yet. Never root by default when someone else owns it.
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';

/** /etc/passwd's entries (getpwnam and getpwuid have no Node binding): name, uid, gid. */
async function accounts(): Promise<{ name: string; uid: number; gid: number }[]> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  return passwd
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 4)
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]) }));
}

/** The account name for a numeric uid; the number if not found. */
async function accountName(uid: number): Promise<string> {
  return (await accounts()).find((a) => a.uid === uid)?.name ?? String(uid);
}

/** The uid and primary gid of an account given by name or number; undefined when this machine does not know it. */
export async function accountIds(user: string): Promise<{ uid: number; gid: number } | undefined> {
  const found = (await accounts()).find((a) => a.name === user || String(a.uid) === user);
  return found && { uid: found.uid, gid: found.gid };
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
