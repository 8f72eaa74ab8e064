import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRunLock, staleReason } from '../../src/lock/run-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const holder = (over: Partial<{ pid: number; host: string; startedAt: string }> = {}) => ({
  pid: process.pid,
  host: hostname(),
  startedAt: '2026-11-23T08:00:00.000Z',
  command: 'download',
  token: 't',
  ...over,
});

describe('run lock', () => {
  const at = Date.parse('2026-11-23T08:10:00Z');

  it('calls a lock stale when unreadable, its process is gone on this host, or too old on another host', () => {
    expect(staleReason(undefined, at, 3_600_000)).toMatch(/unreadable/);
    // A live process on this host keeps its lock whatever its age.
    expect(staleReason(holder(), at, 60_000)).toBeUndefined();
    expect(staleReason(holder({ host: 'elsewhere' }), at, 60_000)).toMatch(/older than the limit/);
    expect(staleReason(holder({ pid: 2 ** 22 + 12345 }), at, 3_600_000)).toMatch(/no longer running/);
    expect(staleReason(holder(), at, 3_600_000)).toBeUndefined();
    // Another host's process cannot be checked: only its age can make it stale.
    expect(staleReason(holder({ host: 'elsewhere', pid: 2 ** 22 + 12345 }), at, 3_600_000)).toBeUndefined();
  });

  it('refuses a live holder with exit 3, takes over a stale one (by the injected clock), and releases only its own', async () => {
    const path = join(dir, 'lock');
    await writeFile(path, JSON.stringify(holder({ host: 'elsewhere' })));
    await expect(acquireRunLock({ path, command: 'download', staleAfterMs: 3_600_000, waitMs: 0, now: () => at })).rejects.toMatchObject({
      code: 'LOCK_HELD',
      exitCode: 3,
    });
    const lock = await acquireRunLock({ path, command: 'download', staleAfterMs: 60_000, waitMs: 0, now: () => at });
    expect(lock.tookOverFrom?.reason).toMatch(/older than the limit/);
    await writeFile(path, JSON.stringify(holder({ host: 'elsewhere', startedAt: new Date(at).toISOString() })));
    await lock.release();
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ token: 't' });
  });
});
