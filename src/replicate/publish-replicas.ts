// Publishes the local tree to every configured target (or one): each target on its own, so one that is down
// neither stops the others nor touches the local tree. Used by `publish` and at the end of every run that changes
// a served tree.
import { usageError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';
import type { PublishTarget } from '../settings/publish-targets.js';
import { listLocalObjects } from './local-tree.js';
import type { LocalObject } from './object-store.js';
import { openStore } from './open-store.js';
import { filesOf, readPublishRecord, recordMatches, writePublishRecord, type TargetRecord } from './publish-record.js';
import { describeReplicaError, redactSecrets } from './replica-errors.js';
import { replicate } from './replicate.js';

/** published: the target now matches; in-sync: nothing to do (no request made when the record shows it); planned: --dry-run. */
type ReplicaStatus = 'published' | 'in-sync' | 'planned' | 'failed';

export interface ReplicaOutcome {
  readonly target: string;
  readonly location: string;
  readonly status: ReplicaStatus;
  readonly uploaded: readonly string[];
  readonly removed: readonly string[];
  readonly unchanged: number;
  readonly bytes: number;
  readonly durationMs: number;
  readonly error: { readonly code: 'REPLICA_FAILED'; readonly message: string } | undefined;
  readonly notes: readonly string[];
}

export interface PublishOptions {
  readonly logger: Logger;
  readonly now: () => Date;
  readonly env?: NodeJS.ProcessEnv;
  readonly signal?: AbortSignal | undefined;
  /** Only this target (publish --target NAME). */
  readonly only?: string | undefined;
  readonly dryRun?: boolean;
  /** After a run: skip, without a request, a target whose last publish left it holding exactly the local tree. */
  readonly trustRecord?: boolean;
}

function selectTargets(settings: Settings, only: string | undefined): readonly PublishTarget[] {
  if (only === undefined) return settings.publish;
  const chosen = settings.publish.filter((t) => t.name === only);
  if (chosen.length === 0)
    throw usageError(
      settings.publish.length === 0
        ? `--target ${only}: ${settings.settingsFile} has no "publish" targets.`
        : `--target ${only}: no such target in ${settings.settingsFile} (targets: ${settings.publish.map((t) => t.name).join(', ')}).`,
    );
  return chosen;
}

export async function publishReplicas(settings: Settings, o: PublishOptions): Promise<ReplicaOutcome[]> {
  const targets = selectTargets(settings, o.only);
  if (targets.length === 0) return [];
  const local = await listLocalObjects(settings.downloadFolder);
  const record = await readPublishRecord(settings.downloadFolder);
  const outcomes = await Promise.all(targets.map((t) => publishOne(settings, t, local, record[t.name], o)));
  if (!o.dryRun) {
    const updated: Record<string, TargetRecord> = { ...record };
    for (const out of outcomes) {
      if (out.status === 'in-sync' && recordMatches(record[out.target], local)) continue;
      updated[out.target] = {
        at: o.now().toISOString(),
        location: out.location,
        ok: out.status !== 'failed',
        ...(out.error ? { error: out.error.message } : {}),
        files: out.status === 'failed' ? (record[out.target]?.files ?? {}) : filesOf(local),
      };
    }
    await writePublishRecord(settings.downloadFolder, updated);
  }
  return outcomes;
}

async function publishOne(
  settings: Settings,
  target: PublishTarget,
  local: readonly LocalObject[],
  last: TargetRecord | undefined,
  o: PublishOptions,
): Promise<ReplicaOutcome> {
  const started = performance.now();
  const base = { target: target.name, uploaded: [], removed: [], unchanged: local.length, bytes: 0, error: undefined, notes: [] };
  if (o.trustRecord && recordMatches(last, local))
    return { ...base, location: last?.location ?? target.name, status: 'in-sync', durationMs: performance.now() - started };
  let location = target.name;
  try {
    const store = await openStore(target, settings.mirrorName, o.env ?? process.env, o.logger);
    location = store.location;
    try {
      const r = await replicate(store, local, { dryRun: o.dryRun ?? false, logger: o.logger, target: target.name, signal: o.signal });
      const changed = r.uploaded.length + r.removed.length > 0;
      const notes = r.overwroteForeign.map((k) => `${k} was not written by mdatp-mirror and ${o.dryRun ? 'would be' : 'was'} replaced`);
      const status: ReplicaStatus = o.dryRun ? 'planned' : changed ? 'published' : 'in-sync';
      o.logger.info(
        {
          event: 'replica-end',
          target: target.name,
          location,
          status,
          uploaded: r.uploaded.length,
          removed: r.removed.length,
          bytes: r.bytes,
        },
        `${target.name}: ${status}`,
      );
      return { ...base, ...r, location, status, notes, durationMs: performance.now() - started };
    } finally {
      store.close();
    }
  } catch (e) {
    const message = `publish target "${target.name}" (${location}): ${describeReplicaError(e, target)}`;
    o.logger.error({ event: 'replica-failed', target: target.name, location, err: redactSecrets(message) }, message);
    return {
      ...base,
      location,
      status: 'failed',
      unchanged: 0,
      error: { code: 'REPLICA_FAILED', message },
      durationMs: performance.now() - started,
    };
  }
}

export const anyReplicaFailed = (replicas: readonly ReplicaOutcome[] | undefined): boolean =>
  (replicas ?? []).some((r) => r.status === 'failed');

/** At the end of a run that may have changed a served tree: every target, skipping those the record shows in sync. */
export async function publishAfterChange(
  settings: Settings,
  o: Pick<PublishOptions, 'logger' | 'now' | 'signal'>,
): Promise<ReplicaOutcome[] | undefined> {
  if (settings.publish.length === 0 || o.signal?.aborted) return undefined;
  return publishReplicas(settings, { ...o, trustRecord: true });
}
