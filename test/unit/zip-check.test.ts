import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { checkZip } from '../../src/bundle/zip-check.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mdatp-zip-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

async function makeZip(name: string, files: Record<string, Buffer>, stored: readonly string[] = []): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const [entry, data] of Object.entries(files)) zip.addBuffer(data, entry, { compress: !stored.includes(entry) });
  zip.end();
  const path = join(dir, name);
  await pipeline(zip.outputStream, createWriteStream(path));
  return path;
}

/** Descriptors this process has open (Linux); elsewhere undefined, and the Windows smoke suite's renames catch a leak. */
const openFds = async (): Promise<number | undefined> =>
  process.platform === 'linux' ? (await readdir('/proc/self/fd')).length : undefined;

describe('zip check', () => {
  it('passes a complete zip and counts its entries and bytes', async () => {
    const path = await makeZip('ok.zip', { 'a.vdm': randomBytes(300_000), 'b/c.txt': Buffer.from('hello') });
    expect(await checkZip(path)).toEqual({ entries: 2, uncompressedBytes: 300_005, followed: 0 });
  });

  it('closes every file it opened, so the bundle can be renamed and removed at once (Windows)', async () => {
    const path = await makeZip('handles.zip', { 'a.vdm': randomBytes(2_000_000), 'b.vdm': randomBytes(10) });
    const before = await openFds();
    for (let i = 0; i < 5; i++) await checkZip(path);
    expect(await openFds()).toBe(before);
    await rename(path, `${path}.moved`);
    await rm(`${path}.moved`);
  });

  it('fails a flipped byte inside an entry on its CRC-32', async () => {
    const path = await makeZip('flip.zip', { 'a.txt': Buffer.alloc(50_000, 'a') });
    const bytes = await readFile(path);
    // Stored uncompressed by yazl only when asked; deflated bytes of a run of 'a' are few, so flip inside the data.
    bytes[60] = bytes[60]! ^ 0xff;
    await writeFile(path, bytes);
    await expect(checkZip(path)).rejects.toMatchObject({ code: expect.stringMatching(/BUNDLE_(CRC_MISMATCH|NOT_ZIP)/) });
  });

  it('checks stored entries (read in place, not inflated) as well as deflated ones, across many reads', async () => {
    // 2.5 MiB stored: more than two of the check's 1 MiB reads, so the read-ahead's buffer swap is exercised.
    const big = randomBytes(2.5 * 1024 * 1024);
    const path = await makeZip('mixed.zip', { 'big.vdm': big, 'small.vdm': Buffer.from('x'), 'text.txt': Buffer.alloc(70_000, 'a') }, [
      'big.vdm',
      'small.vdm',
    ]);
    const before = await openFds();
    expect(await checkZip(path)).toEqual({ entries: 3, uncompressedBytes: big.length + 1 + 70_000, followed: 0 });
    expect(await openFds()).toBe(before);
  });

  it('fails a flipped byte in a stored entry on its CRC-32, naming the entry', async () => {
    const data = randomBytes(1_500_000);
    const path = await makeZip('flip-stored.zip', { 'a.vdm': Buffer.from('fine'), 'b.vdm': data }, ['a.vdm', 'b.vdm']);
    const bytes = await readFile(path);
    const at = bytes.indexOf(data.subarray(0, 64)) + 1_200_000;
    bytes[at] = bytes[at]! ^ 0x01;
    await writeFile(path, bytes);
    await expect(checkZip(path)).rejects.toMatchObject({ code: 'BUNDLE_CRC_MISMATCH', message: expect.stringContaining('entry b.vdm') });
  });

  it('fails a deflated entry that inflates to more or less than the directory states', async () => {
    const text = Buffer.from('the same line, deflated well\n'.repeat(4000));
    for (const [stated, message] of [
      [text.length - 1, /inflates to more than its stated/],
      [text.length + 1, new RegExp(`inflates to ${text.length} bytes, not its stated`)],
    ] as const) {
      const path = await makeZip(`sized-${stated}.zip`, { 'a.txt': text });
      const bytes = await readFile(path);
      // The central directory record's uncompressed size (offset 24), which the check holds the entry to.
      bytes.writeUInt32LE(stated, bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 24);
      await writeFile(path, bytes);
      await expect(checkZip(path, 'sized')).rejects.toThrow(message);
      await expect(checkZip(path, 'sized')).rejects.toMatchObject({ code: 'BUNDLE_NOT_ZIP' });
    }
  });

  it('fails a truncated zip and an empty one, with the file named', async () => {
    const path = await makeZip('cut.zip', { 'a.vdm': randomBytes(100_000) });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 30));
    await expect(checkZip(path, 'the cut bundle')).rejects.toThrow(/the cut bundle is not a complete zip/);
    const empty = await makeZip('empty.zip', {});
    await expect(checkZip(empty)).rejects.toThrow(/no files in it/);
    const html = join(dir, 'page.zip');
    await writeFile(html, '<html>Service Unavailable</html>');
    await expect(checkZip(html)).rejects.toMatchObject({ code: 'BUNDLE_NOT_ZIP' });
  });
});
