// Streams one bundle's bytes to a temp file with SHA-256 computed on the way, resuming a cut transfer from where it
// stopped and starting over when the source gives the whole file again (its file changed). How a source is asked
// (HTTP Range and If-Range, a folder's file) is the source's business (upstream/source.ts).
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { BundleLimits } from '../bundle/limits.js';
import { formatBytes } from '../util/bytes.js';
import { MirrorError } from '../errors/catalogue.js';
import type { BundleId } from '../bundle/identity.js';
import { fileSize } from '../store/file-facts.js';
import { networkError } from '../upstream/http-errors.js';
import { StartOver, type BundleBytes, type BundleSource, type HandedOver } from '../upstream/source.js';
import { fetchRange, fetchSplit, planSegments, writeRange, type ByteRange, type PartWatch } from './segments.js';
import { checkFreeSpace, diskFullError } from './disk-space.js';
import { watchLowSpeed } from './low-speed.js';
import { forEachPieceOfFile } from '../util/file-pieces.js';
import { ZipFollower } from '../bundle/zip-follower.js';
import { DownloadPacer } from './pacer.js';
import { HashBehind } from './hash-behind.js';

export interface TransferState {
  readonly path: string;
  bytes: number;
  hash: Hash;
  /** Total length announced by the 200 response, when there was one. */
  total: number | undefined;
  /** Strong ETag or Last-Modified of the response being resumed: what If-Range sends. */
  validator: string | undefined;
  source: string | undefined;
  /** Offsets at which a transfer was resumed with Range (for logs and the summary). */
  readonly resumedAt: number[];
  /** Times the server ignored Range or the file changed, so we started from zero. */
  restarts: number;
  /** Every byte received over all attempts, for the summary. */
  received: number;
  /** Follows the zip while a whole file arrives in one attempt (never across a resume): see bundle/zip-follower.ts. */
  follower: ZipFollower | undefined;
  /** Set when a source handed over a file it had hashed already (see BundleSource.handOver). */
  sha256?: string | undefined;
  /** When the last byte of a complete transfer was on disk, and how far the zip was checked then (for the log). */
  lastByte?: { readonly at: number; readonly zipChecked: number } | undefined;
}

export const newTransferState = (path: string): TransferState => ({
  path,
  bytes: 0,
  hash: createHash('sha256'),
  total: undefined,
  validator: undefined,
  source: undefined,
  resumedAt: [],
  restarts: 0,
  received: 0,
  follower: undefined,
});

/** A file a source handed over in place of a transfer: the state describes it as if it had just arrived whole. */
export function tookOver(state: TransferState, file: HandedOver): void {
  restartFromZero(state);
  state.bytes = file.size;
  state.total = file.size;
  state.received += file.size;
  state.source = file.from;
  state.sha256 = file.sha256;
}

type Progress = (bytes: number, total: number | undefined) => void;

/** Folds the file's bytes from `start` to its end into the hash (not piped: a piped hash is finalised at the end). */
async function hashFrom(path: string, start: number, hash: Hash): Promise<void> {
  await forEachPieceOfFile(path, start, (piece) => hash.update(piece));
}

/** After a failed write, make the hash and byte count describe exactly what is on disk. */
async function reconcile(state: TransferState): Promise<void> {
  const size = (await fileSize(state.path)) ?? 0;
  if (size !== state.bytes) {
    state.hash = createHash('sha256');
    if (size > 0) await hashFrom(state.path, 0, state.hash);
    state.bytes = size;
  }
}

export function restartFromZero(state: TransferState): void {
  state.bytes = 0;
  state.sha256 = undefined;
  state.hash = createHash('sha256');
  state.total = undefined;
  state.validator = undefined;
}

/** How often, in bytes written, the free space is checked again during a write: a quarter of the margin, 64 KiB–16 MiB. */
const freeSpaceCheckBytes = (margin: number): number => Math.min(16 * 1024 * 1024, Math.max(64 * 1024, Math.floor(margin / 4)));

