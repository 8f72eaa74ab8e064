// `mdatp-mirror promote`: staged bundles go live after re-verification. All selected bundles are checked first;
// if any cannot be promoted, nothing changes and the exit code is 1.
import { ExitCode } from '../../errors/catalogue.js';
import { loggerFor } from '../logging.js';
import { bundleKey, bundleLabel, type BundleId } from '../../bundle/identity.js';
import { runPromote } from '../../promote/run-promote.js';
import { loadSettings } from '../../settings/load.js';
import { anyReplicaFailed } from '../../replicate/publish-replicas.js';
import { formatReplicaLines } from '../../report/replicas.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export interface PromoteCliOptions extends GlobalOptions {
  readonly os?: BundleId['os'];
  readonly channel?: BundleId['channel'];
  readonly arch?: BundleId['arch'];
  readonly version?: string;
}

export async function promote(o: PromoteCliOptions, io: CommandIo): Promise<number> {
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'write' }, io);
  const { logger, close } = await loggerFor(settings, {});
  try {
    const run = await runPromote(settings, {
      filter: { os: o.os, channel: o.channel, arch: o.arch },
      version: o.version,
      logger,
      now: io.now,
    });
    if (run.kind === 'no-match') {
      io.stderr.write('mdatp-mirror promote: no mirrored bundle matches --os/--channel/--arch.\n');
      return ExitCode.refused;
    }
    if (run.kind === 'refused') {
      for (const c of run.refused) io.stderr.write(`${bundleLabel(c.id)}: not promoted: ${c.reason}\n`);
      io.stderr.write('nothing was promoted: fix the above, or narrow the selection with --os/--channel/--arch.\n');
      if (o.json)
        io.stdout.write(
          `${JSON.stringify({ promoted: [], refused: run.refused.map((c) => ({ bundle: bundleKey(c.id), reason: c.reason })), exitCode: 1 }, null, 2)}\n`,
        );
      return ExitCode.refused;
    }
    const replicaFailed = anyReplicaFailed(run.replicas);
    const code = replicaFailed ? ExitCode.bundleFailed : ExitCode.ok;
    const promoted = run.promoted.map((p) => ({ bundle: bundleKey(p.id), from: p.from, to: p.to }));
    if (o.json) io.stdout.write(`${JSON.stringify({ promoted, refused: [], replicas: run.replicas, exitCode: code }, null, 2)}\n`);
    else {
      const lines = run.outcomes.map((x) =>
        x.kind === 'already-live'
          ? `${bundleLabel(x.id)}: ${x.staged.DefinitionVersion} is already live`
          : `${bundleLabel(x.id)}: ${x.from ?? '-'} -> ${x.to} (promoted from staging)`,
      );
      io.stdout.write(`${lines.join('\n')}\n`);
      (replicaFailed ? io.stderr : io.stdout).write(formatReplicaLines(run.replicas));
    }
    return code;
  } finally {
    close();
  }
}
