// Sends one file from an opened descriptor: the headers (length, ETag, Last-Modified) and the bytes come from the
// same open file, so a bundle renamed over while a client downloads it never mixes two files. (@fastify/send works
// from the path and reopens the file after its stat; range-parser and fresh are the same jshttp pieces it uses.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, fstatSync, openSync, type Stats } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import fresh from 'fresh';
import rangeParser from 'range-parser';
import { closeQuietly, sendBytes } from './send-bytes.js';
import { BoundedCache } from '../util/bounded-cache.js';

const TYPES: Record<string, string> = {
  zip: 'application/zip',
  json: 'application/json; charset=utf-8',
  minisig: 'text/plain; charset=utf-8',
};

export interface Sent {
  readonly status: number;
  readonly bytes: number;
}

function ifRangeMatches(value: string, etag: string, lastModified: Date): boolean {
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  const date = Date.parse(value);
  return !Number.isNaN(date) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(date / 1000);
}

/**
 * On Windows a file being replaced while read is first moved aside (store/fs-safe.ts renameDurably), so its name is
 * missing for the moment between two renames: a reader arriving then waits briefly instead of getting a 404.
 */
const REPLACE_GAP_WAITS_MS = process.platform === 'win32' ? [5, 20, 75] : [];

/**
 * The metadata calls (open, fstat, close) are synchronous, as nginx makes them: each takes microseconds on a local
 * disk, while a thread-pool round trip and a FileHandle per request cost more than the call itself (bench:serve: 304s
 * went from 0.20x to 0.30x of nginx's rate, HEAD from 0.56x to 1.07x). The bytes are read asynchronously.
 */
async function openServed(path: string): Promise<number | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      // The tree guard checks the opened descriptor, so whatever a planted symlink names is opened first: without
      // blocking (a FIFO would wait for a writer and stall every client of this single thread) and without becoming
      // the controlling terminal (a TTY). A regular file ignores both flags; Windows has neither.
      return openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
    } catch (e) {
      const wait = REPLACE_GAP_WAITS_MS[attempt];
      if (wait === undefined || (e as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
      await sleep(wait);
    }
  }
}

/** What a file's headers say about it, derived from its fstat: the same for every request until the file changes. */
interface Validators {
  readonly etag: string;
  readonly lastModified: Date;
  readonly lastModifiedText: string;
  readonly type: string;
}

/**
 * Keyed by path, inode, size and modification time, so a replaced or changed file gets new validators. Formatting them
 * per request was a tenth of a 304's cost (bench:serve).
 */
const validatorCache = new BoundedCache<Validators>(256);

function validatorsFor(path: string, st: Stats): Validators {
  const key = `${path}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
  const known = validatorCache.get(key);
  if (known) return known;
  const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
  return validatorCache.remember(key, {
    // The inode is part of the tag: a rename-replace with the same size and second gets a new ETag.
    etag: `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-${st.ino.toString(16)}"`,
    lastModified,
    lastModifiedText: lastModified.toUTCString(),
    type: TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream',
  });
}

/**
 * Returns undefined when the file does not exist, is not a regular file, or `allowed` refuses it (the caller answers
 * 404). `allowed` sees the open descriptor's fstat: what it approves is what is sent.
 */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  allowed: (st: Stats) => boolean,
): Promise<Sent | undefined> {
  const fd = await openServed(path);
  if (fd === undefined) return undefined;
  let streaming = false;
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !allowed(st)) return undefined;
    const { etag, lastModified, lastModifiedText, type } = validatorsFor(path, st);
    // One writeHead with every header: a setHeader per header cost more than the headers' formatting.
    const headers: string[] = [
      'Accept-Ranges',
      'bytes',
      'ETag',
      etag,
      'Last-Modified',
      lastModifiedText,
      'Cache-Control',
      'no-cache',
      'Content-Type',
      type,
    ];

    if (fresh(req.headers, { etag, 'last-modified': lastModifiedText })) {
      res.writeHead(304, headers);
      res.end();
      return { status: 304, bytes: 0 };
    }

    let start = 0;
    let end = st.size - 1;
    let status = 200;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    if (range && (ifRange === undefined || ifRangeMatches(ifRange, etag, lastModified))) {
      const ranges = rangeParser(st.size, range, { combine: true });
      if (ranges === -1) {
        res.writeHead(416, [...headers, 'Content-Range', `bytes */${st.size}`]);
        res.end();
        return { status: 416, bytes: 0 };
      }
      // Malformed (-2) or several ranges: answer with the whole file, which every client accepts.
      if (Array.isArray(ranges) && ranges.length === 1 && ranges.type === 'bytes') {
        start = ranges[0]!.start;
        end = ranges[0]!.end;
        status = 206;
        headers.push('Content-Range', `bytes ${start}-${end}/${st.size}`);
      }
    }
    const length = st.size === 0 ? 0 : end - start + 1;
    headers.push('Content-Length', String(length));
    res.writeHead(status, headers);
    if (req.method === 'HEAD' || length === 0) {
      res.end();
      return { status, bytes: 0 };
    }
    streaming = true;
    return { status, bytes: await sendBytes(fd, res, start, end) };
  } finally {
    if (!streaming) closeQuietly(fd);
  }
}
