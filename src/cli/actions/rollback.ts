// `mdatp-mirror rollback`: take a bad release out of service (or --undo that), then print what changed.
import { ExitCode } from '../../errors/catalogue.js';
import { loggerFor } from '../logging.js';
import type { BundleId } from '../../bundle/identity.js';
import { runRollback } from '../../rollback/rollback.js';
import { formatReplicaLines } from '../../report/replicas.js';
import { anyReplicaFailed } from '../../replicate/publish-replicas.js';
import { loadSettings } from '../../settings/load.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export interface RollbackOptions extends GlobalOptions {
  readonly os?: BundleId['os'];
  readonly channel?: BundleId['channel'];
  readonly arch?: BundleId['arch'];
  readonly undo?: boolean;
  readonly to?: string;
}

export async function rollback(o: RollbackOptions, io: CommandIo): Promise<number> {
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'write' }, io);
  const { logger, close } = await loggerFor(settings, {});
  try {
    const { outcomes, replicas } = await runRollback(
      settings,
      { filter: { os: o.os, channel: o.channel, arch: o.arch }, undo: Boolean(o.undo), to: o.to },
      logger,
      io.now,
    );
    const changed = outcomes.filter((x) => x.status !== 'not-possible');
    const replicaFailed = anyReplicaFailed(replicas);
    const code = outcomes.length > 0 && changed.length === outcomes.length && !replicaFailed ? ExitCode.ok : ExitCode.refused;
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ bundles: outcomes, replicas, exitCode: code }, null, 2)}\n`);
    } else {
      if (outcomes.length === 0) io.stderr.write('mdatp-mirror rollback: no mirrored bundle matches --os/--channel/--arch.\n');
      for (const x of outcomes) {
        const name = `${x.os}/${x.channel}/${x.arch}`;
        const line =
          x.status === 'not-possible'
            ? `${name}: not rolled back: ${x.reason}\n`
            : `${name}: ${x.from?.signatures} -> ${x.to?.signatures}${x.status === 'rolled-back' ? ` (${x.from?.signatures} held back until a newer release)` : ' (rollback undone)'}\n`;
        (x.status === 'not-possible' ? io.stderr : io.stdout).write(line);
      }
      (replicaFailed ? io.stderr : io.stdout).write(formatReplicaLines(replicas));
    }
    return code;
  } finally {
    close();
  }
}
