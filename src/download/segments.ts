// aria2c -x for one bundle: when the server accepts ranges, the rest of a large bundle is fetched over a few more
// connections (Range + If-Range to the URL the first response came from) and written in place, while the first
// connection goes on with the beginning. A per-connection limit (a WAN, a CDN's pacing) then counts once per range.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { MirrorError } from '../errors/catalogue.js';
import { chunksDone } from '../util/dead-buffers.js';
import type { BundleBytes, OpenRequest } from '../upstream/source.js';

/** Below this, another connection costs more (a round trip, TLS) than it saves. */
export const MIN_SEGMENT_BYTES = 8 * 1024 * 1024;

/**
 * What may wait in memory between the socket and the disk: with room for several socket reads, the write stream hands
 * the kernel one writev of many chunks instead of a thread-pool round trip per 64 KiB chunk (bench/).
 */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export interface ByteRange {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
}

/** Splits [0, total) into at most `connections` ranges of at least MIN_SEGMENT_BYTES; one range means no split. */
export function planSegments(total: number, connections: number): ByteRange[] {
  const count = Math.max(1, Math.min(connections, Math.floor(total / MIN_SEGMENT_BYTES)));
  const size = Math.ceil(total / count);
  return Array.from({ length: count }, (_, i) => ({ start: i * size, end: Math.min(total, (i + 1) * size) }));
}

/** What a split transfer reports to its caller: how far the file is complete from its start, in order. */
export interface SplitResult {
  /** Bytes from offset 0 that are on disk without a gap (all of it when every range arrived). */
  readonly contiguous: number;
  readonly error: unknown;
}

export type RangeOpen = (req: OpenRequest, signal: AbortSignal) => Promise<BundleBytes>;

/**
 * Fetches one range into the file at its offset. A source that cannot give exactly this range of the same file (it
 * changed, a server ignored Range) fails the range: the caller then keeps only what the first connection wrote.
 */
export async function fetchRange(
  openRange: RangeOpen,
  path: string,
  range: ByteRange,
  validator: string,
  signal: AbortSignal,
  onBytes: (n: number) => void,
  onPart?: PartWatch,
): Promise<void> {
  const bytes = await openRange({ offset: range.start, end: range.end, validator }, signal);
  const written = await writeRange(path, range, bytes.body, signal, onBytes, onPart);
  if (written !== range.end - range.start) {
    throw new MirrorError('BUNDLE_LENGTH_MISMATCH', `the range ${range.start}-${range.end - 1} ended after ${written} bytes`, {
      retryable: true,
    });
  }
}

/**
 * What each part of a body goes through before it is written: hashing, counting, limits. It may return a promise (a
 * free-space check) that the write waits for, or throw to stop the body.
 */
export type PartWatch = (part: Buffer) => void | Promise<void>;

/**
 * Writes a body into the file from the range's start, stopping at its end (the rest of a longer body is left unread,
 * and its connection closed). `onWritten` counts bytes once they are on disk, not when received: a resume keeps only
 * those. `onPart` sees each part as it is handed to the disk (to hash it in order). A connection that breaks ends the
 * body quietly: what was received is still written before the break is thrown, so a resume starts after it, not
 * wherever the write buffer had reached the disk. Resolves with the bytes written.
 *
 * One loop over the body with writes handed straight to the file, for both download paths: a pipeline of a generator,
 * a Transform and a write stream made V8 run 13-35 full collections per GB where this loop runs one (bench/).
 */
export async function writeRange(
  path: string,
  range: ByteRange,
  body: Readable,
  signal: AbortSignal,
  onWritten: (n: number) => void,
  onPart?: PartWatch,
): Promise<number> {
  const stop = (): void => void body.destroy(signal.reason as Error);
  signal.addEventListener('abort', stop, { once: true });
  if (signal.aborted) stop();
  const out = createWriteStream(path, { flags: 'r+', start: range.start, highWaterMark: WRITE_BUFFER_BYTES });
  let failure: Error | undefined;
  out.on('error', (e) => (failure ??= e));
  const chunks = (body as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  let broken: Error | undefined;
  let at = range.start;
  try {
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (e) {
        broken = e instanceof Error ? e : new Error(String(e));
        break;
      }
      if (next.done) break;
      if (failure !== undefined) throw failure;
      const part = next.value.length > range.end - at ? next.value.subarray(0, range.end - at) : next.value;
      const watched = onPart?.(part);
      if (watched) await watched;
      at += part.length;
      const fits = out.write(part, (e) => {
        if (e) return;
        onWritten(part.length);
        chunksDone(part.length);
      });
      if (!fits) await once(out, 'drain', { signal });
      if (at >= range.end) break;
    }
    out.end();
    await finished(out);
    if (broken !== undefined) throw broken;
    return out.bytesWritten;
  } finally {
    signal.removeEventListener('abort', stop);
    out.destroy();
    // Whatever ended the loop (the range's end, a failed write or watch), the body is closed, as a for-await loop would.
    await chunks.return?.().catch(() => undefined);
  }
}

/** The bytes complete from offset 0: whole ranges in order, then what the first incomplete one holds. */
export function contiguousBytes(ranges: readonly ByteRange[], written: readonly number[]): number {
  let total = 0;
  for (const [i, range] of ranges.entries()) {
    const got = written[i] ?? 0;
    total += got;
    if (got < range.end - range.start) break;
  }
  return total;
}

/**
 * The first response carries range 0 (written through `first`, which stops it at the range's end); the other ranges
 * go out at once. `onWritten` hears how far the file is complete from its start, and how much of it is written in all,
 * after each write. Any failure stops them all; the result says how much of the file is usable for a resume.
 */
export async function fetchSplit(
  ranges: readonly ByteRange[],
  first: (end: number, signal: AbortSignal, onBytes: (n: number) => void) => Promise<void>,
  rest: (range: ByteRange, signal: AbortSignal, onBytes: (n: number) => void) => Promise<void>,
  signal: AbortSignal,
  onWritten?: (contiguous: number, anywhere: number) => void,
): Promise<SplitResult> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const written = ranges.map(() => 0);
  let error: unknown;
  const runs = ranges.map((range, i) => {
    const onBytes = (n: number): void => {
      written[i]! += n;
      onWritten?.(
        contiguousBytes(ranges, written),
        written.reduce((a, b) => a + b, 0),
      );
    };
    const run = i === 0 ? first(range.end, both, onBytes) : rest(range, both, onBytes);
    // The first failure is the one to report; the others are only stopped by it.
    return run.catch((e: unknown) => {
      if (error === undefined) error = e;
      stop.abort(e);
    });
  });
  await Promise.all(runs);
  return { contiguous: contiguousBytes(ranges, written), error };
}
