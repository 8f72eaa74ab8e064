// A run that changes a served tree (download, import): the download folder, its lock (waited for, or taken over when
// stale, and said so), a temp folder cleared of a crashed run's leftovers before and of this run's after.
import { acquireRunLock, describeHolder } from '../lock/run-lock.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';
import { StoreLayout } from '../store/layout.js';
import type { TreeWriter } from './tree-writer.js';
import { makeDirectories } from '../util/make-directories.js';

export interface LockedRunOptions {
  readonly settings: Settings;
  /** The writer whose temp folder the run uses (live, or staging). */
  readonly writer: TreeWriter;
  readonly command: string;
  readonly waitMs: number;
  readonly signal?: AbortSignal | undefined;
  readonly logger: Logger;
}

export async function withLockedTree<T>(o: LockedRunOptions, work: () => Promise<T>): Promise<T> {
  await makeDirectories(o.settings.downloadFolder);
  const lock = await acquireRunLock({
    path: StoreLayout.live(o.settings.downloadFolder).lockFile,
    command: o.command,
    staleAfterMs: o.settings.lockStaleAfter,
    waitMs: o.waitMs,
    signal: o.signal,
  });
  if (lock.tookOverFrom)
    o.logger.warn(
      { previous: lock.tookOverFrom },
      `took over a stale lock (${describeHolder(lock.tookOverFrom)}): ${lock.tookOverFrom.reason}`,
    );
  try {
    const leftovers = await o.writer.removeTemp('gone');
    if (leftovers.length > 0) o.logger.warn({ files: leftovers }, `removed ${leftovers.length} temp file(s) left by an interrupted run`);
    await o.writer.prepare();
    return await work();
  } finally {
    await o.writer.removeTemp('mine');
    await lock.release();
  }
}
