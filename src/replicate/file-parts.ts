// Sends a local file to object storage in parts (S3 parts, Azure blocks), reading each part straight into one of a
// few buffers reused for the whole file. lib-storage gathered 1 MiB reads into a fresh buffer a read longer than the
// part and cut it there, so each part in flight held more than a part and every read became garbage: publish's peak
// was mostly those (bench:publish). The file's bytes are hashed as they are read, and the last part is sent only
// once everything read hashed to what the tree recorded, so a file that changed or rotted on disk since it was
// verified is never committed (the caller commits only after this resolves).
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { MirrorError } from '../errors/catalogue.js';
import { PART_BYTES, PARTS_IN_FLIGHT, type LocalObject } from './object-store.js';

export interface FilePart {
  /** From 1, as S3 numbers parts. */
  readonly number: number;
  readonly bytes: Buffer;
}

/** How many parts a file of `size` bytes is sent in (an empty file is one empty part). */
export const partCount = (size: number): number => Math.max(1, Math.ceil(size / PART_BYTES));

/**
 * Calls `send` for each part, in order (each call starts before the next part is read, so a sender may fold the
 * parts into a running hash before its first await), with up to PARTS_IN_FLIGHT unsettled. A part's buffer is reused
 * once its send settles. The first failure stops the reading; what is in flight settles before it is thrown.
 */
export async function sendInParts(object: LocalObject, send: (part: FilePart) => Promise<void>, signal?: AbortSignal): Promise<void> {
  const file = await open(object.path, 'r');
  const free = Array.from({ length: Math.min(PARTS_IN_FLIGHT, partCount(object.size)) }, () =>
    Buffer.allocUnsafeSlow(Math.min(PART_BYTES, object.size)),
  );
  const inFlight = new Set<Promise<void>>();
  const hash = createHash('sha256');
  let failure: Error | undefined;
  try {
    for (let number = 1, at = 0; number <= partCount(object.size) && failure === undefined; number++) {
      signal?.throwIfAborted();
      while (free.length === 0) await Promise.race(inFlight);
      if (failure !== undefined) break;
      const buffer = free.pop()!;
      const bytes = await readPart(file, buffer, Math.min(PART_BYTES, object.size - at), at, object);
      hash.update(bytes);
      at += bytes.length;
      if (at === object.size) checkWhole(object, hash.digest('hex'));
      const sent: Promise<void> = send({ number, bytes })
        .catch((e: unknown) => {
          failure ??= e instanceof Error ? e : new Error(String(e));
        })
        .finally(() => {
          inFlight.delete(sent);
          free.push(buffer);
        });
      inFlight.add(sent);
    }
  } finally {
    await Promise.all(inFlight);
    await file.close();
  }
  if (failure !== undefined) throw failure;
}

async function readPart(file: FileHandle, buffer: Buffer, length: number, position: number, object: LocalObject): Promise<Buffer> {
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) throw changed(object, `it ends at ${position + filled} bytes`);
    filled += bytesRead;
  }
  return buffer.subarray(0, length);
}

function checkWhole(object: LocalObject, sha256: string): void {
  if (sha256 !== object.sha256) throw changed(object, `its ${object.size} bytes hash to ${sha256}`);
}

const changed = (object: LocalObject, found: string): MirrorError =>
  new MirrorError(
    'REPLICA_FAILED',
    `${object.path} no longer matches what the tree recorded (${found}; expected ${object.size} bytes, sha256 ${object.sha256}): not published. Run \`mdatp-mirror status --verify\` and download again.`,
  );
