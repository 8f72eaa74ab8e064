// Streams through a zip from disk and checks it is complete: central directory, entry sizes, and every entry's CRC-32.
// yauzl validates structure and sizes but not CRCs, so the CRC is folded over each entry stream here. An entry
// already inflated while the download arrived (zip-follower.ts) is taken from there when the directory agrees.
import { close, createReadStream, fstat, open, read } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { MirrorError } from '../errors/catalogue.js';
import { formatBytes } from '../util/bytes.js';
import { DEFAULT_MAX_UNPACKED_BYTES } from './limits.js';
import type { FollowedEntries } from './zip-follower.js';
import { chunksDone } from '../util/dead-buffers.js';
import { createEntryInflater } from './entry-inflater.js';
import { forEachPiece, pieceBuffers, PIECE_BYTES } from '../util/file-pieces.js';

export interface ZipSummary {
  readonly entries: number;
  readonly uncompressedBytes: number;
  /** Entries whose CRC was taken from following the download (the rest were read after it). */
  readonly followed: number;
}

/** yauzl's extension point for where bytes come from: here, the file read in large chunks. */
class LargeChunkFileReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly path: string,
    readonly fd: number,
  ) {
    super();
  }

  // Each entry stream opens the file itself: destroying an fs stream closes its fd, even with autoClose off.
  override _readStreamForRange(start: number, end: number): Readable {
    return createReadStream(this.path, { start, end: end - 1, highWaterMark: PIECE_BYTES });
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    read(this.fd, buffer, offset, length, position, (err, n) =>
      callback(err ?? (n < length ? new Error(`unexpected end of file at offset ${position + n}`) : null)),
    );
  }

  override close(callback: (err: Error | null) => void): void {
    close(this.fd, (err) => callback(err ?? null));
  }
}

interface OpenZip {
  readonly zip: ZipFile;
  readonly reader: LargeChunkFileReader;
}

function openZip(path: string): Promise<OpenZip> {
  return new Promise((resolve, reject) => {
    open(path, 'r', (err, fd) => {
      if (err) return reject(err);
      fstat(fd, (err2, st) => {
        if (err2) return close(fd, () => reject(err2));
        // No extra ref(): with autoClose off, yauzl holds the reader's one reference until zip.close(), which then
        // closes the fd. A second reference kept the file open for ever (harmless on Linux; on Windows an open file
        // cannot be renamed or removed, so the next publish failed with EPERM).
        const reader = new LargeChunkFileReader(path, fd);
        yauzl.fromRandomAccessReader(reader, st.size, { lazyEntries: true, autoClose: false, validateEntrySizes: true }, (err3, zip) =>
          err3 ? close(fd, () => reject(err3)) : resolve({ zip, reader }),
        );
      });
    });
  });
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: Entry): void => (done(), resolve(e));
    const onEnd = (): void => (done(), resolve(undefined));
    const onError = (e: Error): void => (done(), reject(e));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

/** The entry's bytes as stored (still deflated): yauzl bounds them to the entry's compressed size. */
function openRawEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) =>
    zip.openReadStream(entry, { decompress: false }, (err, stream) => (err ? reject(err) : resolve(stream))),
  );
}

function fileDataStart(zip: ZipFile, entry: Entry): Promise<number> {
  return new Promise((resolve, reject) =>
    zip.readLocalFileHeader(entry, { minimal: true }, (err, header) => (err ? reject(err) : resolve(header.fileDataStart))),
  );
}

/** What an entry's bytes are handed to, chunk by chunk, as they are checked. */
type EntryBytes = (chunk: Buffer) => void;

/**
 * A deflated entry, inflated here (zlib, on the thread pool) rather than by yauzl, whose inflater hands back 16 KiB at
 * a time (bundle/entry-inflater.ts); the CRC is folded over what comes out, held to the size the directory states.
 */
async function inflatedCrc(zip: ZipFile, entry: Entry, onBytes: EntryBytes): Promise<number> {
  if (entry.isEncrypted()) throw new Error(`entry ${entry.fileName} is encrypted`);
  if (entry.compressionMethod !== 8)
    throw new Error(`entry ${entry.fileName} uses compression method ${entry.compressionMethod}, which is not supported`);
  let crc = 0;
  let size = 0;
  await pipeline(await openRawEntry(zip, entry), createEntryInflater(), async (inflated: AsyncIterable<Buffer>) => {
    for await (const chunk of inflated) {
      size += chunk.length;
      if (size > entry.uncompressedSize)
        throw new Error(`entry ${entry.fileName} inflates to more than its stated ${entry.uncompressedSize} bytes`);
      crc = crc32(chunk, crc);
      chunksDone(chunk.length);
      onBytes(chunk);
    }
  });
  if (size !== entry.uncompressedSize) {
    throw new Error(`entry ${entry.fileName} inflates to ${size} bytes, not its stated ${entry.uncompressedSize}`);
  }
  return crc;
}

/** A stored entry is its own bytes: read in place (util/file-pieces.ts), with no stream or inflater between. */
async function storedCrc(zip: ZipFile, fd: number, entry: Entry, buffers: readonly [Buffer, Buffer], onBytes: EntryBytes): Promise<number> {
  const start = await fileDataStart(zip, entry);
  let crc = 0;
  await forEachPiece(
    fd,
    start,
    start + entry.compressedSize,
    (piece) => {
      crc = crc32(piece, crc);
      onBytes(piece);
    },
    buffers,
  );
  return crc;
}

