// `import` as a whole, inside the tree-change session a download uses (lock, leftovers, signed index, replication, run
// record): the archive proven whole (read-archive.ts), then each bundle decided as a download decides (decide.ts)
// and published through the same tree writer (backup rotation, history, holds, staging and promotion).
import type { Readable } from 'node:stream';
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import { compareVersions, manifestVersions, versionsOf } from '../bundle/versions.js';
import { decideRelease } from '../download/decide.js';
import { MirrorError, usageError } from '../errors/catalogue.js';
import { withTreeSession } from '../tree/change-session.js';
import type { Logger } from '../log/logger.js';
import { promoteDue } from '../promote/promote.js';
import type { TreeWriter } from '../tree/tree-writer.js';
import type { Settings } from '../settings/load.js';
import { loadTrustedKeys } from '../signing/keys.js';
import { readManifest } from '../store/manifest.js';
import { holdFor, readHolds, updateHolds, type Holds } from '../store/holds.js';
import { manifestPath, type StoreLayout } from '../store/layout.js';
import { summarizeRun, type BundleOutcome, type RunReport } from '../report/outcome.js';
import { readArchive, type StagedBundle } from './read-archive.js';

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

type ImportDecision = { readonly status: 'publish' } | { readonly status: 'up-to-date' | 'held-back' | 'skipped'; readonly note?: string };

async function decide(
  staged: StagedBundle,
  ctx: { selected: ReadonlySet<string>; writer: TreeWriter; live: StoreLayout; holds: Holds; allowDowngrade: boolean },
): Promise<ImportDecision> {
  const { id } = staged.pair;
  const incoming = staged.pair.versions;
  if (!ctx.selected.has(bundleKey(id))) {
    return { status: 'skipped', note: 'not mirrored here (the settings select other bundles)' };
  }
  const shared = await decideRelease(id, incoming, { holds: ctx.holds, target: ctx.writer.layout, live: ctx.live });
  if (shared.kind === 'held-back') return { status: 'held-back', note: `${shared.hold.signatures} is held back by a rollback` };
  if (shared.kind === 'up-to-date') return { status: 'up-to-date' };
  // Unlike a download, which follows upstream when it pulls a release, an archive is somebody's choice: not older.
  const live = await readManifest(manifestPath(ctx.live.bundleDir(id)));
  if (live.kind === 'ok' && compareVersions(incoming, manifestVersions(live.manifest)) < 0 && !ctx.allowDowngrade) {
    return { status: 'skipped', note: `older than live (${live.manifest.DefinitionVersion}); --allow-downgrade imports it` };
  }
  return { status: 'publish' };
}

export async function runImport(settings: Settings, req: ImportRequest): Promise<ImportReport> {
  const started = req.now();
  requireTrust(settings, req.allowUnsigned);
  const keys = await loadTrustedKeys(settings.trustedKeys);
  const { logger } = req;
  const session = { settings, command: 'import', now: req.now, waitMs: req.lockWaitMs, signal: req.signal, logger };
  return withTreeSession(session, async ({ live, incoming: writer, commit, record }) => {
    logger.info({ event: 'import-start', archive: req.where, downloadFolder: settings.downloadFolder }, `import started from ${req.where}`);
    const contents = await readArchive(req.input, {
      where: req.where,
      keys,
      allowUnsigned: req.allowUnsigned,
      tempFile: (id, kind) => writer.tempFile(id, kind),
      signal: req.signal,
      maxUnpackedBytes: settings.maxUnpackedSize,
    });
    if (req.signal?.aborted) throw new MirrorError('INTERRUPTED', 'interrupted before publishing; nothing was imported');
    const { index, signedBy } = contents.checked;
    if (!signedBy) logger.warn({ archive: req.where }, 'archive is unsigned; imported because of --allow-unsigned');

    const holds = await readHolds(live.layout);
    const selected = new Set(planFor(settings).map(bundleKey));
    const superseded: BundleId[] = [];
    const bundles: BundleOutcome[] = [];
    // Publishing is renames only; once it starts it finishes, so a Ctrl-C now cannot leave half an import.
    for (const staged of contents.bundles.filter((b) => b.pair.role === 'live')) {
      const t0 = Date.now();
      const { id } = staged.pair;
      const current = await readManifest(manifestPath(writer.layout.bundleDir(id)));
      const before = current.kind === 'ok' ? manifestVersions(current.manifest) : undefined;
      const decision = await decide(staged, { selected, writer, live: live.layout, holds, allowDowngrade: req.allowDowngrade });
      const base = {
        ...id,
        tree: writer.layout.tree,
        before,
        size: staged.pair.bundle.size,
        sha256: staged.pair.bundle.sha256,
        attempts: 1,
        resumed: 0,
        source: `archive ${req.where}`,
        offered: versionsOf(staged.pair.versions),
        error: undefined,
      };
      if (decision.status !== 'publish') {
        const note = decision.note;
        logger.info({ bundle: bundleKey(id), decision: decision.status, note }, `${bundleLabel(id)}: ${decision.status}`);
        bundles.push({
          ...base,
          status: decision.status,
          after: before,
          bytesTransferred: 0,
          durationMs: Date.now() - t0,
          notes: note ? [note] : [],
        });
        continue;
      }
      const published = await writer.publish(id, {
        tempPath: staged.tempPath,
        size: staged.pair.bundle.size,
        sha256: staged.pair.bundle.sha256,
        versions: staged.pair.versions,
        source: `archive ${req.where} (mirror ${index.mirror})`,
        flushed: true,
      });
      if (holdFor(holds, id)) superseded.push(id);
      logger.info(
        {
          decision: 'imported',
          bundle: bundleKey(id),
          before: before ?? null,
          versions: versionsOf(staged.pair.versions),
          backedUp: published.backedUp ? manifestVersions(published.backedUp) : null,
          sha256: staged.pair.bundle.sha256,
        },
        'published',
      );
      bundles.push({
        ...base,
        status: 'imported',
        after: versionsOf(staged.pair.versions),
        bytesTransferred: staged.pair.bundle.size,
        durationMs: Date.now() - t0,
        notes: published.backupSkippedReason ? [published.backupSkippedReason] : [],
      });
    }
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
