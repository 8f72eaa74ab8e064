import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachPiece, forEachPieceOfFile, PIECE_BYTES } from '../../src/util/file-pieces.js';

let dir: string;
let path: string;
// Two and a half pieces: the read-ahead swaps buffers more than once, and the last piece is short.
const data = randomBytes(PIECE_BYTES * 2.5);
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-pieces-'));
  path = join(dir, 'file.bin');
  await writeFile(path, data);
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function withFile<T>(use: (fd: number) => Promise<T>): Promise<T> {
  const file = await open(path, 'r');
  try {
    return await use(file.fd);
  } finally {
    await file.close();
  }
}

describe('forEachPiece', () => {
  it('hands over every byte of a range in order, and to the end of the file without one', async () => {
    const hash = createHash('sha256');
    const start = 1000;
    const end = PIECE_BYTES * 2 + 5;
    expect(await withFile((fd) => forEachPiece(fd, start, end, (p) => hash.update(p)))).toBe(end - start);
    expect(hash.digest('hex')).toBe(sha(data.subarray(start, end)));

    const rest = createHash('sha256');
    expect(await withFile((fd) => forEachPiece(fd, 7, undefined, (p) => rest.update(p)))).toBe(data.length - 7);
    expect(rest.digest('hex')).toBe(sha(data.subarray(7)));
  });

  it('reads a file given by its path to the end, opening and closing it', async () => {
    const hash = createHash('sha256');
    expect(await forEachPieceOfFile(path, 7, (p) => hash.update(p))).toBe(data.length - 7);
    expect(hash.digest('hex')).toBe(sha(data.subarray(7)));
  });

  it('reads nothing for an empty range', async () => {
    let pieces = 0;
    expect(await withFile((fd) => forEachPiece(fd, 10, 10, () => pieces++))).toBe(0);
    expect(pieces).toBe(0);
  });

  it('fails where the file ends before the range does', async () => {
    await expect(withFile((fd) => forEachPiece(fd, 0, data.length + 100, () => undefined))).rejects.toThrow(
      `unexpected end of file at offset ${data.length}`,
    );
  });

  it('stops at a handler that throws, once the read under way has finished', async () => {
    let pieces = 0;
    const stop = (): void => {
      pieces++;
      throw new Error('limit reached');
    };
    await expect(withFile((fd) => forEachPiece(fd, 0, undefined, stop))).rejects.toThrow('limit reached');
    expect(pieces).toBe(1);
  });
});
