// The mirror's state as one document: what `serve`'s /status page and /status.json show, and what the metrics file
// (metricsFile) and /metrics report about bundles and runs. Read-only and local: "upstream" is what the last run saw,
// never a request made while a page is viewed.
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import type { FleetCounts, BundleAdoption } from '../fleet/fleet-record.js';
import type { Settings } from '../settings/load.js';
import { readHolds } from '../store/holds.js';
import { StoreLayout } from '../store/layout.js';
import { readRunState, type RunSummary } from '../report/run-state.js';
import { inspectIndex, type IndexHealth } from './index-health.js';
import { inspectBundle, stagingFor, type PairHealth } from './inspect.js';
import { inspectReplicas, type ReplicaHealth } from './replica-health.js';

/** Runs shown on the page and in /status.json (state.json keeps more). */
const RUNS_SHOWN = 20;

interface PairView {
  readonly state: PairHealth['state'];
  readonly engine: string | null;
  readonly signatures: string | null;
  readonly downloadedAt: string | null;
  readonly ageSeconds: number | null;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly reason: string | null;
}

export interface BundleStatus {
  /** linux/production/arch_x86_64 */
  readonly bundle: string;
  readonly live: PairView;
  readonly backup: PairView | null;
  readonly staged: (PairView & { readonly promotesAt: string | null }) | null;
  /** The signatures version a rollback holds back, if any. */
  readonly heldBack: string | null;
  /** The newest release the last download (or import) saw offered, and when. */
  readonly upstream: { readonly signatures: string | null; readonly seenAt: string | null; readonly behind: boolean };
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  /** Error code of the last run's failure, when the last run failed for this bundle. */
  readonly lastError: string | null;
  /** Download or import runs in a row, newest first, in which this bundle failed. */
  readonly consecutiveFailures: number;
  readonly fleet: BundleAdoption | null;
}

export interface MirrorStatus {
  /** Bumped only when a field is removed or changes meaning; fields may be added. */
  readonly schemaVersion: 1;
  readonly generatedAt: string;
  readonly mirrorName: string;
  readonly downloadFolder: string;
  readonly rollout: Settings['rollout']['mode'];
  /** Every live bundle is served and matches its manifest, the signed index matches, every publish target is current. */
  readonly healthy: boolean;
  /** What a person should look at, healthy or not: a bundle behind upstream or failing, and the problems above. */
  readonly attention: readonly string[];
  readonly bundles: readonly BundleStatus[];
  readonly runs: readonly RunSummary[];
  readonly index: { readonly state: IndexHealth['state'] | 'unreadable'; readonly detail: string; readonly problem: boolean } | null;
  readonly publishTargets: readonly ReplicaHealth[];
  readonly fleet: { readonly windowSeconds: number; readonly clients: number; readonly forgotten: number } | null;
}

const pairView = (p: PairHealth): PairView => ({
  state: p.state,
  engine: p.versions?.engine ?? null,
  signatures: p.versions?.signatures ?? null,
  downloadedAt: p.downloadedAt ?? null,
  ageSeconds: p.ageMs === undefined ? null : Math.round(p.ageMs / 1000),
  size: p.size ?? null,
  sha256: p.sha256 ?? null,
  reason: p.reason ?? null,
});

/** What the run history says about one bundle: downloads and imports only (they are what asks a source). */
function runFacts(runs: readonly RunSummary[], key: string) {
  const fetching = runs
    .filter((r) => r.command === 'download' || r.command === 'import')
    .flatMap((r) => r.bundles.filter((b) => b.bundle === key).map((b) => ({ run: r, b })));
  const lastOk = fetching.find((x) => x.b.status !== 'failed');
  const lastFailed = fetching.find((x) => x.b.status === 'failed');
  const seen = fetching.find((x) => x.b.offered);
  let consecutiveFailures = 0;
  while (fetching[consecutiveFailures]?.b.status === 'failed') consecutiveFailures++;
  return {
    lastSuccessAt: lastOk?.run.finishedAt ?? null,
    lastFailureAt: lastFailed?.run.finishedAt ?? null,
    lastError: fetching[0]?.b.status === 'failed' ? fetching[0].b.error : null,
    consecutiveFailures,
    offered: seen ? { signatures: seen.b.offered, seenAt: seen.run.finishedAt } : { signatures: null, seenAt: null },
  };
}

async function indexState(settings: Settings, layout: StoreLayout, now: Date): Promise<MirrorStatus['index']> {
  try {
    const h = await inspectIndex(settings, layout, now);
    return h ? { state: h.state, detail: h.detail, problem: h.problem } : null;
  } catch (e) {
    return { state: 'unreadable', detail: (e as Error).message, problem: true };
  }
}

