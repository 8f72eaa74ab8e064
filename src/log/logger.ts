// The run log: pino JSON lines to logFilePath (rotated by size), plus a human view on the terminal.
import pino, { type Logger } from 'pino';
import { RotatingDestination, type RotationOptions } from './rotating-destination.js';

export type { Logger };

export interface LoggerOptions {
  readonly file: string | undefined;
  readonly rotation: RotationOptions;
  /** Mirror log lines to stderr in a human format (a terminal, not --json/--quiet). */
  readonly console: boolean;
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
    file = new RotatingDestination(o.file, o.rotation);
    streams.push({ stream: file, level: 'debug' });
  }
  if (o.console) {
    // Loaded only for a person at a terminal: unattended runs do not pay for it.
    const { default: pretty } = await import('pino-pretty');
    streams.push({
      stream: pretty({ destination: 2, sync: true, colorize: process.stderr.isTTY, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname' }),
      level: 'info',
    });
  }
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
