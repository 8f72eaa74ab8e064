// Brings one bundle up to date: version check, skip or download, verify, re-check the version, publish.
import { performance } from 'node:perf_hooks';
import type { LimitFunction } from 'p-limit';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { manifestVersions, sameVersions, versionsOf, type Versions } from '../bundle/versions.js';
import { checkZip } from '../bundle/zip-check.js';
import type { BundleLimits } from '../bundle/limits.js';
import { MirrorError, describeError } from '../errors/catalogue.js';
import type { Logger } from '../log/logger.js';
import type { TreeWriter } from '../tree/tree-writer.js';
import { fsyncFile, removeQuietly } from '../store/fs-safe.js';
import type { Holds } from '../store/holds.js';
import { manifestPath, type StoreLayout } from '../store/layout.js';
import { readManifest } from '../store/manifest.js';
import { networkError } from '../upstream/http-errors.js';
import type { BundleSource } from '../upstream/source.js';
import type { VersionInfo } from '../upstream/version-info.js';
import type { BundleOutcome } from '../report/outcome.js';
import { decideRelease } from './decide.js';
import type { ReleasePolicy } from './release-policy.js';
import { withRetry, type AttemptFailure, type RetryPolicy } from './retry.js';
import { newTransferState, restartFromZero, tookOver, transferAttempt, type TransferState } from './transfer.js';

/** A release during our download means downloading again; give up after this many releases in one run. */
const MAX_VERSION_ROUNDS = 3;

export interface SyncDeps {
  readonly source: BundleSource;
  /** The tree a download publishes into (live, or staging), through its one writer. */
  readonly writer: TreeWriter;
  readonly policy: RetryPolicy;
  readonly logger: Logger;
  /** Bounds how many bundles transfer at once; version checks are not limited. */
  readonly limit: LimitFunction;
  /** Ranges one large bundle may be fetched over at once (connectionsPerBundle). */
  readonly connectionsPerBundle: number;
  readonly limits: BundleLimits;
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: ((id: BundleId, bytes: number, total: number | undefined) => void) | undefined;
  readonly onTransferEnd?: ((id: BundleId) => void) | undefined;
  /** Versions held back by a rollback (see store/holds.ts). */
  readonly holds: Holds;
  /** Called when a newer release replaced a held-back one, so the hold can be dropped. */
  readonly onHoldSuperseded: (id: BundleId) => void;
  /** When staging: the live tree, where a release already promoted counts as up to date. */
  readonly liveLayout: StoreLayout | undefined;
  /** Whether an older release is followed (a download) or left out (an import). */
  readonly release: ReleasePolicy;
}

interface Tally {
  readonly before: Versions | undefined;
  attempts: number;
  /** Version requests made, retries included: a bundle that fails before its transfer reports these as its attempts. */
  versionChecks: number;
  resumed: number;
  /** Time spent receiving bytes and verifying the zip, summed over attempts (where a slow run spends it). */
  transferMs: number;
  verifyMs: number;
  received: number;
  source: string | undefined;
  offered: Versions | undefined;
  /** Zip entries checked while the bundle arrived (bundle/zip-follower.ts), of the last verified attempt. */
  zipFollowed: number;
  notes: string[];
}

