// `mdatp-mirror publish [--target NAME] [--dry-run]`: bring every object-storage target in line with the local tree.
import { ExitCode } from '../../errors/catalogue.js';
import type { RunLock } from '../../lock/run-lock.js';
import { lockTree } from '../../tree/change-session.js';
import { anyReplicaFailed, publishReplicas } from '../../replicate/publish-replicas.js';
import { formatReplicaLines } from '../../report/replicas.js';
import { loadSettings } from '../../settings/load.js';
import { writeMetricsFile } from '../../status/metrics-file.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { lockWaitMs } from '../lock-wait.js';
import { loggerFor } from '../logging.js';
import { watchSignals } from '../signals.js';

export interface PublishCliOptions extends GlobalOptions {
  readonly target?: string;
  readonly dryRun?: boolean;
  readonly wait?: string | boolean;
}

export async function publish(o: PublishCliOptions, io: CommandIo): Promise<number> {
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'write' }, io);
  if (settings.publish.length === 0) {
    io.stderr.write(`mdatp-mirror publish: ${settings.settingsFile} has no "publish" targets. Add one (docs/large-fleets.md).\n`);
    return ExitCode.usage;
  }
  const { logger, close } = await loggerFor(settings, { level: o.verbose ? 'debug' : 'info' });
  const interruption = watchSignals((name) => logger.warn({ event: 'interrupted', signal: name }, `received ${name}: stopping`));
  let lock: RunLock | undefined;
  try {
    // A download must not change the tree under an upload (the upload would refuse the changed file anyway).
    if (!o.dryRun) lock = await lockTree({ settings, command: 'publish', waitMs: lockWaitMs(o.wait), signal: interruption.signal, logger });
    const outcomes = await publishReplicas(settings, {
      logger,
      now: io.now,
      env: io.env,
      signal: interruption.signal,
      only: o.target,
      dryRun: o.dryRun ?? false,
    });
    if (!o.dryRun) await writeMetricsFile(settings, { now: io.now(), logger });
    const failed = anyReplicaFailed(outcomes);
    const code = interruption.exitCode() ?? (failed ? ExitCode.bundleFailed : ExitCode.ok);
    if (o.json) io.stdout.write(`${JSON.stringify({ targets: outcomes, exitCode: code }, null, 2)}\n`);
    else if (!o.quiet || failed) (failed ? io.stderr : io.stdout).write(formatReplicaLines(outcomes));
    return code;
  } finally {
    await lock?.release();
    interruption.dispose();
    close();
  }
}