/**
 * How much is written between two background flushes to disk. The flush before a bundle is renamed into place stays;
 * flushing as the bytes arrive leaves it little to do, instead of the whole bundle after the last byte (bench/).
 */
const FLUSH_EVERY_BYTES = 8 * 1024 * 1024;

interface BackgroundFlush {
  /** Bytes handed to the file since the last call. */
  readonly wrote: (bytes: number) => void;
  /** Waits for the flush under way, if any (before the file is closed). */
  readonly settled: () => Promise<void>;
}

/** One flush at a time; each covers what had been handed to the kernel when it started, by any handle on the file. */
function backgroundFlush(file: FileHandle): BackgroundFlush {
  let since = 0;
  let flushing: Promise<void> | undefined;
  return {
    wrote(bytes) {
      since += bytes;
      if (since < FLUSH_EVERY_BYTES || flushing) return;
      since = 0;
      flushing = file.datasync().then(
        () => (flushing = undefined),
        () => (flushing = undefined),
      );
    },
    settled: () => flushing ?? Promise.resolve(),
  };
}

function tooLargeError(what: string, limits: BundleLimits, from: string): MirrorError {
  return new MirrorError(
    'BUNDLE_TOO_LARGE',
    `the bundle from ${from} ${what}, more than maxBundleSize (${formatBytes(limits.maxBundleBytes)}); if it is genuine, raise maxBundleSize in settings.json`,
  );
}

function markLastByte(state: TransferState): void {
  state.lastByte = { at: performance.now(), zipChecked: state.follower?.checkedThrough ?? 0 };
}

/** The watch, then the pacer's wait (download/pacer.ts) before the part is written. */
function paced(watch: PartWatch, pacer: DownloadPacer | undefined, signal: AbortSignal): PartWatch {
  if (!pacer) return watch;
  return (part) => {
    const watched = watch(part);
    const gate = pacer.gate(signal);
    if (!gate) return watched;
    return watched ? Promise.all([watched, gate]).then(() => undefined) : gate;
  };
}

/** A part from the connection that carries the file's start, in order: hashed, counted, and due for a flush. */
function takePart(state: TransferState, flush: BackgroundFlush, part: Buffer): void {
  state.hash.update(part);
  state.bytes += part.length;
  state.received += part.length;
  flush.wrote(part.length);
}

/**
 * What every received part passes before it is written: hashed and counted (progress), held to maxBundleSize (a body
 * without Content-Length may never end) and minFreeSpace (checked again every few MB, so a body longer than announced,
 * or another program filling the volume, cannot take the last free bytes), and flushed to disk in the background.
 */
function writeWatch(
  state: TransferState,
  limits: BundleLimits,
  folder: string,
  from: string,
  flush: BackgroundFlush,
  onProgress?: Progress,
): PartWatch {
  let sinceCheck = 0;
  const every = freeSpaceCheckBytes(limits.minFreeBytes);
  return (part) => {
    if (state.bytes > limits.maxBundleBytes) throw tooLargeError('is longer than that', limits, from);
    takePart(state, flush, part);
    onProgress?.(state.bytes, state.total);
    sinceCheck += part.length;
    if (limits.minFreeBytes === 0 || sinceCheck < every) return;
    sinceCheck = 0;
    const remaining = state.total === undefined ? 0 : Math.max(0, state.total - state.bytes);
    return checkFreeSpace(state.path, folder, remaining, limits.minFreeBytes).catch((e: Error) => {
      throw new MirrorError('DISK_FULL', `${e.message} (free space fell below minFreeSpace during the write)`);
    });
  };
}

export interface TransferOptions {
  readonly signal?: AbortSignal | undefined;
  readonly onProgress?: Progress | undefined;
  readonly limits: BundleLimits;
  readonly folder: string;
  /** connectionsPerBundle: more than 1 splits a large bundle into ranges fetched at once (segments.ts). */
  readonly connections: number;
  /** The server has answered 200: it has chosen the file whose bytes follow (resumes keep it with If-Range). */
  readonly onWholeBody?: (() => void) | undefined;
}

