// Sends a byte range of an open file through one buffer that the response reuses: nothing is allocated per piece. A
// read stream piped into the response allocated a new buffer per read, and with 64 clients the server's memory was
// mostly buffers waiting for the garbage collector (bench:serve). Pieces are read on the serving thread while the
// disk answers fast (read-policy.ts).
import { closeSync, readSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { readAt } from '../util/file-pieces.js';
import { ReadPolicy } from './read-policy.js';

/** 128 KiB pieces cost throughput; 512 KiB ones measured no faster and hold twice the memory per client. */
const SEND_PIECE_BYTES = 256 * 1024;

const policy = new ReadPolicy();

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or gone: nothing is left to release.
  }
}

/** A piece read on this thread, or the promise of one read off it (not an async function: no promise per piece). */
function readPiece(fd: number, buffer: Buffer, length: number, position: number): Buffer | Promise<Buffer> {
  const started = performance.now();
  if (!policy.readOnThread(started)) return readAt(fd, buffer, length, position);
  const piece = buffer.subarray(0, readSync(fd, buffer, 0, length, position));
  const now = performance.now();
  policy.tookMs(now - started, now);
  return piece;
}

/** Resolves once the socket has taken the piece (its buffer may then be reused); rejects if the client goes away. */
function writePiece(res: ServerResponse, piece: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (res.destroyed) return reject(new Error('the client went away'));
    const gone = (): void => reject(new Error('the client went away'));
    res.once('close', gone);
    res.write(piece, (e) => {
      res.off('close', gone);
      if (e) reject(e);
      else resolve();
    });
  });
}

/**
 * Sends bytes start..end (inclusive) of the file and ends the response; closes the descriptor when done. Returns the
 * bytes the socket took. A read error, a file that ends early or a client that leaves ends the response early (the
 * client sees a short body).
 */
export async function sendBytes(fd: number, res: ServerResponse, start: number, end: number): Promise<number> {
  const buffer = Buffer.allocUnsafeSlow(Math.min(SEND_PIECE_BYTES, end + 1 - start));
  let sent = 0;
  try {
    for (let at = start; at <= end;) {
      const read = readPiece(fd, buffer, Math.min(buffer.length, end + 1 - at), at);
      const piece = read instanceof Promise ? await read : read;
      if (piece.length === 0) throw new Error(`unexpected end of file at offset ${at}`);
      await writePiece(res, piece);
      at += piece.length;
      sent += piece.length;
    }
    res.end();
    await finished(res);
  } catch {
    res.destroy();
  } finally {
    // No read is left running: each was awaited before the next piece or the error.
    closeQuietly(fd);
  }
  return sent;
}
