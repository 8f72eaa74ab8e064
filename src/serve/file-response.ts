// Sends one file: a body only from an opened descriptor, whose fstat the headers (length, ETag, Last-Modified) come
// from, so a bundle renamed over while a client downloads it never mixes two files. (@fastify/send works
// from the path and reopens the file after its stat; range-parser and fresh are the same jshttp pieces it uses.)
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, fstatSync, openSync, statSync, type Stats } from 'node:fs';
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
  /** The file and the byte range [start, end] a body was sent from (fleet adoption counts whole files). */
  readonly body?: { readonly size: number; readonly ino: number; readonly start: number; readonly end: number };
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
 * disk, while a thread-pool round trip and a FileHandle per request cost more than the call itself (half again as many
 * 304s per second, twice the HEADs, in bench:serve). The bytes go out through send-bytes.ts.
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

/** What a file's headers say about it, derived from its stat: the same for every request until the file changes. */
interface Validators {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly etag: string;
  readonly lastModified: Date;
  readonly lastModifiedText: string;
  /** The headers every answer about this file carries (a 304 sends exactly these): one array, never changed. */
  readonly headers: readonly string[];
}

/**
 * By path, checked against the file's inode, size and modification time, so a replaced or changed file gets new
 * validators. Formatting them per request was a tenth of a 304's cost, and formatting a key from the numbers to look
 * them up most of what was left of it (bench:serve).
 */
const validatorCache = new BoundedCache<string, Validators>(256);

function validatorsFor(path: string, st: Stats): Validators {
  const known = validatorCache.get(path);
  if (known && known.ino === st.ino && known.size === st.size && known.mtimeMs === st.mtimeMs) return known;
  const lastModified = new Date(Math.floor(st.mtimeMs / 1000) * 1000);
  const lastModifiedText = lastModified.toUTCString();
  // The inode is part of the tag: a rename-replace with the same size and second gets a new ETag.
  const etag = `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-${st.ino.toString(16)}"`;
  const type = TYPES[path.split('.').pop() ?? ''] ?? 'application/octet-stream';
  return validatorCache.remember(path, {
    ino: st.ino,
    size: st.size,
    mtimeMs: st.mtimeMs,
    etag,
    lastModified,
    lastModifiedText,
    // One writeHead with every header: a setHeader per header cost more than the headers' formatting.
    headers: ['Accept-Ranges', 'bytes', 'ETag', etag, 'Last-Modified', lastModifiedText, 'Cache-Control', 'no-cache', 'Content-Type', type],
  });
}

/** The answer a request gets about one file, decided from its stat alone. */
interface Answer {
  readonly status: number;
  readonly headers: readonly string[];
  /** The byte range to send; undefined when the answer has no body (304, 416, HEAD, an empty file). */
  readonly body: { readonly start: number; readonly end: number } | undefined;
}

function answerFor(req: IncomingMessage, path: string, st: Stats): Answer {
  const v = validatorsFor(path, st);
  if (fresh(req.headers, { etag: v.etag, 'last-modified': v.lastModifiedText }))
    return { status: 304, headers: v.headers, body: undefined };

  let start = 0;
  let end = st.size - 1;
  let status = 200;
  const headers = [...v.headers];
  const range = req.headers.range;
  const ifRange = req.headers['if-range'] as string | undefined;
  if (range && (ifRange === undefined || ifRangeMatches(ifRange, v.etag, v.lastModified))) {
    const ranges = rangeParser(st.size, range, { combine: true });
    if (ranges === -1) {
      headers.push('Content-Range', `bytes */${st.size}`);
      return { status: 416, headers, body: undefined };
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
  return { status, headers, body: req.method === 'HEAD' || length === 0 ? undefined : { start, end } };
}

function answerWithoutBody(res: ServerResponse, answer: Answer): Sent {
  // Node reads the array and keeps no reference to it: the cached 304 headers stay as they are.
  res.writeHead(answer.status, answer.headers as string[]);
  res.end();
  return { status: answer.status, bytes: 0 };
}

/** The path's stat when it names a regular file this server has opened and found inside the tree before. */
function statKnown(path: string, tree: ServedTree): Stats | undefined {
  try {
    const st = statSync(path, { throwIfNoEntry: false });
    return st?.isFile() && tree.knows(st) ? st : undefined;
  } catch {
    return undefined;
  }
}

/** Where served files must lie (tree-guard.ts). */
export interface ServedTree {
  /** Whether a file with this identity was opened and found inside the tree before: no file-system call. */
  knows(st: Stats): boolean;
  /** Checks the file whose descriptor was opened (st is its fstat) and remembers it when it lies inside the tree. */
  contains(path: string, st: Stats): boolean;
}

/**
 * Returns undefined when the file does not exist, is not a regular file, or lies outside the tree (the caller answers
 * 404). An answer without a body (a fleet's 304s, HEADs) for a file already opened and checked needs only the path's
 * stat: one system call instead of open, fstat and close. Bytes are only ever sent from a descriptor whose fstat
 * the headers come from.
 */
export async function sendFile(req: IncomingMessage, res: ServerResponse, path: string, tree: ServedTree): Promise<Sent | undefined> {
  const known = statKnown(path, tree);
  if (known) {
    const answer = answerFor(req, path, known);
    if (!answer.body) return answerWithoutBody(res, answer);
  }

  const fd = await openServed(path);
  if (fd === undefined) return undefined;
  let streaming = false;
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || !tree.contains(path, st)) return undefined;
    const answer = answerFor(req, path, st);
    if (!answer.body) return answerWithoutBody(res, answer);
    res.writeHead(answer.status, answer.headers as string[]);
    streaming = true;
    const { start, end } = answer.body;
    return { status: answer.status, bytes: await sendBytes(fd, res, start, end), body: { size: st.size, ino: st.ino, start, end } };
  } finally {
    if (!streaming) closeQuietly(fd);
  }
}
