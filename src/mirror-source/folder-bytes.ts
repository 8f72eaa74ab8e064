// A bundle in a mirror reached as a folder (a mounted share): its bytes read from the file, from an offset when the
// file is still the one being resumed (same size and modification time, the folder's validator).
import { createReadStream, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { MirrorError } from '../errors/catalogue.js';
import type { BundleBytes, OpenRequest } from '../upstream/source.js';

const withDump = (stream: Readable): Readable & { dump(): Promise<void> } =>
  Object.assign(stream, {
    dump: (): Promise<void> => {
      stream.destroy();
      return Promise.resolve();
    },
  });

const READ_BYTES = 1024 * 1024;

/** The file's stat when a regular file is there; undefined when nothing is (any other error is the caller's). */
async function regularFile(path: string): Promise<Stats | undefined> {
  const facts = await stat(path).catch((e: NodeJS.ErrnoException) =>
    e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : Promise.reject(e),
  );
  return facts?.isFile() ? facts : undefined;
}

/** undefined when there is no such file (the caller names what is missing). */
export async function openInFolder(path: string, req: OpenRequest): Promise<BundleBytes | undefined> {
  const facts = await regularFile(path);
  if (!facts) return undefined;
  const validator = `"${facts.size.toString(16)}-${Math.floor(facts.mtimeMs).toString(16)}"`;
  const from = pathToFileURL(path).toString();
  const same = req.validator === undefined || req.validator === validator;
  const offset = req.offset ?? 0;
  if (req.end !== undefined) {
    if (!same || req.end > facts.size)
      throw new MirrorError('UPSTREAM_HTTP_STATUS', `${path} changed during a split download; resuming on one connection`, {
        retryable: true,
      });
    const body = withDump(createReadStream(path, { start: offset, end: req.end - 1, highWaterMark: READ_BYTES }));
    return { body, offset, total: facts.size, validator, ranges: false, from };
  }
  // A resume of the same file continues; a changed file (or an offset past its end) starts over.
  const start = same && offset < facts.size ? offset : 0;
  return {
    body: withDump(createReadStream(path, { start, highWaterMark: READ_BYTES })),
    offset: start,
    total: facts.size,
    validator,
    // Read from a local or mounted disk, a bundle gains nothing from several readers.
    ranges: false,
    from,
  };
}

/** A small file (the signed index) read whole, refused past `limit` bytes. */
export async function readFolderFile(path: string, limit: number): Promise<Buffer | 'missing' | 'too-large'> {
  const facts = await regularFile(path);
  if (!facts) return 'missing';
  if (facts.size > limit) return 'too-large';
  return readFile(path);
}
