// What happened to each bundle in a run: the shape shared by the summary, --json, the log and the state file.
import { bundleKey, type BundleId } from '../bundle/identity.js';
import type { RunSummary } from './run-state.js';
import type { TreeName } from '../store/layout.js';
import type { Versions } from '../bundle/versions.js';
import { anyReplicaFailed, type ReplicaOutcome } from '../replicate/publish-replicas.js';

/**
 * held-back: upstream still offers a version a rollback took out of service, so the rolled-back one stays.
 * downgraded: downloaded, but older than what was there (upstream pulled a release); followed, and reported.
 * imported: published from an archive; skipped: an archive's bundle left out (older than live, or not mirrored here).
 */
/** Statuses that put a new bundle in place. */
export type PublishedStatus = 'downloaded' | 'downgraded' | 'imported';
type BundleStatus = 'up-to-date' | 'held-back' | PublishedStatus | 'skipped' | 'failed';

export const publishedStatus = (s: BundleStatus): s is PublishedStatus => s === 'downloaded' || s === 'downgraded' || s === 'imported';

export interface BundleOutcome extends BundleId {
  readonly status: BundleStatus;
  /** Where a download went: the live tree, or staging (rollout manual or delayed). */
  readonly tree: TreeName;
  readonly before: Versions | undefined;
  readonly after: Versions | undefined;
  /** The newest release the source offered in this run (undefined when it could not be asked). */
  readonly offered: Versions | undefined;
  /** Size of the live bundle after the run. */
  readonly size: number | undefined;
  readonly sha256: string | undefined;
  /** Bytes transferred for this bundle in this run, resumed attempts included. */
  readonly bytesTransferred: number;
  readonly durationMs: number;
  readonly attempts: number;
  readonly resumed: number;
  readonly source: string | undefined;
  readonly error: { readonly code: string; readonly message: string } | undefined;
  readonly notes: readonly string[];
}

export interface Promotion extends BundleId {
  readonly from: Versions | undefined;
  readonly to: Versions;
  readonly stagedForMs: number;
}

export interface RunReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  readonly downloadFolder: string;
  readonly interrupted: boolean;
  readonly bundles: readonly BundleOutcome[];
  /** Staged bundles promoted to the live tree by this run (rollout delayed). */
  readonly promoted?: readonly Promotion[];
  /** Object-storage targets published at the end of the run (setting "publish"). */
  readonly replicas?: readonly ReplicaOutcome[];
}

/** A run failed (exit 1) when a bundle failed, or a publish target did (the local tree is correct either way). */
export const runFailed = (report: RunReport): boolean =>
  report.bundles.some((b) => b.status === 'failed') || anyReplicaFailed(report.replicas);

/** A download or import run as one line of the run history (state.json's recentRuns). */
export function summarizeRun(command: 'download' | 'import', report: RunReport): RunSummary {
  return {
    command,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    result: report.interrupted ? 'interrupted' : runFailed(report) ? 'failed' : 'ok',
    bundles: [
      ...report.bundles.map((b) => ({
        bundle: bundleKey(b),
        status: b.status,
        from: b.before?.signatures ?? null,
        to: b.after?.signatures ?? null,
        offered: b.offered?.signatures ?? null,
        error: b.error?.code ?? null,
      })),
      ...(report.promoted ?? []).map((p) => ({
        bundle: bundleKey(p),
        status: 'promoted',
        from: p.from?.signatures ?? null,
        to: p.to.signatures,
        offered: null,
        error: null,
      })),
    ],
  };
}
