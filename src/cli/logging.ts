// The run log every command opens from its settings: logFilePath, rotated by logMaxBytes x logFiles.
import { createLogger, type OpenLogger } from '../log/logger.js';
import { checkLogFile } from '../settings/check-paths.js';
import type { Settings } from '../settings/load.js';
import type { ConsoleOptions } from '../log/console-stream.js';

export async function loggerFor(settings: Settings, o: { console?: ConsoleOptions | undefined; level?: string }): Promise<OpenLogger> {
  await checkLogFile(settings.logFilePath);
  return createLogger({
    file: settings.logFilePath,
    rotation: { maxBytes: settings.logMaxBytes, files: settings.logFiles },
    console: o.console,
    ...(o.level ? { level: o.level } : {}),
  });
}
