// `mdatp-mirror import FILE|-`: prove the archive, publish it as a download would, print download's summary.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { runImport } from '../../archive/run-import.js';
import { ExitCode, usageError } from '../../errors/catalogue.js';
import { formatJson, formatSummary } from '../../report/summary.js';
import { runFailed } from '../../report/outcome.js';
import { loadSettings } from '../../settings/load.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { lockWaitMs } from '../lock-wait.js';
import { loggerFor } from '../logging.js';
import { watchSignals } from '../signals.js';

export interface ImportCliOptions extends GlobalOptions {
  readonly allowUnsigned?: boolean;
  readonly allowDowngrade?: boolean;
  readonly wait?: string | boolean;
}

async function openInput(file: string, cwd: string): Promise<{ input: Readable; where: string }> {
  if (file === '-') return { input: process.stdin, where: 'standard input' };
  const path = resolve(cwd, file);
  const facts = await stat(path).catch(() => undefined);
  if (!facts) throw usageError(`import ${path}: no such file; give the archive written by mdatp-mirror export (or - for standard input)`);
  if (facts.isDirectory()) throw usageError(`import ${path} is a folder; give the archive file written by mdatp-mirror export`);
  return { input: createReadStream(path, { highWaterMark: 1024 * 1024 }), where: path };
}

export async function importArchive(file: string, o: ImportCliOptions, io: CommandIo): Promise<number> {
  const waitMs = lockWaitMs(o.wait);
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'write' }, io);
  const { input, where } = await openInput(file, io.cwd);
  const { logger, close } = await loggerFor(settings, { level: o.verbose ? 'debug' : 'info' });
  const interruption = watchSignals((name) => logger.warn({ event: 'interrupted', signal: name }, `received ${name}: stopping`));
  try {
    const report = await runImport(settings, {
      input,
      where,
      allowUnsigned: o.allowUnsigned ?? false,
      allowDowngrade: o.allowDowngrade ?? false,
      lockWaitMs: waitMs,
      now: io.now,
      logger,
      signal: interruption.signal,
    });
    const code = runFailed(report) ? ExitCode.bundleFailed : ExitCode.ok;
    if (o.json) io.stdout.write(formatJson(report, code));
    else if (!o.quiet) {
      const { archive } = report;
      io.stdout.write(
        `archive from mirror ${archive.mirror}, made ${archive.createdAt}, ${archive.signedBy ? `signed by trusted key ${archive.signedBy}` : 'UNSIGNED (--allow-unsigned)'}\n`,
      );
      io.stdout.write(formatSummary(report, settings.logFilePath, 'import'));
    }
    return code;
  } catch (e) {
    logger.error({ err: (e as Error).message, code: (e as { code?: string }).code }, 'import refused');
    const exit = interruption.exitCode();
    if (exit !== undefined) {
      io.stderr.write('mdatp-mirror import: interrupted; the live tree is as it was\n');
      return exit;
    }
    throw e;
  } finally {
    input.destroy();
    interruption.dispose();
    close();
  }
}
