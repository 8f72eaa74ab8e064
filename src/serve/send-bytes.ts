// Sends a byte range of an open file through two buffers that each response reuses (util/file-pieces.ts): the next
// piece is read while the last one is written, and nothing is allocated per piece. A read stream piped into the
// response allocated a new 256 KiB buffer per read, and with 64 clients the server's memory was mostly buffers waiting
// for the garbage collector (bench:serve).
import { closeSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { finished } from 'node:stream/promises';
import { forEachPiece, pieceBuffers } from '../util/file-pieces.js';

/** 128 KiB pieces kept the peak under 150 MiB but cost throughput; 1 MiB ones would hold 128 MiB for 64 clients. */
const SEND_PIECE_BYTES = 256 * 1024;

export function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed or gone: nothing is left to release.
  }
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
  let sent = 0;
  try {
    await forEachPiece(
      fd,
      start,
      end + 1,
      async (piece) => {
        await writePiece(res, piece);
        sent += piece.length;
      },
      pieceBuffers(SEND_PIECE_BYTES),
    );
    res.end();
    await finished(res);
  } catch {
    res.destroy();
  } finally {
    // forEachPiece has let its last read finish, so the descriptor's number cannot be reused under it.
    closeQuietly(fd);
  }
  return sent;
}
