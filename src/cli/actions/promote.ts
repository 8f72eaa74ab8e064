// `mdatp-mirror promote`: staged bundles go live after re-verification. All selected bundles are checked first;
// if any cannot be promoted, nothing changes and the exit code is 1.
import { planFor } from '../../bundle/plan.js';
import { ExitCode } from '../../errors/catalogue.js';
import { loggerFor } from '../logging.js';
import { acquireRunLock } from '../../lock/run-lock.js';
import { bundleKey, bundleLabel, matchesFilter, type BundleId } from '../../bundle/identity.js';
import { checkPromotion, promoteChecked, type PromotionCheck } from '../../promote/promote.js';
import { loadSettings } from '../../settings/load.js';
import { StoreLayout } from '../../store/layout.js';
import { liveWriter } from '../../publish/writers.js';
import { anyReplicaFailed, publishAfterChange } from '../../replicas/publish-replicas.js';
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
  const writer = await liveWriter(settings, io.now);
  const live = writer.layout;
  const staging = StoreLayout.staging(settings.downloadFolder);
  const { logger, close } = await loggerFor(settings, {});
  const lock = await acquireRunLock({ path: live.lockFile, command: 'promote', staleAfterMs: settings.lockStaleAfter, waitMs: 0 });
  try {
    const plan = planFor(settings).filter((id) => matchesFilter(id, { os: o.os, channel: o.channel, arch: o.arch }));
    const checks: PromotionCheck[] = [];
    for (const id of plan) checks.push(await checkPromotion(live, staging, id, o.version));
    const refused = checks.filter((c) => c.kind === 'refused');
    const out: string[] = [];
    if (plan.length === 0) {
      io.stderr.write('mdatp-mirror promote: no mirrored bundle matches --os/--channel/--arch.\n');
      return ExitCode.refused;
    }
    if (refused.length > 0) {
      for (const c of refused) io.stderr.write(`${bundleLabel(c.id)}: not promoted: ${c.reason}\n`);
      io.stderr.write('nothing was promoted: fix the above, or narrow the selection with --os/--channel/--arch.\n');
      logger.warn(
        { event: 'promote-refused', refused: refused.map((c) => ({ bundle: bundleKey(c.id), reason: c.reason })) },
        'promotion refused; live unchanged',
      );
      if (o.json)
        io.stdout.write(
          `${JSON.stringify({ promoted: [], refused: refused.map((c) => ({ bundle: bundleKey(c.id), reason: c.reason })), exitCode: 1 }, null, 2)}\n`,
        );
      return ExitCode.refused;
    }
    const promoted: { bundle: string; from: string | null; to: string }[] = [];
    for (const c of checks) {
      if (c.kind === 'already-live') {
        out.push(`${bundleLabel(c.id)}: ${c.staged.DefinitionVersion} is already live`);
        continue;
      }
      if (c.kind !== 'ready') continue;
      const to = await promoteChecked(writer, staging, c);
      promoted.push({ bundle: bundleKey(c.id), from: c.live?.DefinitionVersion ?? null, to: to.signatures });
      out.push(`${bundleLabel(c.id)}: ${c.live?.DefinitionVersion ?? '-'} -> ${to.signatures} (promoted from staging)`);
      logger.info({ event: 'promoted', bundle: bundleKey(c.id), from: c.live?.DefinitionVersion ?? null, to }, `promoted ${to.signatures}`);
    }
    await writer.refreshIndex();
    const replicas = promoted.length > 0 ? ((await publishAfterChange(settings, { logger, now: io.now })) ?? []) : [];
    const replicaFailed = anyReplicaFailed(replicas);
    const code = replicaFailed ? ExitCode.bundleFailed : ExitCode.ok;
    if (o.json) io.stdout.write(`${JSON.stringify({ promoted, refused: [], replicas, exitCode: code }, null, 2)}\n`);
    else {
      io.stdout.write(`${out.join('\n')}\n`);
      (replicaFailed ? io.stderr : io.stdout).write(formatReplicaLines(replicas));
    }
    return code;
  } finally {
    await lock.release();
    close();
  }
}
