// A split's later ranges reach the disk ahead of the hash, which must take the file in order. They are hashed from
// disk (the page cache) as they become complete from the start, so that after the last byte only the last piece is
// left instead of every later range (half of a 128 MB bundle, 50-70 ms here: bench/).
import type { Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { forEachPiece, pieceBuffers } from '../util/file-pieces.js';

/** Bytes worth a read back before the end: fewer would be many small reads for the same work. */
const STEP_BYTES = 4 * 1024 * 1024;
const STOPPED = new Error('stopped');

export class HashBehind {
  private target: number;
  private running: Promise<void> | undefined;
  private failure: Error | undefined;
  private stopped = false;
  // Made when the first range is in. The usual 1 MiB pieces: 256 KiB ones queued behind the inflates on the thread
  // pool and doubled what was left after the last byte over a WAN-like link (bench/).
  private buffers: readonly [Buffer, Buffer] | undefined;
  private closed: Promise<void> | undefined;

  private constructor(
    private readonly file: FileHandle,
    private readonly hash: Hash,
    private at: number,
  ) {
    this.target = at;
  }

  /** Hashes the file at path into `hash` from `from`, the offset the hash has reached. */
  static async open(path: string, hash: Hash, from: number): Promise<HashBehind> {
    return new HashBehind(await open(path, 'r'), hash, from);
  }

  /** Bytes [0, bytes) are on disk. */
  reached(bytes: number): void {
    this.target = Math.max(this.target, bytes);
    if (this.running === undefined && !this.stopped && this.failure === undefined && this.target - this.at >= STEP_BYTES)
      this.running = this.run();
  }

  /** Hashes through `bytes` (the whole file, now on disk), closes the file and says how far the hash goes. */
  async finish(bytes: number): Promise<number> {
    try {
      await this.running;
      this.target = bytes;
      if (this.failure === undefined && this.target > this.at) await this.run(true);
      if (this.failure !== undefined) throw this.failure;
      return this.at;
    } finally {
      await this.close();
    }
  }

  /** Stops at the next piece, closes the file and says how far the hash goes (a failed transfer). */
  async stop(): Promise<number> {
    this.stopped = true;
    await this.running;
    await this.close();
    return this.at;
  }

  private close(): Promise<void> {
    return (this.closed ??= this.file.close().catch(() => undefined));
  }

  // `at` moves with each piece hashed, so that however a read ends, the hash covers exactly [0, at).
  private readonly take = (piece: Buffer): void => {
    if (this.stopped) throw STOPPED;
    this.hash.update(piece);
    this.at += piece.length;
  };

  /** Hashes while a step is waiting (all that is left, at the end): a read per write would cost more than it saves. */
  private async run(last = false): Promise<void> {
    this.buffers ??= pieceBuffers();
    try {
      while (!this.stopped && this.failure === undefined && this.target - this.at >= (last ? 1 : STEP_BYTES)) {
        await forEachPiece(this.file.fd, this.at, this.target, this.take, this.buffers);
      }
    } catch (e) {
      if (e !== STOPPED) this.failure = e instanceof Error ? e : new Error(String(e));
    } finally {
      this.running = undefined;
    }
  }
}
