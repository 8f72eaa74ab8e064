// `mdatp-mirror log [--since 2h] [--follow]`: the run log (logFilePath and its rotated files) as a person reads it,
// with the pino-pretty the tool already ships; --json prints the raw lines.
import { stat } from 'node:fs/promises';
import { usageError } from '../../errors/catalogue.js';
import { followLines, readLines, rotatedFiles } from '../../log/read-log.js';
import { loadSettings } from '../../settings/load.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { stopRequested } from '../signals.js';
import { colourEnabled } from '../../util/colour.js';
import { prettyLine } from '../../log/pretty.js';

export interface LogOptions extends GlobalOptions {
  readonly since?: string;
  readonly follow?: boolean;
}

export async function log(o: LogOptions, io: CommandIo): Promise<number> {
  const sinceMs = o.since === undefined ? undefined : parseDuration(o.since);
  if (o.since !== undefined && sinceMs === undefined) throw usageError(`--since ${o.since}: write a duration like 30m, 2h or 1d.`);
  const settings = await loadSettings({ settingsFile: o.settings }, io);
  const file = settings.logFilePath;
  const format = o.json
    ? (line: string): string => `${line}\n`
    : await prettyLine({ colour: colourEnabled(io.env, io.stdout), translateTime: 'SYS:yyyy-mm-dd HH:MM:ss' });
  const files = await rotatedFiles(file, settings.logFiles);
  if (files.length === 0 && !o.follow) {
    io.stderr.write(`no log yet at ${file} (logFilePath): it is written by download, schedule and import.\n`);
    return 0;
  }
  const since = sinceMs === undefined ? undefined : io.now().getTime() - sinceMs;
  // Where reading stops and following starts: a line written meanwhile is printed once, by the follower.
  const from = await stat(file).then(
    (s) => s.size,
    () => 0,
  );
  const current = files.at(-1) === file;
  for await (const line of readLines(files, since, current ? from : undefined)) io.stdout.write(format(line));
  if (!o.follow) return 0;
  const stop = new AbortController();
  void stopRequested().then(() => stop.abort());
  await followLines(file, from, (line) => io.stdout.write(format(line)), stop.signal);
  return 0;
}