export interface ZipCheckOptions {
  /** The most the entries may unpack to, declared and actual (maxUnpackedSize). */
  readonly maxUnpackedBytes?: number;
  /** A stop request: the CRC pass ends within one read. */
  readonly signal?: AbortSignal | undefined;
  /** CRCs computed while the file arrived (zip-follower.ts), by local header offset; used where the directory agrees. */
  readonly followed?: FollowedEntries | undefined;
}

/** The CRC following found for this entry, when the directory states exactly the entry that was followed. */
async function followedCrc(zip: ZipFile, entry: Entry, followed: FollowedEntries | undefined): Promise<number | undefined> {
  const f = followed?.get(entry.relativeOffsetOfLocalHeader);
  if (
    !f ||
    f.method !== entry.compressionMethod ||
    f.compressedSize !== entry.compressedSize ||
    f.uncompressedSize !== entry.uncompressedSize ||
    entry.isEncrypted()
  )
    return undefined;
  return (await fileDataStart(zip, entry)) === f.dataStart ? f.crc32 : undefined;
}

/** Every entry's metadata from the central directory, before anything is inflated. */
async function listEntries(zip: ZipFile): Promise<Entry[]> {
  const entries: Entry[] = [];
  for (let entry = await nextEntry(zip); entry; entry = await nextEntry(zip)) entries.push(entry);
  return entries;
}

/**
 * The first pair of entries whose data overlap (as unzip -t's "overlapped components"): a real zip stores each entry
 * once, while a zip bomb points many entries at one compressed stream. The local header is at least 30 bytes plus the
 * name, so this lower bound on each entry's extent never accuses a well-formed zip.
 */
function overlappingEntries(entries: readonly Entry[]): [Entry, Entry] | undefined {
  const byOffset = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < byOffset.length; i++) {
    const [prev, next] = [byOffset[i - 1]!, byOffset[i]!];
    const prevEnd = prev.relativeOffsetOfLocalHeader + 30 + prev.fileNameLength + prev.compressedSize;
    if (next.relativeOffsetOfLocalHeader < prevEnd) return [prev, next];
  }
  return undefined;
}

function tooLarge(label: string, what: string, max: number): MirrorError {
  return new MirrorError(
    'BUNDLE_TOO_LARGE',
    `${label} ${what} more than maxUnpackedSize (${formatBytes(max)}): refused as a possible zip bomb. If it is a genuine bundle, raise maxUnpackedSize in settings.json`,
  );
}

export async function checkZip(path: string, label = path, o: ZipCheckOptions = {}): Promise<ZipSummary> {
  const max = o.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED_BYTES;
  let opened: OpenZip;
  try {
    opened = await openZip(path);
  } catch (e) {
    throw new MirrorError('BUNDLE_NOT_ZIP', `${label} is not a complete zip archive (${(e as Error).message})`, { retryable: true });
  }
  const { zip, reader } = opened;
  let buffers: readonly [Buffer, Buffer] | undefined;
  let entries = 0;
  let followedEntries = 0;
  let uncompressedBytes = 0;
  const counted: EntryBytes = (chunk) => {
    uncompressedBytes += chunk.length;
    // yauzl stops an entry that inflates past its declared size; this guards the total against lying sizes too.
    if (uncompressedBytes > max) throw tooLarge(label, 'unpacks to', max);
    o.signal?.throwIfAborted();
  };
  try {
    const listed = (await listEntries(zip)).filter((entry) => !entry.fileName.endsWith('/'));
    const overlap = overlappingEntries(listed);
    if (overlap) {
      throw new MirrorError(
        'BUNDLE_NOT_ZIP',
        `${label} has overlapping entries (${overlap[0].fileName} and ${overlap[1].fileName} share their data): refused as a zip bomb, and not retried. The upstream is serving a hostile or broken bundle; the live pair is kept`,
      );
    }
    const declared = listed.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
    if (declared > max) throw tooLarge(label, `declares ${formatBytes(declared)} unpacked,`, max);
    for (const entry of listed) {
      o.signal?.throwIfAborted();
      const stored = entry.compressionMethod === 0 && !entry.isEncrypted();
      const early = await followedCrc(zip, entry, o.followed);
      if (early !== undefined) {
        followedEntries++;
        uncompressedBytes += entry.uncompressedSize;
        if (uncompressedBytes > max) throw tooLarge(label, 'unpacks to', max);
      }
      const crc =
        early ??
        (stored ? await storedCrc(zip, reader.fd, entry, (buffers ??= pieceBuffers()), counted) : await inflatedCrc(zip, entry, counted));
      if (crc >>> 0 !== entry.crc32 >>> 0) {
        throw new MirrorError(
          'BUNDLE_CRC_MISMATCH',
          `${label}: entry ${entry.fileName} fails its CRC-32 check (expected ${entry.crc32.toString(16)}, got ${(crc >>> 0).toString(16)})`,
          { retryable: true },
        );
      }
      entries++;
    }
  } catch (e) {
    if (e instanceof MirrorError || o.signal?.aborted) throw e;
    throw new MirrorError('BUNDLE_NOT_ZIP', `${label} is a damaged zip archive (${(e as Error).message})`, { retryable: true });
  } finally {
    zip.close();
  }
  if (entries === 0) throw new MirrorError('BUNDLE_NOT_ZIP', `${label} is a zip archive with no files in it`, { retryable: true });
  return { entries, uncompressedBytes, followed: followedEntries };
}