export async function syncBundle(d: SyncDeps, id: BundleId): Promise<BundleOutcome> {
  const started = performance.now();
  const log = d.logger.child({ bundle: bundleKey(id) });
  const targetDir = d.writer.layout.bundleDir(id);
  const current = await readManifest(manifestPath(targetDir));
  const before = current.kind === 'ok' ? manifestVersions(current.manifest) : undefined;
  /** What the tree keeps when nothing new is published: its pair's size and SHA-256. */
  const kept = {
    size: current.kind === 'ok' ? current.manifest.size : undefined,
    sha256: current.kind === 'ok' ? current.manifest.sha256 : undefined,
  };
  const tally: Tally = {
    before,
    attempts: 0,
    versionChecks: 0,
    resumed: 0,
    transferMs: 0,
    verifyMs: 0,
    received: 0,
    source: undefined,
    offered: undefined,
    zipFollowed: 0,
    notes: [],
  };
  if (current.kind === 'invalid') tally.notes.push(`live manifest.json was unreadable (${current.reason})`);

  const outcome = (rest: Pick<BundleOutcome, 'status' | 'after' | 'size' | 'sha256' | 'error'>): BundleOutcome => ({
    ...id,
    tree: d.writer.layout.tree,
    before,
    bytesTransferred: tally.received,
    durationMs: Math.round(performance.now() - started),
    attempts: rest.status === 'failed' && tally.attempts === 0 ? tally.versionChecks : tally.attempts,
    resumed: tally.resumed,
    source: tally.source,
    offered: tally.offered,
    notes: tally.notes,
    ...rest,
  });

  try {
    const info = await fetchVersion(d, id, log, tally);
    tally.offered = versionsOf(info);
    const decision = await decideRelease(id, info, { holds: d.holds, target: d.writer.layout, live: d.liveLayout, current });
    if (decision.kind === 'held-back') {
      const { hold } = decision;
      log.info({ decision: 'held', held: hold, live: before }, `release ${hold.signatures} is held back by a rollback`);
      tally.notes.push(`${d.release.offerer} ${hold.signatures} held back by rollback`);
      return outcome({
        status: 'held-back',
        after: before,
        ...kept,
        error: undefined,
      });
    }
    if (decision.kind === 'up-to-date') {
      const { manifest } = decision;
      log.info(
        { decision: 'skipped', versions: versionsOf(info) },
        decision.where === 'live' ? 'already live; nothing to stage' : 'up to date',
      );
      return outcome({ status: 'up-to-date', after: before, size: manifest.size, sha256: manifest.sha256, error: undefined });
    }
    const leftOut = await d.release.leaveOut(id, info);
    if (leftOut) {
      log.info({ decision: 'skipped', versions: versionsOf(info), note: leftOut }, `skipped: ${leftOut}`);
      tally.notes.push(leftOut);
      return outcome({
        status: 'skipped',
        after: before,
        ...kept,
        error: undefined,
      });
    }
    if (current.kind === 'ok' && sameVersions(info, manifestVersions(current.manifest))) {
      tally.notes.push('bundle did not match its manifest (size); downloaded again');
    }
    const result = await downloadAndPublish(d, id, info, tally, log, outcome);
    if (decision.hold) d.onHoldSuperseded(id);
    return result;
  } catch (e) {
    const error = e instanceof MirrorError ? e : networkError(e, d.source.location);
    log.error({ decision: 'failed', code: error.code, err: error.message, before }, `failed: ${error.message}`);
    return outcome({
      status: 'failed',
      after: before,
      size: kept.size,
      sha256: undefined,
      error: { code: error.code, message: describeError(error) },
    });
  }
}

function onRetry(log: Logger, what: string) {
  return (f: AttemptFailure): void => {
    log.warn(
      { attempt: f.attempt, code: f.error.code, err: f.error.message, retryInMs: f.delayMs },
      `${what} attempt ${f.attempt} failed; retrying`,
    );
  };
}

function fetchVersion(d: SyncDeps, id: BundleId, log: Logger, tally: Tally): Promise<VersionInfo> {
  return withRetry(d.policy, () => (tally.versionChecks++, d.source.versionInfo(id, d.signal)), {
    signal: d.signal,
    toError: (e) => networkError(e, d.source.location),
    onRetry: onRetry(log, 'version check'),
  });
}

async function downloadAndPublish(
  d: SyncDeps,
  id: BundleId,
  firstInfo: VersionInfo,
  tally: Tally,
  log: Logger,
  outcome: (rest: Pick<BundleOutcome, 'status' | 'after' | 'size' | 'sha256' | 'error'>) => BundleOutcome,
): Promise<BundleOutcome> {
  let info = firstInfo;
  for (let round = 1; round <= MAX_VERSION_ROUNDS; round++) {
    if (d.signal?.aborted) throw new MirrorError('INTERRUPTED', 'interrupted before the download started');
    const state = newTransferState(d.writer.tempFile(id, 'download'));
    let accounted = false;
    const account = (): void => {
      if (accounted) return;
      accounted = true;
      tally.received += state.received;
      tally.resumed += state.resumedAt.length;
    };
    try {
      log.info({ versions: versionsOf(info), round }, 'downloading');
      // The re-check asks again once the server has answered 200 for the bundle: a release published before that
      // answer shows in it (we download again); one published after it cannot be in the bytes that follow, since a
      // 200 is one file and a resume must match it (If-Range), and a file swapped under the transfer fails the zip
      // check. So it runs during the transfer, not after the last byte (bench/: the WAN tail). One that failed, as
      // an outage the transfer outlived, is asked again at the end.
      let recheck: Promise<VersionInfo> | undefined;
      const startRecheck = (): void => {
        const started = fetchVersion(d, id, log, tally);
        started.catch(() => undefined); // awaited below, unless a restart from zero replaced it
        recheck = started;
      };
      await withRetry(d.policy, () => transferAndVerify(d, id, state, tally, startRecheck), {
        signal: d.signal,
        toError: (e) => networkError(e, d.source.location),
        onRetry: onRetry(log, 'download'),
      });
      const early = await recheck?.catch(() => undefined);
      const after = early ?? (await fetchVersion(d, id, log, tally));
      if (!sameVersions(after, info)) {
        log.warn({ started: versionsOf(info), now: versionsOf(after) }, 'a new release appeared during the download; downloading again');
        tally.notes.push(`release ${after.signatures} appeared during the download of ${info.signatures}`);
        info = after;
        tally.offered = versionsOf(after);
        continue;
      }
      await d.source.proven?.();
      const sha256 = state.sha256 ?? state.hash.digest('hex');
      refuseUnvouched(d.source, id, state.bytes, sha256, state.source);
      const published = await d.writer.publish(id, {
        tempPath: state.path,
        size: state.bytes,
        sha256,
        versions: info,
        source: state.source ?? '',
        flushed: true,
      });
      if (published.backupSkippedReason) tally.notes.push(published.backupSkippedReason);
      const brought = d.release.broughtIn(tally.before, info);
      log.info(
        {
          decision: brought.status === 'downgraded' ? 'downloaded' : brought.status,
          before: tally.before ?? null,
          versions: versionsOf(info),
          backedUp: published.backedUp ? manifestVersions(published.backedUp) : null,
          bytes: state.bytes,
          sha256,
          source: state.source,
          resumedAt: state.resumedAt,
          attempts: tally.attempts,
          transferMs: Math.round(tally.transferMs),
          verifyMs: Math.round(tally.verifyMs),
          zipEntriesFollowed: tally.zipFollowed,
          zipBytesCheckedAtLastByte: state.lastByte?.zipChecked ?? 0,
          lastByteToPublishedMs: state.lastByte ? Math.round(performance.now() - state.lastByte.at) : null,
        },
        'published',
      );
      account();
      if (brought.wentBack) {
        log.warn({ decision: brought.status, before: tally.before, versions: versionsOf(info) }, brought.wentBack.warning);
        tally.notes.push(brought.wentBack.note);
      }
      return outcome({ status: brought.status, after: versionsOf(info), size: state.bytes, sha256, error: undefined });
    } finally {
      account();
      await removeQuietly(state.path);
    }
  }
  throw new MirrorError('VERSION_CHANGED', `the upstream version kept changing during ${MAX_VERSION_ROUNDS} downloads; try again later`, {
    retryable: true,
  });
}