/** One attempt: on success the file holds the complete body. Throws MirrorError (retryable when worth it). */
export async function transferAttempt(source: BundleSource, id: BundleId, state: TransferState, opts: TransferOptions): Promise<void> {
  const { limits } = opts;
  const resuming = state.bytes > 0 && state.validator !== undefined;
  let res: BundleBytes;
  try {
    res = await source.open(id, resuming ? { offset: state.bytes, validator: state.validator } : {}, opts.signal);
  } catch (e) {
    if (e instanceof StartOver) {
      restartFromZero(state);
      state.restarts++;
    }
    throw e;
  }

  let flags: 'a' | 'w';
  if (resuming && res.offset === state.bytes) {
    if (state.total !== undefined && res.total !== state.total) {
      await res.body.dump();
      restartFromZero(state);
      state.restarts++;
      throw new StartOver(`the file being resumed is now ${String(res.total)} bytes, not ${state.total}; starting over`);
    }
    state.resumedAt.push(state.bytes);
    flags = 'a';
  } else {
    // The whole file, from its first byte: a first attempt, or a source whose file changed since the last one.
    if (state.bytes > 0) state.restarts++;
    restartFromZero(state);
    state.total = res.total;
    if (state.total !== undefined && state.total > limits.maxBundleBytes) {
      await res.body.dump().catch(() => undefined);
      throw tooLargeError(`announces ${formatBytes(state.total)} (Content-Length)`, limits, res.from);
    }
    state.validator = res.validator;
    flags = 'w';
    opts.onWholeBody?.();
  }
  state.source = res.from;

  if (state.total !== undefined) {
    try {
      await checkFreeSpace(state.path, opts.folder, state.total - state.bytes, limits.minFreeBytes);
    } catch (e) {
      await res.body.dump().catch(() => undefined);
      throw e;
    }
  }

  const ranges =
    flags === 'w' && state.total !== undefined && opts.connections > 1 && res.ranges && state.validator !== undefined
      ? planSegments(state.total, opts.connections)
      : [];
  if (ranges.length > 1) return transferSplit(source, id, state, res, ranges, opts);

  // Created (or truncated) before the body flows, and kept open for the background flush. writeRange writes what was
  // received before it reports a cut, so the next attempt resumes after it.
  const file = await open(state.path, flags).catch(async (e: unknown) => {
    await res.body.dump().catch(() => undefined);
    throw networkError(e, res.from);
  });
  const flush = backgroundFlush(file);
  if (flags === 'w') state.follower = await ZipFollower.start(state.path, limits.maxUnpackedBytes);
  const pacer = state.follower && new DownloadPacer(state.follower);
  let written = state.bytes;
  const onWritten = (n: number): void => {
    state.follower?.advance((written += n));
    pacer?.wrote(written);
  };
  const slow = watchLowSpeed(() => state.received, limits.lowSpeedBytesPerSec, limits.lowSpeedMs, state.source);
  const signal = opts.signal ? AbortSignal.any([opts.signal, slow.signal]) : slow.signal;
  const watch = paced(writeWatch(state, limits, opts.folder, res.from, flush, opts.onProgress), pacer, signal);
  try {
    await writeRange(state.path, { start: state.bytes, end: Number.POSITIVE_INFINITY }, res.body, signal, onWritten, watch);
    markLastByte(state);
  } catch (e) {
    await reconcile(state);
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw await diskFullError(state.path, opts.folder, (state.total ?? state.bytes) - state.bytes, limits.minFreeBytes);
    }
    throw slow.tripped() ?? networkError(e, res.from);
  } finally {
    slow.stop();
    await flush.settled();
    await file.close().catch(() => undefined);
  }

  if (state.total !== undefined && state.bytes !== state.total) {
    const got = state.bytes;
    if (got > state.total) restartFromZero(state);
    throw new MirrorError(
      'BUNDLE_LENGTH_MISMATCH',
      `received ${got} bytes but Content-Length announced ${state.total} from ${state.source}`,
      { retryable: true },
    );
  }
}

