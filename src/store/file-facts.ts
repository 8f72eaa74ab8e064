// Facts about a file on disk that several commands need: its size and its SHA-256, streamed (bundles are large).
import { createHash } from 'node:crypto';
import { stat, type FileHandle } from 'node:fs/promises';
import { forEachPiece, forEachPieceOfFile } from '../util/file-pieces.js';

/** The bundle file's size, or undefined when it is absent. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch {
    return undefined;
  }
}

/** The SHA-256 of a file already open (so it is the file a caller is about to send), read from its start. */
export async function sha256Handle(handle: FileHandle): Promise<string> {
  const hash = createHash('sha256');
  await forEachPiece(handle.fd, 0, undefined, (piece) => hash.update(piece));
  return hash.digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await forEachPieceOfFile(path, 0, (piece) => hash.update(piece));
  return hash.digest('hex');
}
