// `import` as a whole, inside the tree-change session a download uses (lock, leftovers, signed index, replication, run
// record): the archive proven whole (read-archive.ts), then each bundle brought in as a download brings one in
// (download/sync-bundle.ts) from the archive as its source (archive-source.ts): the same decisions, zip check and tree
// writer, with one difference of policy (download/release-policy.ts): an import does not go back past the live tree.
import type { Readable } from 'node:stream';
import pLimit from 'p-limit';
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { bundleLimitsFrom } from '../bundle/limits.js';
import { manifestVersions, versionsOf } from '../bundle/versions.js';
import { importChosen } from '../download/release-policy.js';
import { syncBundle, type SyncDeps } from '../download/sync-bundle.js';
import { usageError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import { promoteDue } from '../promote/promote.js';
import { summarizeRun, type BundleOutcome, type RunReport } from '../report/outcome.js';
import type { Settings } from '../settings/load.js';
import { planFor } from '../settings/plan.js';
import { indexedPairs, type IndexedPair } from '../signed-index/document.js';
import { loadTrustedKeys } from '../signing/keys.js';
import { removeQuietly } from '../store/fs-safe.js';
import { readHolds, updateHolds } from '../store/holds.js';
import { manifestPath } from '../store/layout.js';
import { readManifest } from '../store/manifest.js';
import { withTreeSession } from '../tree/change-session.js';
import type { TreeWriter } from '../tree/tree-writer.js';
import { archiveLocation, ArchiveSource } from './archive-source.js';
import { readArchive } from './read-archive.js';

export interface ImportRequest {
  readonly input: Readable;
  /** The archive as a person named it: its path, or "standard input". */
  readonly where: string;
  readonly allowUnsigned: boolean;
  readonly allowDowngrade: boolean;
  readonly lockWaitMs: number;
  readonly now: () => Date;
  readonly logger: Logger;
  readonly signal?: AbortSignal | undefined;
}

export interface ImportReport extends RunReport {
  readonly archive: { readonly from: string; readonly mirror: string; readonly createdAt: string; readonly signedBy: string | null };
}

function requireTrust(settings: Settings, allowUnsigned: boolean): void {
  if (settings.trustedKeys.length > 0 || allowUnsigned) return;
  throw usageError(
    `${settings.settingsFile}: import needs "trustedKeys", the public key(s) of the mirror that exports, e.g. "trustedKeys": ["/etc/mdatp-mirror/central.pub"] (copy its mdatp-mirror.pub); or accept an unsigned archive knowingly with --allow-unsigned`,
  );
}

const NOT_MIRRORED = 'not mirrored here (the settings select other bundles)';

/** A bundle of the archive that these settings do not mirror: reported, never published. */
async function notMirroredHere(pair: IndexedPair, writer: TreeWriter, from: string, logger: Logger): Promise<BundleOutcome> {
  const { id, versions } = pair;
  const current = await readManifest(manifestPath(writer.layout.bundleDir(id)));
  const kept = current.kind === 'ok' ? current.manifest : undefined;
  const before = kept ? manifestVersions(kept) : undefined;
  logger.info({ bundle: bundleKey(id), decision: 'skipped', note: NOT_MIRRORED }, `${bundleLabel(id)}: skipped`);
  return {
    ...id,
    status: 'skipped',
    tree: writer.layout.tree,
    before,
    after: before,
    offered: versionsOf(versions),
    size: kept?.size,
    sha256: kept?.sha256,
    bytesTransferred: 0,
    durationMs: 0,
    attempts: 0,
    resumed: 0,
    source: from,
    error: undefined,
    notes: [NOT_MIRRORED],
  };
}

export async function runImport(settings: Settings, req: ImportRequest): Promise<ImportReport> {
  const started = req.now();
  requireTrust(settings, req.allowUnsigned);
  const keys = await loadTrustedKeys(settings.trustedKeys);
  const { logger } = req;
  const session = { settings, command: 'import', now: req.now, waitMs: req.lockWaitMs, signal: req.signal, logger };
  return withTreeSession(session, async ({ live, incoming: writer, commit, record }) => {
    logger.info({ event: 'import-start', archive: req.where, downloadFolder: settings.downloadFolder }, `import started from ${req.where}`);
    const holds = await readHolds(live.layout);
    const selected = new Set(planFor(settings).map(bundleKey));
    const superseded: BundleId[] = [];
    const inFlight = new Map<string, Promise<BundleOutcome>>();
    // Made when the first bundle is staged: the source is named after the mirror its verified index names.
    let bringing: { readonly source: ArchiveSource; readonly deps: SyncDeps } | undefined;
    const depsFor = (s: ArchiveSource): SyncDeps => ({
      source: s,
      writer,
      holds,
      onHoldSuperseded: (id) => superseded.push(id),
      liveLayout: writer.layout.tree === 'live' ? undefined : live.layout,
      release: importChosen(live.layout, req.allowDowngrade),
      // The bytes are here and match the signed index: a failure now would fail again.
      policy: { attempts: 1, initialDelayMs: 0, maxDelayMs: 0 },
      logger,
      limit: pLimit(settings.concurrency),
      connectionsPerBundle: 1,
      limits: bundleLimitsFrom(settings),
      // No abort signal: a Ctrl-C stops the reading, which refuses every bundle (proven()); once the archive is
      // proven, publishing finishes, so it cannot leave half an import.
      signal: undefined,
    });
    const reading = readArchive(req.input, {
      where: req.where,
      keys,
      allowUnsigned: req.allowUnsigned,
      tempFile: (id, kind) => writer.tempFile(id, kind),
      signal: req.signal,
      // A backup pair or a bundle not mirrored here is proven but never written.
      wanted: (pair) => pair.role === 'live' && selected.has(bundleKey(pair.id)),
      onStaged: (staged, checked) => {
        if (!bringing) {
          const source = new ArchiveSource(req.where, checked.index.mirror, reading);
          bringing = { source, deps: depsFor(source) };
        }
        bringing.source.add(staged);
        inFlight.set(
          bundleKey(staged.pair.id),
          syncBundle(bringing.deps, staged.pair.id).finally(() => removeQuietly(staged.tempPath)),
        );
      },
    });
    let contents: Awaited<typeof reading>;
    try {
      contents = await reading;
    } catch (e) {
      // Every bundle already under way fails at proven() and removes its copy; none was published.
      await Promise.allSettled(inFlight.values());
      throw e;
    }
    const { index, signedBy } = contents.checked;
    if (!signedBy) logger.warn({ archive: req.where }, 'archive is unsigned; imported because of --allow-unsigned');
    const from = archiveLocation(req.where, index.mirror);
    const bundles = await Promise.all(
      indexedPairs(index)
        .filter((pair) => pair.role === 'live')
        .map((pair) => inFlight.get(bundleKey(pair.id)) ?? notMirroredHere(pair, writer, from, logger)),
    );
    if (superseded.length > 0) await updateHolds(live.layout, (h) => superseded.forEach((id) => delete h[bundleKey(id)]));
    const promoted =
      settings.rollout.mode === 'delayed'
        ? await promoteDue(live, writer.layout, planFor(settings), settings.rollout.delay, req.now, logger)
        : undefined;
    const { replicas } = await commit({ replicate: true });
    const finished = req.now();
    logger.info({ event: 'import-end', bundles: bundles.map((b) => ({ bundle: bundleKey(b), status: b.status })) }, 'import finished');
    const report: ImportReport = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      downloadFolder: settings.downloadFolder,
      interrupted: false,
      bundles,
      ...(promoted ? { promoted } : {}),
      ...(replicas ? { replicas } : {}),
      archive: { from: req.where, mirror: index.mirror, createdAt: index.createdAt, signedBy: signedBy ?? null },
    };
    await record(summarizeRun('import', report), report);
    return report;
  });
}
