// Whom a generated job or service runs as: the owner of the download folder (the account that already writes it),
// or the user installing it when the folder does not exist yet. Never root by default when someone else owns it.
import { readFile, stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { usageError } from '../../errors/catalogue.js';

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
async function accountIds(user: string): Promise<{ uid: number; gid: number } | undefined> {
  const found = (await accounts()).find((a) => a.name === user || String(a.uid) === user);
  return found && { uid: found.uid, gid: found.gid };
}

async function defaultRunAs(downloadFolder: string): Promise<string> {
  const owner = await stat(downloadFolder).then(
    (s) => s.uid,
    () => undefined,
  );
  if (owner === undefined || process.platform === 'win32') return userInfo().username;
  return accountName(owner);
}

/** A user name or uid systemd and launchd accept. */
const isAccountName = (name: string): boolean => /^(?:[a-z_][a-z0-9_.-]*[$]?|\d+)$/i.test(name) && name.length <= 32;

/** --user as given (checked), or the default: what a generated job or service runs as. */
export async function runAs(user: string | undefined, downloadFolder: string): Promise<string> {
  const name = user ?? (await defaultRunAs(downloadFolder));
  if (!isAccountName(name)) throw usageError(`--user ${name}: not a user name or uid.`);
  return name;
}

/** --user for init: an account this machine knows, whose uid and gid will own the folders. */
export async function existingAccount(user: string): Promise<{ uid: number; gid: number }> {
  if (!isAccountName(user)) throw usageError(`--user ${user}: not a user name or uid.`);
  const ids = await accountIds(user);
  if (!ids) throw usageError(`--user ${user}: no such account on this machine (create it first, for example useradd --system ${user}).`);
  return ids;
}
