// Text files people write on Windows: Windows PowerShell 5.1's `Out-File` and `>` write UTF-16 LE with a byte-order
// mark (Microsoft's own settings.ps1 writes settings.json that way, and its downloader reads it back), and Notepad may
// start UTF-8 with one. JSON allows no byte-order mark, so it is read here and removed.
import { readFile } from 'node:fs/promises';

/** The text of UTF-8 bytes (with or without a byte-order mark) or UTF-16 LE or BE ones (with one), without the mark. */
export function decodeText(bytes: Uint8Array): string {
  const encoding = bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : 'utf-8';
  return new TextDecoder(encoding).decode(bytes);
}

/** A text file's contents, decoded as decodeText does; rejects as readFile does (ENOENT, EISDIR, EACCES). */
export const readTextFile = async (path: string): Promise<string> => decodeText(await readFile(path));
