// Following a zip while it is written: what it finds is used only where the central directory agrees, so a wrong
// or missing finding can slow the check down but never let a bad zip through.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { checkZip } from '../../src/bundle/zip-check.js';
import { ZipFollower, type FollowedEntry } from '../../src/bundle/zip-follower.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-follow-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** A zip like a bundle: a compressible entry, an incompressible one, a stored one. */
async function bundleLike(name: string, viaStreams = false): Promise<string> {
  const zip = new yazl.ZipFile();
  const engine = Buffer.alloc(600_000, 0x5a);
  randomBytes(300_000).copy(engine);
  const files: [string, Buffer, boolean][] = [
    ['mpengine.bin', engine, true],
    ['mpavbase.vdm', randomBytes(400_000), true],
    ['versions.txt', Buffer.from('signatures=1.2.3.4\n'), false],
  ];
  for (const [entry, data, compress] of files) {
    // Streams make yazl write the sizes after the data (a data descriptor), as it does for the simulator's bundles.
    if (viaStreams && compress)
      zip.addReadStream((await import('node:stream')).Readable.from([data]), entry, { compress, size: data.length });
    else zip.addBuffer(data, entry, { compress });
  }
  zip.end();
  const path = join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

/** Writes `source` into `target` in pieces, telling the follower after each, as a download does. */
async function arrive(source: string, target: string, pieceBytes: number): Promise<Map<number, FollowedEntry>> {
  const bytes = await readFile(source);
  await writeFile(target, '');
  const follower = await ZipFollower.start(target, 1 << 30);
  for (let at = 0; at < bytes.length; at += pieceBytes) {
    await appendFile(target, bytes.subarray(at, at + pieceBytes));
    follower.advance(Math.min(bytes.length, at + pieceBytes));
  }
  return new Map(await follower.finish(bytes.length));
}

const openFds = async (): Promise<number | undefined> =>
  process.platform === 'linux' ? (await readdir('/proc/self/fd')).length : undefined;

describe('ZipFollower', () => {
  it('follows every entry as the bytes arrive, sizes in the headers or after the data, and checkZip takes them all', async () => {
    for (const viaStreams of [false, true]) {
      const zip = await bundleLike(`whole-${viaStreams}.zip`, viaStreams);
      const target = join(dir, `arriving-${viaStreams}.zip`);
      const fds = await openFds();
      const followed = await arrive(zip, target, 64 * 1024 + 7);
      expect(await openFds()).toBe(fds);
      expect(followed.size).toBe(3);
      const summary = await checkZip(target, target, { followed });
      expect(summary).toMatchObject({ entries: 3, followed: 3 });
      expect(summary).toEqual({ ...(await checkZip(target)), followed: 3 });
    }
  });

  it('a followed CRC the directory does not confirm is refused, not trusted', async () => {
    const zip = await bundleLike('forged.zip');
    const followed = await arrive(zip, join(dir, 'forged-arriving.zip'), 1 << 20);
    const [offset, entry] = [...followed][0]!;
    followed.set(offset, { ...entry, crc32: (entry.crc32 ^ 1) >>> 0 });
    await expect(checkZip(join(dir, 'forged-arriving.zip'), 'forged', { followed })).rejects.toThrow(/fails its CRC-32 check/);
  });

  it('a flipped byte in a deflated entry is refused whether or not following got through it', async () => {
    const zip = await bundleLike('flip.zip', true);
    const bytes = await readFile(zip);
    bytes[400_000] = bytes[400_000]! ^ 0xff;
    await writeFile(zip, bytes);
    const target = join(dir, 'flip-arriving.zip');
    const followed = await arrive(zip, target, 100_000);
    await expect(checkZip(target, 'flipped', { followed })).rejects.toThrow(/CRC-32|damaged|not a complete zip/);
  });

  it('an abandoned follower keeps nothing and closes the file; a cut-off file hands over only whole entries', async () => {
    const zip = await bundleLike('cut.zip');
    const bytes = await readFile(zip);
    const target = join(dir, 'cut-arriving.zip');
    await writeFile(target, bytes.subarray(0, 500_000));
    const fds = await openFds();
    const abandoned = await ZipFollower.start(target, 1 << 30);
    abandoned.advance(500_000);
    await abandoned.abandon();
    expect(await openFds()).toBe(fds);
    const cut = await ZipFollower.start(target, 1 << 30);
    const found = await cut.finish(500_000);
    // Only entries that lay wholly in the bytes it saw.
    for (const e of found.values()) expect(e.dataStart + e.compressedSize).toBeLessThanOrEqual(500_000);
    await expect(checkZip(target, 'cut', { followed: found })).rejects.toThrow(/not a complete zip/);
  });
});
