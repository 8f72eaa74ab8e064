// Follows a zip while it is being downloaded: reads the file from disk behind the writer, walks its local headers in
// order, and inflates and CRCs each entry, so that when the last byte lands only the entries not yet reached and the
// central directory remain. It proves nothing by itself: checkZip (zip-check.ts) still reads the central directory and
// takes a followed CRC only for an entry whose offset, method and sizes the directory confirms; every other entry is
// checked as before. Anything unusual (encryption, zip64, a stored entry of unknown size, an unknown method, more than
// the unpacked limit) makes it stop following, and checkZip does that part after the download, as it always did.
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { chunksDone } from '../util/dead-buffers.js';
import { createEntryInflater } from './entry-inflater.js';

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const PIECE_BYTES = 256 * 1024;

/** What following found for the entry whose local header is at an offset: the same facts the directory states. */
export interface FollowedEntry {
  readonly method: number;
  readonly dataStart: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly crc32: number;
}

export type FollowedEntries = ReadonlyMap<number, FollowedEntry>;

class GiveUp extends Error {}

export class ZipFollower {
  private available = 0;
  private total: number | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private through = 0;
  /** Where the follower has read the file through: how far behind the writer it is (download/pacer.ts). */
  private readAt = 0;
  private ended = false;
  private readonly readers: (() => void)[] = [];
  private readonly entries = new Map<number, FollowedEntry>();
  private readonly done: Promise<void>;

  private constructor(
    private readonly file: FileHandle,
    private readonly maxUnpackedBytes: number,
  ) {
    this.done = this.follow().catch(() => undefined);
  }

  /** Starts following the file at path (created and being written from its first byte). */
  static async start(path: string, maxUnpackedBytes: number): Promise<ZipFollower> {
    return new ZipFollower(await open(path, 'r'), maxUnpackedBytes);
  }

  /** Bytes from offset 0 that are on disk now. */
  advance(written: number): void {
    if (written <= this.available) return;
    this.available = written;
    this.wake?.();
  }

  /**
   * The file is complete at `total` bytes: follow what is left, then hand over what was found (and close the file). A
   * stop request ends it at once, with nothing handed over (checkZip then sees the same request).
   */
  async finish(total: number, signal?: AbortSignal): Promise<FollowedEntries> {
    this.total = total;
    this.advance(total);
    this.wake?.();
    const stop = (): void => void this.abandon();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      if (signal?.aborted) await this.abandon();
      await this.done;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    return this.entries;
  }

  /** Where the entries followed whole so far end: how much of the zip is already checked (for the log). */
  get checkedThrough(): number {
    return this.through;
  }

  /** How far the file has been read to check it, while it is being followed; undefined once following has ended. */
  get readThrough(): number | undefined {
    return this.stopped || this.ended ? undefined : this.readAt;
  }

  /** Resolves when the follower has read further, or has stopped following. */
  readMore(): Promise<void> {
    if (this.stopped || this.ended) return Promise.resolve();
    return new Promise((resolve) => this.readers.push(resolve));
  }

  private readProgressed(): void {
    for (const resolve of this.readers.splice(0)) resolve();
  }

  /** The attempt failed or the file is to be rewritten: stop, keep nothing. */
  async abandon(): Promise<void> {
    this.stopped = true;
    this.entries.clear();
    this.wake?.();
    await this.done;
  }

