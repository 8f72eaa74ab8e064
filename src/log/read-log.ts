// Reading the run log back: the rotated files oldest first, lines since a time, and new lines as they are appended
// (across a rotation). The lines are the JSON pino wrote; formatting them is the caller's business.
import { watch } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { createReadStream } from 'node:fs';

/** file.N-1 … file.1, file: the ones that exist, oldest first. */
export async function rotatedFiles(file: string, files: number): Promise<string[]> {
  const names = [...Array.from({ length: files - 1 }, (_, i) => `${file}.${files - 1 - i}`), file];
  const present = await Promise.all(
    names.map((n) =>
      stat(n).then(
        () => n,
        () => undefined,
      ),
    ),
  );
  return present.filter((n): n is string => n !== undefined);
}

/** Whether a log line is at or after `since` (a line that is not one of ours is kept). */
function lineSince(line: string, since: number | undefined): boolean {
  if (since === undefined) return true;
  try {
    const time = Date.parse(String((JSON.parse(line) as { time?: unknown }).time));
    return Number.isNaN(time) || time >= since;
  } catch {
    return true;
  }
}

/** The lines of the files in order; the last file is read up to `lastEnd` bytes (where following it takes over). */
export async function* readLines(files: readonly string[], since: number | undefined, lastEnd?: number): AsyncGenerator<string> {
  for (const [i, file] of files.entries()) {
    const end = i === files.length - 1 && lastEnd !== undefined ? lastEnd : undefined;
    if (end === 0) continue;
    const input = createReadStream(file, end === undefined ? {} : { end: end - 1 });
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (line && lineSince(line, since)) yield line;
    }
  }
}

/**
 * Calls onLine for each line appended to `file` from `from` on, until the signal aborts; a file that shrinks (rotated
 * by the next run) is read again from its start.
 */
export async function followLines(file: string, from: number, onLine: (line: string) => void, signal: AbortSignal): Promise<void> {
  let position = from;
  let partial = '';
  let reading = Promise.resolve();
  const readNew = async (): Promise<void> => {
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size < position) position = 0;
    if (size === position) return;
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read({ buffer: Buffer.alloc(size - position), position });
      position += bytesRead;
      const lines = (partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line) onLine(line);
    } finally {
      await handle.close();
    }
  };
  // The folder, not the file: a rotation renames the file away and a new one appears under the same name.
  const watcher = watch(dirname(file), (_event, name) => {
    if (name === null || name === basename(file)) reading = reading.then(readNew, readNew);
  });
  await new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
  watcher.close();
  await reading.catch(() => undefined);
}
