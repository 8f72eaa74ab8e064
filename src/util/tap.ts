// A pass-through stage that sees every chunk on its way (to hash it, count it, report progress) without changing it.
import { Transform } from 'node:stream';

export const tap = (see: (chunk: Buffer) => void): Transform =>
  new Transform({
    transform(chunk: Buffer, _enc, done) {
      see(chunk);
      done(null, chunk);
    },
  });