  /** Waits until [at, at + length) is on disk; false when the file is complete (or abandoned) short of it. */
  private async reach(at: number, length: number): Promise<boolean> {
    while (this.available < at + length) {
      if (this.stopped || this.total !== undefined) return false;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
    return !this.stopped;
  }

  private async bytes(at: number, length: number): Promise<Buffer> {
    if (!(await this.reach(at, length))) throw new GiveUp();
    const buffer = Buffer.allocUnsafe(length);
    const { bytesRead } = await this.file.read(buffer, 0, length, at);
    if (bytesRead !== length) throw new GiveUp();
    if (at + length > this.readAt) {
      this.readAt = at + length;
      this.readProgressed();
    }
    return buffer;
  }

  /** Pieces of [start, end), or of [start, the end of the file) when end is undefined, as they reach the disk. */
  private async *pieces(start: number, end: number | undefined): AsyncGenerator<Buffer> {
    for (let at = start; end === undefined || at < end;) {
      const want = end === undefined ? PIECE_BYTES : Math.min(PIECE_BYTES, end - at);
      if (!(await this.reach(at, want))) {
        // At the end of the file a last short piece is all there is.
        const left = (this.total ?? at) - at;
        if (this.stopped || left <= 0 || (end !== undefined && left < end - at)) throw new GiveUp();
        yield await this.bytes(at, left);
        return;
      }
      yield await this.bytes(at, want);
      at += want;
    }
  }

  private async follow(): Promise<void> {
    let unpacked = 0;
    try {
      for (let at = 0; ;) {
        if (!(await this.reach(at, 4))) return;
        const head = await this.bytes(at, 4);
        // Past the last entry: the central directory (checkZip reads it).
        if (head.readUInt32LE(0) !== LOCAL_HEADER) return;
        const h = await this.bytes(at, 30);
        const flags = h.readUInt16LE(6);
        const method = h.readUInt16LE(8);
        const declaredCrc = h.readUInt32LE(14);
        const compressed = h.readUInt32LE(18);
        const size = h.readUInt32LE(22);
        const dataStart = at + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
        const sizesLater = (flags & 0x08) !== 0;
        if ((flags & 0x01) !== 0 || (method !== 0 && method !== 8)) throw new GiveUp();
        if (compressed === 0xffffffff || size === 0xffffffff) throw new GiveUp();
        if (method === 0 && sizesLater) throw new GiveUp();

        let crc = 0;
        let out = 0;
        let consumed: number;
        const count = (chunk: Buffer): void => {
          if (this.stopped) throw new GiveUp();
          crc = crc32(chunk, crc);
          // Inflated chunks live outside V8's heap: counted, so that dead ones are collected (util/dead-buffers.ts).
          if (method !== 0) chunksDone(chunk.length);
          out += chunk.length;
          unpacked += chunk.length;
          if (unpacked > this.maxUnpackedBytes) throw new GiveUp();
        };
        if (method === 0) {
          for await (const piece of this.pieces(dataStart, dataStart + compressed)) count(piece);
          consumed = compressed;
        } else {
          consumed = await this.inflate(dataStart, sizesLater ? undefined : compressed, count);
          if (!sizesLater && consumed !== compressed) throw new GiveUp();
        }
        if (!sizesLater && (crc >>> 0 !== declaredCrc || out !== size)) {
          // The bytes disagree with their own header: checkZip will say so with the directory's words.
          throw new GiveUp();
        }
        this.entries.set(at, { method, dataStart, compressedSize: consumed, uncompressedSize: out, crc32: crc >>> 0 });
        at = dataStart + consumed;
        if (sizesLater) {
          const signature = (await this.bytes(at, 4)).readUInt32LE(0);
          at += signature === DATA_DESCRIPTOR ? 16 : 12;
        }
        this.through = at;
      }
    } catch {
      // Whatever stopped it (GiveUp, a read error, a damaged deflate stream), checkZip does the rest after the download.
      this.stopped = true;
    } finally {
      this.ended = true;
      this.readProgressed();
      await this.file.close().catch(() => undefined);
    }
  }

  /**
   * Inflates the deflate stream that starts at `start`, feeding the inflater what is on disk. Returns how many
   * compressed bytes the stream took (the inflater stops consuming at its end, which is how a stream whose sizes come
   * after it is delimited).
   */
  private async inflate(start: number, compressed: number | undefined, onOut: (chunk: Buffer) => void): Promise<number> {
    const inflater = createEntryInflater();
    let ended = false;
    let failed: unknown;
    inflater.on('data', (chunk: Buffer) => {
      try {
        onOut(chunk);
      } catch (e) {
        failed = e;
        inflater.destroy();
      }
    });
    inflater.on('end', () => (ended = true));
    inflater.on('error', (e) => (failed = e));
    // A destroyed inflater (a stop, the unpacked limit) never calls back a write: its close ends the wait instead.
    const closed = new Promise<void>((resolve) => inflater.once('close', resolve));
    let fed = 0;
    try {
      for await (const piece of this.pieces(start, compressed === undefined ? undefined : start + compressed)) {
        await Promise.race([new Promise<void>((resolve) => inflater.write(piece, () => resolve())), closed]);
        await new Promise<void>((resolve) => setImmediate(resolve));
        fed += piece.length;
        if (failed !== undefined || this.stopped) throw new GiveUp();
        if (ended || inflater.bytesWritten < fed) break;
      }
      if (!ended) {
        // Sizes known up front: the stream must end exactly at its compressed size.
        inflater.end();
        await Promise.race([new Promise<void>((resolve) => inflater.once('end', resolve)), closed]);
      }
      if (failed !== undefined || !ended) throw new GiveUp();
      return inflater.bytesWritten;
    } finally {
      inflater.destroy();
    }
  }
}