/**
 * A split attempt: range 0 over the first response (hashed as it arrives), the others on their own connections,
 * written in place; the rest of the hash is then read back from disk (the page cache). On a failure the file is cut
 * back to what is complete from its start, so the retry resumes from there on one connection, as any other.
 */
async function transferSplit(
  source: BundleSource,
  id: BundleId,
  state: TransferState,
  res: BundleBytes,
  ranges: readonly ByteRange[],
  opts: TransferOptions,
): Promise<void> {
  const { limits } = opts;
  const total = state.total!;
  let others = 0;
  const progress = (): void => opts.onProgress?.(state.bytes + others, total);
  const file = await open(state.path, 'w').catch(async (e: unknown) => {
    await res.body.dump().catch(() => undefined);
    throw networkError(e, res.from);
  });
  const flush = backgroundFlush(file);
  // The zip is followed behind the bytes complete from offset 0: the first range, then each next one that has
  // arrived whole, so the follower goes on into a range fetched alongside instead of waiting for the last byte.
  const follower = await ZipFollower.start(state.path, limits.maxUnpackedBytes);
  state.follower = follower;
  const pacer = new DownloadPacer(follower);
  const slow = watchLowSpeed(() => state.received, limits.lowSpeedBytesPerSec, limits.lowSpeedMs, state.source ?? '');
  const signal = opts.signal ? AbortSignal.any([opts.signal, slow.signal]) : slow.signal;
  const first = async (end: number, stop: AbortSignal, onBytes: (n: number) => void): Promise<void> => {
    await writeRange(state.path, { start: 0, end }, res.body, stop, onBytes, (part) => {
      takePart(state, flush, part);
      progress();
      return pacer.gate(stop);
    });
    if (state.bytes < end) {
      throw new MirrorError('BUNDLE_LENGTH_MISMATCH', `the first range ended after ${state.bytes} of ${end} bytes from ${state.source}`, {
        retryable: true,
      });
    }
  };
  const rest = (range: ByteRange, stop: AbortSignal, onBytes: (n: number) => void): Promise<void> =>
    fetchRange(
      (req, s) => source.open(id, req, s),
      state.path,
      range,
      state.validator!,
      stop,
      (n) => {
        others += n;
        state.received += n;
        flush.wrote(n);
        onBytes(n);
        progress();
      },
      () => pacer.gateLater(stop),
    );
  const firstEnd = ranges[0]!.end;
  let behind: HashBehind | undefined;
  try {
    const hashing = await HashBehind.open(state.path, state.hash, firstEnd);
    behind = hashing;
    const result = await fetchSplit(ranges, first, rest, signal, (contiguous, anywhere) => {
      follower.advance(contiguous);
      pacer.wrote(contiguous, anywhere);
      // The first connection hashes its range as it arrives; what follows it is hashed from disk once it is in.
      if (state.bytes === firstEnd) hashing.reached(contiguous);
    });
    if (result.error === undefined) {
      markLastByte(state);
      try {
        await hashing.finish(total);
      } catch (e) {
        // The hash has taken part of the later ranges and state.bytes does not say how much: never resume from it.
        restartFromZero(state);
        throw e;
      }
      state.bytes = total;
      return;
    }
    await file.truncate(result.contiguous);
    let hashed = state.bytes < firstEnd ? state.bytes : await hashing.stop();
    // The hash covers [0, hashed); keep it only if all of that reached the disk.
    if (result.contiguous < hashed) {
      state.hash = createHash('sha256');
      hashed = 0;
    }
    if (result.contiguous > hashed) await hashFrom(state.path, hashed, state.hash);
    state.bytes = result.contiguous;
    const e = result.error;
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC')
      throw await diskFullError(state.path, opts.folder, total - state.bytes, limits.minFreeBytes);
    throw slow.tripped() ?? networkError(e, res.from);
  } finally {
    slow.stop();
    await behind?.stop();
    await flush.settled();
    await file.close().catch(() => undefined);
  }
}
