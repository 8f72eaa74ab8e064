// Reads a local file for upload and fails at its end when the bytes do not hash to what the tree recorded, so a
// file that changed or rotted on disk since it was verified never becomes a committed object.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline, Transform, type Readable } from 'node:stream';
import { MirrorError } from '../errors/catalogue.js';
import { chunksDone } from '../util/dead-buffers.js';
import type { LocalObject } from './object-store.js';

export function verifiedRead(object: LocalObject, chunkBytes: number): Readable {
  const hash = createHash('sha256');
  let size = 0;
  const check = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      chunksDone(chunk.length);
      size += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const sha256 = hash.digest('hex');
      if (size === object.size && sha256 === object.sha256) return done();
      done(
        new MirrorError(
          'REPLICA_FAILED',
          `${object.path} no longer matches what the tree recorded (${size} bytes, sha256 ${sha256}; expected ${object.size}, ${object.sha256}): not published. Run \`mdatp-mirror status --verify\` and download again.`,
        ),
      );
    },
  });
  // pipeline, not pipe: a reader that stops early (a failed upload) also closes the file, which on Windows would
  // otherwise block the next rename of that bundle. Errors reach the reader through `check`.
  return pipeline(createReadStream(object.path, { highWaterMark: chunkBytes }), check, () => undefined);
}
