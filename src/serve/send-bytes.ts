// Sends a byte range of an open file through two buffers that each response reuses: the next piece is read while the
// last one is written, and nothing is allocated per piece. A read stream piped into the response allocated a new
// 256 KiB buffer per read, and with 64 clients the server's memory was mostly buffers waiting for the garbage
// collector (bench:serve).
import { closeSync, read } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';

const PIECE_BYTES = 256 * 1024;

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or gone: nothing is left to release.
  }
}

function readAt(fd: number, into: Buffer, length: number, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, into, 0, length, position, (e, n) => (e ? reject(e) : resolve(n))));
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
 * bytes the socket took. A read error or a client that leaves ends the response early (the client sees a short body).
 */
export async function sendBytes(fd: number, res: ServerResponse, start: number, end: number): Promise<number> {
  const buffers = [Buffer.allocUnsafe(PIECE_BYTES), Buffer.allocUnsafe(PIECE_BYTES)] as const;
  let position = start;
  let sent = 0;
  let turn = 0;
  let reading: Promise<number> | undefined = readAt(fd, buffers[0], Math.min(PIECE_BYTES, end - position + 1), position);
  try {
    while (reading) {
      const n = await reading;
      reading = undefined;
      // The file cannot shrink under a descriptor we hold unless it is truncated in place, which the tree writer never does.
      if (n === 0) throw new Error('the file ended early');
      const piece = buffers[turn]!.subarray(0, n);
      position += n;
      if (position <= end) {
        turn = 1 - turn;
        reading = readAt(fd, buffers[turn]!, Math.min(PIECE_BYTES, end - position + 1), position);
      }
      await writePiece(res, piece);
      sent += n;
    }
    res.end();
    await finished(res);
  } catch {
    res.destroy();
  } finally {
    // A read still running must finish before its descriptor is closed (the number could be reused meanwhile).
    await reading?.catch(() => undefined);
    closeQuietly(fd);
  }
  return sent;
}
