// Temp files belong to the run that made them: their names carry the host and process, so a run clears only what
// runs that can no longer be running left behind, never the files of another live run.
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { pidAlive } from '../lock/run-lock.js';

const hostTag = createHash('sha256').update(hostname()).digest('hex').slice(0, 8);

/** The prefix of every temp file this process makes. */
export const thisRunTag = `${hostTag}-${process.pid}`;

export const madeByThisRun = (name: string): boolean => name.startsWith(`${thisRunTag}.`);

/**
 * Whether a temp file was left by a run that is gone. Another host's files count as gone: the caller holds the
 * lock, so that host's lock was stale (or it never had one). Names without a tag come from older versions.
 */
export function leftByGoneRun(name: string): boolean {
  const tag = /^([0-9a-f]{8})-(\d+)\./.exec(name);
  if (!tag) return true;
  if (tag[1] !== hostTag) return true;
  const pid = Number(tag[2]);
  return pid !== process.pid && !pidAlive(pid);
}
