// A file in a mirror reached as a folder (a mounted share), answered the way an HTTP server would: 200 with a
// validator, 206 for a Range that still matches it, 404 when absent. So the download pipeline (resume included)
// treats a folder and a URL alike.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { SourceResponse } from '../upstream/source.js';

const withDump = (stream: Readable): Readable & { dump(): Promise<void> } =>
  Object.assign(stream, {
    dump: (): Promise<void> => {
      stream.destroy();
      return Promise.resolve();
    },
  });

export async function fileResponse(path: string, headers: Record<string, string> = {}): Promise<SourceResponse> {
  const finalUrl = pathToFileURL(path);
  const facts = await stat(path).catch((e: NodeJS.ErrnoException) =>
    e.code === 'ENOENT' || e.code === 'ENOTDIR' ? undefined : Promise.reject(e),
  );
  if (!facts?.isFile()) return { statusCode: 404, headers: {}, body: withDump(Readable.from([])), finalUrl };
  const etag = `"${facts.size.toString(16)}-${Math.floor(facts.mtimeMs).toString(16)}"`;
  const range = /^bytes=(\d+)-$/.exec(headers['range'] ?? '');
  const start = range ? Number(range[1]) : 0;
  if (range && headers['if-range'] === etag && start < facts.size) {
    return {
      statusCode: 206,
      headers: { etag, 'content-range': `bytes ${start}-${facts.size - 1}/${facts.size}`, 'content-length': String(facts.size - start) },
      body: withDump(createReadStream(path, { start, highWaterMark: 1024 * 1024 })),
      finalUrl,
    };
  }
  return {
    statusCode: 200,
    headers: { etag, 'content-length': String(facts.size) },
    body: withDump(createReadStream(path, { highWaterMark: 1024 * 1024 })),
    finalUrl,
  };
}
