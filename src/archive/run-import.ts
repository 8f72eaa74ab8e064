// `import` as a whole: the lock, the archive proven whole (read-archive.ts), then each bundle published through the
// same tree writer a download uses (backup rotation, history, holds, staging and promotion, the signed index).
import type { Readable } from 'node:stream';
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { planFor } from '../bundle/plan.js';
import { compareVersions, manifestVersions, sameVersions, versionsOf } from '../bundle/versions.js';
import { MirrorError, usageError } from '../errors/catalogue.js';
import { withLockedTree } from '../publish/locked-run.js';
import { publishAfterChange } from '../replicas/publish-replicas.js';
import type { Logger } from '../log/logger.js';
import { promoteDue } from '../promote/promote.js';
import type { TreeWriter } from '../publish/tree-writer.js';
import { downloadWriter, liveWriter } from '../publish/writers.js';
import type { Settings } from '../settings/load.js';
import { loadTrustedKeys } from '../signing/keys.js';
import { bundleMatchesManifest, readManifest } from '../store/manifest.js';
import { holdFor, readHolds, updateHolds, type Holds } from '../store/holds.js';
import { bundlePath, manifestPath, StoreLayout } from '../store/layout.js';
import type { BundleOutcome, RunReport } from '../sync/outcome.js';
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

interface Decision {
  readonly status: 'publish' | 'up-to-date' | 'held-back' | 'skipped';
  readonly note?: string;
}

async function decide(
  staged: StagedBundle,
  ctx: { selected: ReadonlySet<string>; writer: TreeWriter; live: StoreLayout; holds: Holds; allowDowngrade: boolean },
): Promise<Decision> {
  const { id } = staged.pair;
  const incoming = staged.pair.versions;
  if (!ctx.selected.has(bundleKey(id))) {
    return { status: 'skipped', note: 'not mirrored here (the settings select other bundles)' };
  }
  const hold = holdFor(ctx.holds, id);
  if (hold && sameVersions(hold, incoming)) return { status: 'held-back', note: `${hold.signatures} is held back by a rollback` };
  for (const layout of new Set([ctx.writer.layout, ctx.live])) {
    const dir = layout.bundleDir(id);
    const read = await readManifest(manifestPath(dir));
    if (
      read.kind === 'ok' &&
      sameVersions(manifestVersions(read.manifest), incoming) &&
      (await bundleMatchesManifest(bundlePath(dir), read.manifest))
    ) {
      return { status: 'up-to-date' };
    }
  }
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
  const live = await liveWriter(settings, req.now);
  const writer = await downloadWriter(settings, req.now);
  const { logger } = req;
  const locked = { settings, writer, command: 'import', waitMs: req.lockWaitMs, signal: req.signal, logger };
  return withLockedTree(locked, async () => {
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
        error: undefined,
      };
      if (decision.status !== 'publish') {
        logger.info({ bundle: bundleKey(id), decision: decision.status, note: decision.note }, `${bundleLabel(id)}: ${decision.status}`);
        bundles.push({
          ...base,
          status: decision.status,
          after: before,
          bytesTransferred: 0,
          durationMs: Date.now() - t0,
          notes: decision.note ? [decision.note] : [],
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
    if ((await live.refreshIndex()) === 'written') logger.info({ event: 'index-signed' }, 'index.json rewritten and signed');
    const replicas = await publishAfterChange(settings, { logger, now: req.now, signal: req.signal });
    const finished = req.now();
    logger.info({ event: 'import-end', bundles: bundles.map((b) => ({ bundle: bundleKey(b), status: b.status })) }, 'import finished');
    return {
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
  });
}
