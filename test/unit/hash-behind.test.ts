import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashBehind } from '../../src/download/hash-behind.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-hash-behind-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('hash behind a split download', () => {
  it('hashes the file from an offset as it is reached, and the rest at the end, into the hash of the whole file', async () => {
    const data = randomBytes(13 * 1024 * 1024 + 77);
    const path = join(dir, 'whole.zip');
    await writeFile(path, data);
    const first = 3 * 1024 * 1024 + 5;
    const hash = createHash('sha256').update(data.subarray(0, first));
    const behind = await HashBehind.open(path, hash, first);
    for (let at = first; at < data.length; at += 700_001) behind.reached(Math.min(at, data.length));
    expect(await behind.finish(data.length)).toBe(data.length);
    expect(hash.digest('hex')).toBe(sha(data));
  });

  it('says exactly how far the hash goes when stopped part way (a failed transfer keeps that much)', async () => {
    const data = randomBytes(12 * 1024 * 1024);
    const path = join(dir, 'cut.zip');
    await writeFile(path, data);
    const hash = createHash('sha256');
    const behind = await HashBehind.open(path, hash, 0);
    behind.reached(data.length);
    const at = await behind.stop();
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThanOrEqual(data.length);
    expect(hash.digest('hex')).toBe(sha(data.subarray(0, at)));
  });

  it('fails its finish when the file is shorter than the bytes it was told of', async () => {
    const path = join(dir, 'short.zip');
    await writeFile(path, randomBytes(1024));
    const behind = await HashBehind.open(path, createHash('sha256'), 0);
    await expect(behind.finish(4096)).rejects.toThrow(/unexpected end of file/);
  });
});