/** A source with a signed index (another mirror) gets no say beyond it: other bytes are never published. */
function refuseUnvouched(source: BundleSource, id: BundleId, size: number, sha256: string, from: string | undefined): void {
  const vouched = source.vouchedFor?.(id);
  if (!vouched || (vouched.sha256 === sha256 && vouched.size === size)) return;
  throw new MirrorError(
    'BUNDLE_NOT_VOUCHED',
    `the bundle from ${from ?? source.location} (${size} bytes, SHA-256 ${sha256.slice(0, 16)}…) is not the one the upstream mirror's signed index vouches for (${vouched.size} bytes, ${vouched.sha256.slice(0, 16)}…): it changed there without a new signature, so it was not published and the previous copy is kept`,
  );
}

/** The bytes into state.path: a file the source hands over is moved there; any other is transferred, in a slot. */
async function receive(d: SyncDeps, id: BundleId, state: TransferState, tally: Tally, onWholeBody: () => void): Promise<void> {
  if (d.source.handOver) return tookOver(state, await d.source.handOver(id, state.path));
  await d.limit(async () => {
    // Timed inside the slot: waiting for one is not transfer time.
    const t0 = performance.now();
    try {
      await transferAttempt(d.source, id, state, {
        signal: d.signal,
        limits: d.limits,
        folder: d.writer.layout.root,
        connections: d.connectionsPerBundle,
        onWholeBody,
        onProgress: d.onProgress ? (bytes, total) => d.onProgress!(id, bytes, total) : undefined,
      });
    } finally {
      tally.transferMs += performance.now() - t0;
    }
  });
}

/**
 * One attempt. Only the transfer holds a concurrency slot: the CRC pass and the flush of one bundle overlap the next
 * bundle's transfer.
 */
async function transferAndVerify(d: SyncDeps, id: BundleId, state: TransferState, tally: Tally, onWholeBody: () => void): Promise<void> {
  tally.attempts++;
  try {
    await receive(d, id, state, tally, onWholeBody);
  } catch (e) {
    // What was followed of a failed attempt is not kept: a resume is checked after its download, as a whole.
    await state.follower?.abandon();
    state.follower = undefined;
    throw e;
  } finally {
    tally.source = state.source ?? tally.source;
    d.onTransferEnd?.(id);
  }
  const t1 = performance.now();
  d.logger.debug({ bundle: bundleKey(id), event: 'verifying', bytes: state.bytes }, 'every byte received; verifying the zip');
  try {
    // Flushing to disk (threadpool) overlaps the CRC pass (main thread), so publishing need not flush again.
    const check = async (): Promise<void> => {
      const followed = await state.follower?.finish(state.bytes, d.signal);
      state.follower = undefined;
      const zip = await checkZip(state.path, `bundle from ${state.source ?? 'upstream'}`, {
        maxUnpackedBytes: d.limits.maxUnpackedBytes,
        signal: d.signal,
        followed,
      });
      tally.zipFollowed = zip.followed;
    };
    await Promise.all([check(), fsyncFile(state.path)]);
  } catch (e) {
    // Corrupt bytes are not worth resuming from: the next attempt starts over.
    restartFromZero(state);
    throw e;
  } finally {
    tally.verifyMs += performance.now() - t1;
  }
}
