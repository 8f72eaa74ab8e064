import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TextFileTooLarge, decodeText, readTextFile } from '../../src/util/text-file.js';

const withMark = (mark: number[], body: Buffer): Buffer => Buffer.concat([Buffer.from(mark), body]);

describe('text files as Windows tools write them', () => {
  const text = '{ "downloadFolder": "C:\\\\Données" }\r\n';
  it.each([
    ['UTF-8', Buffer.from(text, 'utf8')],
    ['UTF-8 with a byte-order mark (Notepad)', withMark([0xef, 0xbb, 0xbf], Buffer.from(text, 'utf8'))],
    ['UTF-16 LE with a byte-order mark (Windows PowerShell 5.1 Out-File)', withMark([0xff, 0xfe], Buffer.from(text, 'utf16le'))],
    ['UTF-16 BE with a byte-order mark', withMark([0xfe, 0xff], Buffer.from(text, 'utf16le').swap16())],
  ])('%s', (_, bytes) => {
    expect(decodeText(bytes)).toBe(text);
  });

  it('leaves an empty file empty, and bytes that are not UTF-8 visible as replacement characters', () => {
    expect(decodeText(Buffer.alloc(0))).toBe('');
    expect(decodeText(Buffer.from([0x7b, 0xe9, 0x7d]))).toBe('{\uFFFD}');
  });
});

describe('reading a text file', () => {
  it('reads up to the limit, and refuses a larger file without reading it into memory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'text-file-'));
    try {
      const file = join(dir, 'settings.json');
      await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}', 'utf16le')]));
      expect(await readTextFile(file, 6)).toBe('{}');
      const error = await readTextFile(file, 5).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TextFileTooLarge);
      expect(error).toMatchObject({ path: file, size: 6 });
      await expect(readTextFile(dir, 1024)).rejects.toMatchObject({ code: 'EISDIR' });
      await expect(readTextFile(join(dir, 'missing.json'), 1024)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
