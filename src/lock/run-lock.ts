// One run at a time per download folder: an exclusive-create lock file naming its holder, taken over when stale
// (its process gone on this host, or too old on another).
// (On one host this is enough; mkdir-based locks that survive NFS kill the process on event-loop stalls.)
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, MirrorError } from '../errors/catalogue.js';
import { makeDirectories } from '../util/make-directories.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly command: string;
  readonly token: string;
}

export interface LockOptions {
  readonly path: string;
  readonly command: string;
  /** Another host's lock older than this is stale (its process cannot be checked from here). */
  readonly staleAfterMs: number;
  /** How long to wait for a held lock; 0 fails at once. */
  readonly waitMs: number;
  readonly now?: () => number;
  readonly signal?: AbortSignal | undefined;
}

export interface RunLock {
  readonly holder: LockHolder;
  /** Why an earlier holder's lock was taken over, when it was. */
  readonly tookOverFrom: (LockHolder & { reason: string }) | undefined;
  release(): Promise<void>;
}

/** Whether a process with this id runs on this host (EPERM: it does, under another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

export function staleReason(h: LockHolder | undefined, now: number, staleAfterMs: number): string | undefined {
  if (!h || typeof h.pid !== 'number') return 'the lock file is unreadable';
  // A live holder on this host is never taken over, however old: a slow run would lose its temp files to the next.
  if (h.host === hostname()) return pidAlive(h.pid) ? undefined : `process ${h.pid} is no longer running`;
  const age = now - Date.parse(h.startedAt);
  if (!(age < staleAfterMs)) return `it is older than the limit (started ${h.startedAt}) and held on another host`;
  return undefined;
}

export function describeHolder(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, running "${h.command}" since ${h.startedAt}`;
}

export async function acquireRunLock(o: LockOptions): Promise<RunLock> {
  const now = o.now ?? Date.now;
  await makeDirectories(dirname(o.path));
  const deadline = now() + o.waitMs;
  let tookOverFrom: RunLock['tookOverFrom'];
  for (;;) {
    const holder: LockHolder = {
      pid: process.pid,
      host: hostname(),
      startedAt: new Date(now()).toISOString(),
      command: o.command,
      token: randomUUID(),
    };
    try {
      await writeFile(o.path, JSON.stringify(holder), { flag: 'wx' });
      // Two runs taking over the same stale lock at once: only the one whose token is in the file goes on.
      const check = await readHolder(o.path);
      if (check?.token === holder.token) return makeLock(o.path, holder, tookOverFrom);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const current = await readHolder(o.path);
    const stale = staleReason(current, now(), o.staleAfterMs);
    if (stale) {
      tookOverFrom = current ? { ...current, reason: stale } : undefined;
      await unlink(o.path).catch(() => undefined);
      continue;
    }
    if (now() >= deadline || o.signal?.aborted) {
      throw new MirrorError(
        'LOCK_HELD',
        `another run holds the lock ${o.path}: ${current ? describeHolder(current) : 'unknown holder'}. Wait for it to finish, or use --wait [seconds].`,
        { exitCode: ExitCode.locked },
      );
    }
    await sleep(Math.min(1000, Math.max(50, deadline - now())), undefined, { signal: o.signal }).catch(() => undefined);
  }
}

function makeLock(path: string, holder: LockHolder, tookOverFrom: RunLock['tookOverFrom']): RunLock {
  let released = false;
  return {
    holder,
    tookOverFrom,
    async release() {
      if (released) return;
      released = true;
      const current = await readHolder(path);
      if (current?.token === holder.token) await unlink(path).catch(() => undefined);
    },
  };
}
