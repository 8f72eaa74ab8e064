// What `status` reports for each bundle: the live and backup pairs, held-back and retained versions, the last run,
// and (optionally) how the mirror compares with upstream. Read-only: it takes no lock.
import { stat } from 'node:fs/promises';
import type { BundleId } from '../bundle/identity.js';
import { holdFor, type Hold, type Holds } from '../store/holds.js';
import { listHistory } from '../store/history.js';
import { bundlePath, downloadTree, manifestPath, StoreLayout } from '../store/layout.js';
import type { Settings } from '../settings/load.js';
import { fileSize, sha256File } from '../store/file-facts.js';
import { readManifest } from '../store/manifest.js';
import type { BundleOutcome } from '../report/outcome.js';
import { manifestVersions, sameVersions, versionsOf, type Versions } from '../bundle/versions.js';
import type { RunState } from '../report/run-state.js';
import type { BundleSource } from '../upstream/source.js';
import { checkZip } from '../bundle/zip-check.js';
import { formatDuration } from '../util/duration.js';

export interface PairHealth {
  readonly state: 'ok' | 'missing' | 'broken';
  readonly versions: Versions | undefined;
  readonly size: number | undefined;
  readonly sha256: string | undefined;
  readonly downloadedAt: string | undefined;
  readonly ageMs: number | undefined;
  readonly reason: string | undefined;
}

export interface BundleHealth extends BundleId {
  readonly live: PairHealth;
  readonly backup: PairHealth;
  /** The staged candidate (rollout manual or delayed), when one exists and is not live yet. */
  readonly staged: (PairHealth & { readonly promotesInMs: number | undefined }) | undefined;
  readonly held: Hold | undefined;
  readonly history: { readonly versions: readonly Versions[]; readonly bytes: number };
  readonly upstream: { readonly versions: Versions | undefined; readonly behind: boolean; readonly error: string | undefined } | undefined;
  readonly lastRun: { readonly status: BundleOutcome['status']; readonly error: string | undefined; readonly at: string } | undefined;
  /** Why this bundle is unhealthy; empty when it is healthy. */
  readonly problems: readonly string[];
}

export interface InspectOptions {
  readonly verify: boolean;
  readonly maxAgeMs: number | undefined;
  readonly upstream: BundleSource | undefined;
  readonly now: Date;
  /** The staging tree, when rollout is manual or delayed; with the delay for delayed. */
  readonly staging?: { readonly layout: StoreLayout; readonly delayMs: number | undefined } | undefined;
  /** maxUnpackedSize, for the zip check under verify. */
  readonly maxUnpackedBytes?: number | undefined;
}

/** The staging tree status and the status page inspect beside live: only when the rollout stages (manual, delayed). */
export function stagingFor(settings: Pick<Settings, 'downloadFolder' | 'rollout'>): InspectOptions['staging'] {
  if (downloadTree(settings.rollout.mode) === 'live') return undefined;
  return {
    layout: StoreLayout.staging(settings.downloadFolder),
    delayMs: settings.rollout.mode === 'delayed' ? settings.rollout.delay : undefined,
  };
}

