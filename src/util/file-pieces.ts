// Reading a large file front to back (a hash, a CRC): into two buffers reused for the whole read, the next piece read
// while the last one is handled. A read stream allocates a new chunk per read and leaves each for the garbage
// collector; for the same bytes this takes less time and holds no dead chunks (bench/zip-probe).
import { read } from 'node:fs';
import { open } from 'node:fs/promises';

/** One read's worth: large reads make a pass over a bundle several times faster than Node's 64 KiB default. */
export const PIECE_BYTES = 1024 * 1024;

/** A pair of buffers one reader may keep across several reads (zip entries, one after another). */
export const pieceBuffers = (bytes = PIECE_BYTES): readonly [Buffer, Buffer] => [Buffer.allocUnsafe(bytes), Buffer.allocUnsafe(bytes)];

/** One read at an offset, through libuv's thread pool: the bytes read, as a view of `into`. */
export function readAt(fd: number, into: Buffer, length: number, position: number): Promise<Buffer> {
  return new Promise((resolve, reject) => read(fd, into, 0, length, position, (e, n) => (e ? reject(e) : resolve(into.subarray(0, n)))));
}

/**
 * Hands each piece of bytes [start, end) of an open file to `onPiece`, which must be done with it when it returns (the
 * buffer is then reused). Without `end`, reads to the end of the file. A file that ends before `end` fails with the
 * offset where it ended. Resolves with the bytes read.
 */
export async function forEachPiece(
  fd: number,
  start: number,
  end: number | undefined,
  onPiece: (piece: Buffer) => void,
  buffers: readonly [Buffer, Buffer] = pieceBuffers(),
): Promise<number> {
  const wanted = (at: number, buffer: Buffer): number => (end === undefined ? buffer.length : Math.min(buffer.length, end - at));
  let at = start;
  let turn = 0;
  let next: Promise<Buffer> | undefined = end === undefined || end > start ? readAt(fd, buffers[0], wanted(at, buffers[0]), at) : undefined;
  try {
    while (next) {
      const piece = await next;
      next = undefined;
      if (piece.length === 0) {
        if (end === undefined) break;
        throw new Error(`unexpected end of file at offset ${at}`);
      }
      at += piece.length;
      turn ^= 1;
      if (end === undefined || at < end) next = readAt(fd, buffers[turn]!, wanted(at, buffers[turn]!), at);
      onPiece(piece);
    }
  } finally {
    // A piece handler that throws (a limit, a stop) leaves a read running: it must finish before the caller closes the
    // file (the descriptor's number could be reused) or hands the buffers to the next read.
    await next?.catch(() => undefined);
  }
  return at - start;
}

/** forEachPiece over a file given by path, from `start` to its end: opened for the read, closed after. */
export async function forEachPieceOfFile(path: string, start: number, onPiece: (piece: Buffer) => void): Promise<number> {
  const file = await open(path, 'r');
  try {
    return await forEachPiece(file.fd, start, undefined, onPiece);
  } finally {
    await file.close();
  }
}