/**
 * Every target, each a problem naming why, when they cannot be checked (rather than none shown): the failure may be
 * the publish record or the local tree it is compared with, so the message names both.
 */
async function targetsState(settings: Settings): Promise<readonly ReplicaHealth[]> {
  try {
    return await inspectReplicas(settings);
  } catch (e) {
    const detail = `cannot compare the record of the last publish with ${settings.downloadFolder} (${(e as Error).message}): give this account read access to both, or run \`mdatp-mirror publish\` to rewrite the record`;
    return settings.publish.map((t) => ({ target: t.name, location: undefined, lastPublishAt: undefined, problem: true, detail }));
  }
}

/** fleet: serve's adoption counts, given the version each bundle serves now (absent outside serve). */
export interface StatusSources {
  readonly now: Date;
  readonly fleet?: ((current: ReadonlyMap<string, string>) => Promise<FleetCounts>) | undefined;
}

export async function mirrorStatus(settings: Settings, o: StatusSources): Promise<MirrorStatus> {
  const layout = StoreLayout.live(settings.downloadFolder);
  const staging = stagingFor(settings);
  // The index and the targets do not depend on the bundles: read beside them.
  const elsewhere = Promise.all([indexState(settings, layout, o.now), targetsState(settings)]);
  elsewhere.catch(() => undefined); // both answer every failure themselves; awaited below, never left unhandled
  const [holds, state] = await Promise.all([readHolds(layout), readRunState(layout)]);
  const runs = state?.recentRuns ?? [];
  const plan: readonly BundleId[] = planFor(settings);
  const found = await Promise.all(
    plan.map(async (id): Promise<Omit<BundleStatus, 'fleet'>> => {
      const h = await inspectBundle(layout, id, holds, state, {
        verify: false,
        maxAgeMs: undefined,
        upstream: undefined,
        now: o.now,
        staging,
      });
      const key = bundleKey(id);
      const facts = runFacts(runs, key);
      const offered = facts.offered.signatures;
      const has = (v: string | undefined): boolean => v !== undefined && v === offered;
      return {
        bundle: key,
        live: pairView(h.live),
        backup: h.backup.state === 'missing' ? null : pairView(h.backup),
        staged: h.staged
          ? {
              ...pairView(h.staged),
              promotesAt: h.staged.promotesInMs === undefined ? null : new Date(o.now.getTime() + h.staged.promotesInMs).toISOString(),
            }
          : null,
        heldBack: h.held?.signatures ?? null,
        upstream: {
          ...facts.offered,
          behind: offered !== null && !has(h.live.versions?.signatures) && !has(h.staged?.versions?.signatures) && !has(h.held?.signatures),
        },
        lastSuccessAt: facts.lastSuccessAt,
        lastFailureAt: facts.lastFailureAt,
        lastError: facts.lastError,
        consecutiveFailures: facts.consecutiveFailures,
      };
    }),
  );
  const current = new Map(found.flatMap((b) => (b.live.signatures ? [[b.bundle, b.live.signatures] as const] : [])));
  const fleet = o.fleet ? await o.fleet(current) : undefined;
  const bundles = found.map((b) => ({
    ...b,
    fleet: fleet ? (fleet.bundles[b.bundle] ?? { versions: [], current: 0, older: 0, unseen: 0 }) : null,
  }));
  const [index, publishTargets] = await elsewhere;
  const attention = [
    ...bundles.flatMap((b) => [
      ...(b.live.state === 'ok' ? [] : [`${b.bundle}: live ${b.live.state} (${b.live.reason ?? 'unknown'})`]),
      ...(b.upstream.behind ? [`${b.bundle}: behind upstream ${b.upstream.signatures ?? ''}`] : []),
      ...(b.consecutiveFailures > 0 ? [`${b.bundle}: ${b.consecutiveFailures} failed run(s) in a row (${b.lastError ?? 'unknown'})`] : []),
    ]),
    ...(index?.problem ? [`signed index: ${index.detail}`] : []),
    ...publishTargets.filter((t) => t.problem).map((t) => `publish target ${t.target}: ${t.detail}`),
  ];
  return {
    schemaVersion: 1,
    generatedAt: o.now.toISOString(),
    mirrorName: settings.mirrorName,
    downloadFolder: settings.downloadFolder,
    rollout: settings.rollout.mode,
    healthy: bundles.every((b) => b.live.state === 'ok') && !index?.problem && publishTargets.every((t) => !t.problem),
    attention,
    bundles,
    runs: runs.slice(0, RUNS_SHOWN),
    index,
    publishTargets,
    fleet: fleet ? { windowSeconds: Math.round(fleet.windowMs / 1000), clients: fleet.clients, forgotten: fleet.forgotten } : null,
  };
}