export async function inspectPair(dir: string, o: InspectOptions): Promise<PairHealth> {
  const m = await readManifest(manifestPath(dir));
  const size = await fileSize(bundlePath(dir));
  const manifest = m.kind === 'ok' ? m.manifest : undefined;
  const base = {
    versions: manifest ? manifestVersions(manifest) : undefined,
    size,
    sha256: manifest?.sha256,
    downloadedAt: manifest?.downloadedAt,
    ageMs: undefined as number | undefined,
  };
  if (size === undefined && m.kind === 'missing') return { ...base, state: 'missing', reason: 'no updates.zip or manifest.json' };
  if (size === undefined) return { ...base, state: 'missing', reason: 'updates.zip is missing' };
  // Scripts' manifests have no downloadedAt: the bundle's modification time is the next best age.
  const since = manifest?.downloadedAt ? Date.parse(manifest.downloadedAt) : (await stat(bundlePath(dir))).mtimeMs;
  const withAge = { ...base, ageMs: o.now.getTime() - since };
  if (!manifest)
    return { ...withAge, state: 'broken', reason: m.kind === 'invalid' ? `manifest.json: ${m.reason}` : 'manifest.json is missing' };
  if (manifest.size !== undefined && manifest.size !== size) {
    return { ...withAge, state: 'broken', reason: `size ${size} does not match the manifest's ${manifest.size}` };
  }
  if (o.verify) {
    if (manifest.sha256 && (await sha256File(bundlePath(dir))) !== manifest.sha256) {
      return { ...withAge, state: 'broken', reason: 'SHA-256 does not match the manifest' };
    }
    try {
      await checkZip(bundlePath(dir), bundlePath(dir), { maxUnpackedBytes: o.maxUnpackedBytes });
    } catch (e) {
      return { ...withAge, state: 'broken', reason: (e as Error).message };
    }
  }
  return { ...withAge, state: 'ok', reason: undefined };
}

export async function inspectBundle(
  layout: StoreLayout,
  id: BundleId,
  holds: Holds,
  run: RunState | undefined,
  o: InspectOptions,
): Promise<BundleHealth> {
  const live = await inspectPair(layout.bundleDir(id), o);
  // Under --verify the backup and retained versions are proven too: rollback would refuse a pair that fails.
  const backup = await inspectPair(layout.backupDir(id), o);
  const held = holdFor(holds, id);
  let staged: BundleHealth['staged'];
  if (o.staging) {
    const pair = await inspectPair(o.staging.layout.bundleDir(id), { ...o, verify: false });
    const isLive = pair.versions !== undefined && live.versions !== undefined && sameVersions(pair.versions, live.versions);
    if (pair.state !== 'missing' && !isLive) {
      staged = {
        ...pair,
        promotesInMs: o.staging.delayMs === undefined || pair.ageMs === undefined ? undefined : Math.max(0, o.staging.delayMs - pair.ageMs),
      };
    }
  }
  const history = await listHistory(layout, id);
  const last = run?.lastRun?.bundles.find((b) => b.os === id.os && b.channel === id.channel && b.arch === id.arch);

  let upstream: BundleHealth['upstream'];
  if (o.upstream) {
    try {
      const info = await o.upstream.versionInfo(id);
      const versions = versionsOf(info);
      const current = live.versions !== undefined && sameVersions(versions, live.versions);
      const heldBack = held !== undefined && sameVersions(versions, held);
      upstream = { versions, behind: !current && !heldBack, error: undefined };
    } catch (e) {
      upstream = { versions: undefined, behind: false, error: (e as Error).message };
    }
  }

  const problems: string[] = [];
  if (live.state !== 'ok') problems.push(`live ${live.state}: ${live.reason}`);
  if (o.maxAgeMs !== undefined && live.ageMs !== undefined && live.ageMs > o.maxAgeMs) {
    problems.push(`live is ${formatDuration(live.ageMs)} old (more than ${formatDuration(o.maxAgeMs)})`);
  }
  if (backup.state === 'broken') problems.push(`backup broken (rollback would refuse it): ${backup.reason}`);
  if (o.verify) {
    for (const entry of history) {
      const pair = await inspectPair(entry.dir, o);
      if (pair.state !== 'ok') problems.push(`retained ${entry.manifest.DefinitionVersion} ${pair.state}: ${pair.reason}`);
    }
  }
  if (upstream?.behind) problems.push(`behind upstream ${upstream.versions!.signatures}`);
  if (upstream?.error) problems.push(`upstream check failed: ${upstream.error}`);

  return {
    ...id,
    live,
    backup,
    staged,
    held,
    history: {
      versions: history.map((h) => manifestVersions(h.manifest)),
      bytes: history.reduce((n, h) => n + h.size, 0),
    },
    upstream,
    lastRun: last && run?.lastRun ? { status: last.status, error: last.error?.message, at: run.lastRun.finishedAt } : undefined,
    problems,
  };
}
