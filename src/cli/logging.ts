// The run log every command opens from its settings: logFilePath, rotated by logMaxBytes x logFiles.
import { createLogger, type OpenLogger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';

export function loggerFor(settings: Settings, o: { console: boolean; level?: string }): Promise<OpenLogger> {
  return createLogger({
    file: settings.logFilePath,
    rotation: { maxBytes: settings.logMaxBytes, files: settings.logFiles },
    console: o.console,
    ...(o.level ? { level: o.level } : {}),
  });
}
