// The run log: pino JSON lines to logFilePath (rotated by size), plus a human view on the terminal.
import pino, { type Logger } from 'pino';
import { RotatingDestination, type RotationOptions } from './rotating-destination.js';
import { consoleStream, type ConsoleOptions } from './console-stream.js';
import { dirname } from 'node:path';
import { makeDirectories } from '../util/make-directories.js';

export type { Logger };

export interface LoggerOptions {
  readonly file: string | undefined;
  readonly rotation: RotationOptions;
  /** Log lines for a person at a terminal (not --json/--quiet): notable events, or everything with --verbose. */
  readonly console: ConsoleOptions | undefined;
  readonly level?: string;
}

// Credentials in URLs (proxy user:password@) never reach a log line, whatever logged them.
const USERINFO = /(\/\/)[^/\s:@"]+:[^/\s@"]*@/g;
const scrubSecrets = (s: string): string => s.replace(USERINFO, '$1***:***@');

export interface OpenLogger {
  readonly logger: Logger;
  readonly close: () => void;
}

export async function createLogger(o: LoggerOptions): Promise<OpenLogger> {
  const streams: pino.StreamEntry[] = [];
  let file: RotatingDestination | undefined;
  if (o.file) {
    // Not pino's own mkdir: its recursive form never returns under /proc (src/util/make-directories.ts).
    await makeDirectories(dirname(o.file));
    file = new RotatingDestination(o.file, o.rotation);
    streams.push({ stream: file, level: 'debug' });
  }
  if (o.console) streams.push({ stream: await consoleStream(o.console), level: o.console.verbose ? 'debug' : 'info' });
  const logger = pino(
    {
      enabled: streams.length > 0,
      level: o.level ?? 'debug',
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['proxy', 'headers.authorization', 'headers["proxy-authorization"]'], censor: '[redacted]' },
      hooks: {
        streamWrite: scrubSecrets,
      },
    },
    pino.multistream(streams),
  );
  return { logger, close: () => file?.end() };
}
