// `mdatp-mirror status`: per-bundle health for people (a table) and monitoring (exit code 0 healthy / 1 not).
import { planFor } from '../../settings/plan.js';
import { ExitCode, usageError } from '../../errors/catalogue.js';
import { loadSettings } from '../../settings/load.js';
import { inspectBundle, stagingFor, type BundleHealth } from '../../status/inspect.js';
import { inspectIndex } from '../../status/index-health.js';
import { formatStatus } from '../../status/format.js';
import { inspectReplicas } from '../../status/replica-health.js';
import { readHolds } from '../../store/holds.js';
import { StoreLayout } from '../../store/layout.js';
import { readRunState } from '../../report/run-state.js';
import { httpClientFor } from '../../download/http-for-settings.js';
import { sourceFor } from '../../download/source-for.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { colourStates } from '../../util/colour.js';

export interface StatusOptions extends GlobalOptions {
  readonly baseUrl?: string;
  readonly checkUpstream?: boolean;
  readonly maxAge?: string;
  readonly verify?: boolean;
  readonly wide?: boolean;
}

export async function status(o: StatusOptions, io: CommandIo): Promise<number> {
  const maxAgeMs = o.maxAge === undefined ? undefined : parseDuration(o.maxAge);
  if (o.maxAge !== undefined && maxAgeMs === undefined)
    throw usageError(`--max-age ${o.maxAge}: write a duration like 90s, 30m, 4h or 2d.`);
  const settings = await loadSettings({ settingsFile: o.settings, baseUrl: o.baseUrl, folderUse: 'read' }, io);
  const layout = StoreLayout.live(settings.downloadFolder);
  const http = o.checkUpstream ? httpClientFor(settings) : undefined;
  try {
    const upstream = http ? await sourceFor(settings, http) : undefined;
    const [holds, run] = await Promise.all([readHolds(layout), readRunState(layout)]);
    const plan = planFor(settings);
    const now = io.now();
    const staging = stagingFor(settings);
    const bundles = await Promise.all(
      plan.map((id) =>
        inspectBundle(layout, id, holds, run, {
          verify: Boolean(o.verify),
          maxAgeMs,
          upstream,
          now,
          staging,
          maxUnpackedBytes: settings.maxUnpackedSize,
        }),
      ),
    );
    const index = await inspectIndex(settings, layout, now);
    const replicas = await inspectReplicas(settings);
    // An upstream that cannot be asked says nothing about the mirror: alone, it is UNKNOWN (3), not a problem (1).
    const mirrorProblems = (b: BundleHealth): number => b.problems.length - (b.upstream?.error ? 1 : 0);
    const code =
      bundles.some((b) => mirrorProblems(b) > 0) || index?.problem || replicas.some((r) => r.problem)
        ? ExitCode.problemsFound
        : bundles.some((b) => b.upstream?.error)
          ? ExitCode.unknown
          : ExitCode.ok;
    if (o.json) {
      io.stdout.write(
        `${JSON.stringify({ downloadFolder: settings.downloadFolder, checkedAt: now.toISOString(), lastRun: run?.lastRun ? { startedAt: run.lastRun.startedAt, finishedAt: run.lastRun.finishedAt, interrupted: run.lastRun.interrupted } : null, bundles, index: index ?? null, replicas, exitCode: code }, null, 2)}\n`,
      );
    } else if (!o.quiet || code !== ExitCode.ok) {
      // --quiet (cron mail): only the rows and lines with a problem.
      const shown = o.quiet ? bundles.filter((b) => b.problems.length > 0) : bundles;
      const table = formatStatus(shown, settings.downloadFolder, Boolean(upstream), bundles, Boolean(o.wide));
      if (shown.length > 0) io.stdout.write(colourStates(table, io.env, io.stdout));
      if (index && (!o.quiet || index.problem)) io.stdout.write(`index: ${index.problem ? 'PROBLEM: ' : ''}${index.detail}\n`);
      for (const r of replicas)
        if (!o.quiet || r.problem) io.stdout.write(`publish target ${r.target}: ${r.problem ? 'PROBLEM: ' : ''}${r.detail}\n`);
    }
    return code;
  } finally {
    await http?.close();
  }
}
