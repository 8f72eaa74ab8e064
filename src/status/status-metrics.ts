// The bundle, run and fleet metrics, defined once for both places they are read: serve's /metrics (read at scrape
// time) and the metrics file (metricsFile) every run writes for node_exporter's textfile collector, where no serve
// runs (nginx, a share, object storage). Client addresses never become labels: only counts do.
import { Gauge, type Registry } from 'prom-client';
import type { MirrorStatus } from './mirror-status.js';
import type { TreeHealth } from './tree-health.js';

export interface StatusSnapshot {
  readonly tree: TreeHealth;
  readonly status: MirrorStatus;
}

const seconds = (iso: string | null): number | undefined => (iso === null ? undefined : Date.parse(iso) / 1000);

export function defineStatusMetrics(registry: Registry, read: () => Promise<StatusSnapshot>): void {
  const gauge = <L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    values: (s: StatusSnapshot) => Iterable<readonly [Record<L, string>, number | undefined]>,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames,
      // Every worker of a cluster sees the same tree and asks the same fleet record: report one worker's value.
      aggregator: 'first',
      registers: [registry],
      async collect() {
        const s = await read();
        this.reset();
        for (const [labels, v] of values(s)) if (v !== undefined) this.set(labels, v);
      },
    });
  };
  const perBundle = (value: (b: MirrorStatus['bundles'][number]) => number | undefined) => (s: StatusSnapshot) =>
    s.status.bundles.map((b) => [{ bundle: b.bundle }, value(b)] as const);

  gauge('mdatp_mirror_bundle_info', 'The bundle being served (1), with its versions', ['tree', 'bundle', 'engine', 'signatures'], (s) =>
    s.tree.bundles.flatMap((b) =>
      b.versions ? [[{ tree: b.tree, bundle: b.bundle, engine: b.versions.engine, signatures: b.versions.signatures }, 1] as const] : [],
    ),
  );
  gauge('mdatp_mirror_bundle_age_seconds', 'Seconds since the bundle was downloaded', ['tree', 'bundle'], (s) =>
    s.tree.bundles.map(
      (b) => [{ tree: b.tree, bundle: b.bundle }, b.ageMs === undefined ? undefined : Math.round(b.ageMs / 1000)] as const,
    ),
  );
  gauge('mdatp_mirror_bundle_size_bytes', 'Size of updates.zip', ['tree', 'bundle'], (s) =>
    s.tree.bundles.map((b) => [{ tree: b.tree, bundle: b.bundle }, b.size] as const),
  );
  gauge('mdatp_mirror_bundle_healthy', '1 when the bundle is present and matches its manifest', ['tree', 'bundle'], (s) =>
    s.tree.bundles.map((b) => [{ tree: b.tree, bundle: b.bundle }, b.state === 'ok' ? 1 : 0] as const),
  );
  gauge(
    'mdatp_mirror_bundle_last_success_timestamp_seconds',
    'When the last download or import run that did not fail for this bundle finished (Unix time)',
    ['bundle'],
    perBundle((b) => seconds(b.lastSuccessAt)),
  );
  gauge(
    'mdatp_mirror_bundle_last_failure_timestamp_seconds',
    'When the last download or import run that failed for this bundle finished (Unix time)',
    ['bundle'],
    perBundle((b) => seconds(b.lastFailureAt)),
  );
  gauge(
    'mdatp_mirror_bundle_consecutive_failures',
    'Download or import runs in a row, up to the last, that failed for this bundle',
    ['bundle'],
    perBundle((b) => b.consecutiveFailures),
  );
  gauge(
    'mdatp_mirror_bundle_behind_upstream',
    '1 when the last run saw a newer release upstream than the mirror serves, stages or holds back',
    ['bundle'],
    perBundle((b) => (b.upstream.signatures === null ? undefined : b.upstream.behind ? 1 : 0)),
  );
  gauge('mdatp_mirror_signed_index_ok', '1 when index.json is signed and matches the tree; absent when no index is kept', ['tree'], (s) => [
    [{ tree: 'live' }, s.status.index === null ? undefined : s.status.index.problem ? 0 : 1],
  ]);
  gauge('mdatp_mirror_publish_target_current', '1 when the publish target holds what the local tree holds', ['target'], (s) =>
    s.status.publishTargets.map((t) => [{ target: t.target }, t.problem ? 0 : 1] as const),
  );
  gauge(
    'mdatp_mirror_fleet_clients',
    'Clients by what they last fetched: current (the live version), older, unseen (nothing within the fleet window); serve only',
    ['bundle', 'state'],
    (s) =>
      s.status.bundles.flatMap((b) =>
        b.fleet ? (['current', 'older', 'unseen'] as const).map((state) => [{ bundle: b.bundle, state }, b.fleet![state]] as const) : [],
      ),
  );
  gauge(
    'mdatp_mirror_fleet_version_clients',
    'Clients seen within the fleet window, by the signatures version they last fetched; serve only',
    ['bundle', 'signatures'],
    (s) =>
      s.status.bundles.flatMap((b) =>
        (b.fleet?.versions ?? []).map((v) => [{ bundle: b.bundle, signatures: v.signatures }, v.clients] as const),
      ),
  );
}
