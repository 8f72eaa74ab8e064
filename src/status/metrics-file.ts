// metricsFile: after every run, the bundle and run metrics serve would expose, written for node_exporter's textfile
// collector (temp + rename, so the collector never reads half a file; the temp name does not end in .prom, so it is
// never read at all). A file that cannot be written is logged, not fatal: the tree is right either way.
import { Registry } from 'prom-client';
import { planFor } from '../settings/plan.js';
import type { Logger } from '../log/logger.js';
import type { Settings } from '../settings/load.js';
import { writeFileDurably } from '../store/fs-safe.js';
import { StoreLayout } from '../store/layout.js';
import { mirrorStatus } from './mirror-status.js';
import { defineStatusMetrics } from './status-metrics.js';
import { treeHealth } from './tree-health.js';

export async function writeMetricsFile(settings: Settings, o: { readonly now: Date; readonly logger: Logger }): Promise<void> {
  const file = settings.metricsFile;
  if (file === undefined) return;
  try {
    const [tree, status] = await Promise.all([
      treeHealth(StoreLayout.served(settings.downloadFolder), planFor(settings), () => o.now),
      mirrorStatus(settings, { now: o.now }),
    ]);
    const registry = new Registry();
    defineStatusMetrics(registry, () => Promise.resolve({ tree, status }));
    await writeFileDurably(file, await registry.metrics(), false);
  } catch (e) {
    o.logger.error(
      { code: (e as NodeJS.ErrnoException).code, file },
      `metricsFile ${file} could not be written (${(e as Error).message}); check that its folder exists and this account may write there`,
    );
  }
}
