// Text files people write on Windows: Windows PowerShell 5.1's `Out-File` and `>` write UTF-16 LE with a byte-order
// mark (Microsoft's own settings.ps1 writes settings.json that way, and its downloader reads it back), and Notepad may
// start UTF-8 with one. JSON allows no byte-order mark, so it is read here and removed.
import { open } from 'node:fs/promises';

/** The encoding a UTF-16 byte-order mark names, or UTF-8 (with or without its own mark). */
export function textEncodingOf(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | 'utf-8' {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
}

/** The text of UTF-8 bytes (with or without a byte-order mark) or UTF-16 LE or BE ones (with one), without the mark. */
export const decodeText = (bytes: Uint8Array): string => new TextDecoder(textEncodingOf(bytes)).decode(bytes);

/** A file larger than a text of its kind can be: another file given by mistake (a bundle, a log), not read into memory. */
export class TextFileTooLarge extends Error {
  constructor(
    readonly path: string,
    readonly size: number,
  ) {
    super(`${path} is ${size} bytes`);
  }
}

/**
 * A text file's contents, decoded as decodeText does. Larger than `maxBytes` it is not read (TextFileTooLarge);
 * otherwise it rejects as readFile does (ENOENT, EISDIR, EACCES).
 */
export async function readTextFile(path: string, maxBytes: number): Promise<string> {
  const file = await open(path, 'r');
  try {
    const facts = await file.stat();
    // A folder's size is its listing's; reading it fails with EISDIR, which callers name.
    if (facts.isFile() && facts.size > maxBytes) throw new TextFileTooLarge(path, facts.size);
    return decodeText(await file.readFile());
  } finally {
    await file.close();
  }
}
