// Brings one replica in line with the local tree: compare, upload what differs in reader-safe order, then delete
// what this tool wrote that the tree no longer holds. A failure stops the target where it is: everything already
// there is whole (old or new), and the next run catches up.
import { MirrorError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { LocalObject, ObjectStore } from './object-store.js';
import { planReplication } from './plan.js';

export interface Replication {
  readonly uploaded: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  readonly bytes: number;
  readonly overwroteForeign: readonly string[];
}

export interface ReplicateOptions {
  readonly dryRun: boolean;
  readonly logger: Logger;
  readonly target: string;
  readonly signal?: AbortSignal | undefined;
}

export async function replicate(store: ObjectStore, local: readonly LocalObject[], o: ReplicateOptions): Promise<Replication> {
  const plan = planReplication(local, await store.list());
  // An empty local tree is far more likely a wrong downloadFolder than a wish to empty the bucket.
  if (local.length === 0 && plan.remove.length > 0)
    throw new MirrorError(
      'REPLICA_FAILED',
      `the local tree is empty, and publishing it would delete the ${plan.remove.length} object(s) this tool wrote to ${store.location}: refused. Check "downloadFolder", and run download first.`,
    );
  const result = {
    uploaded: plan.upload.map((u) => u.key),
    removed: plan.remove,
    unchanged: plan.unchanged,
    bytes: plan.upload.reduce((n, u) => n + u.size, 0),
    overwroteForeign: plan.overwritesForeign,
  };
  if (o.dryRun) return result;
  // One object at a time, each with its parts in parallel: the order is what readers rely on.
  for (const object of plan.upload) {
    o.signal?.throwIfAborted();
    await store.upload(object, o.signal);
    o.logger.info(
      { event: 'replica-put', target: o.target, key: object.key, size: object.size, sha256: object.sha256 },
      `${o.target}: put ${object.key}`,
    );
  }
  for (const key of plan.remove) {
    o.signal?.throwIfAborted();
    await store.remove(key);
    o.logger.info({ event: 'replica-delete', target: o.target, key }, `${o.target}: deleted ${key}`);
  }
  return result;
}
