// The plan: which bundles a settings file selects. Production is always mirrored; preview only when asked for (as the
// old scripts did).
import type { Settings } from './load.js';
import { OSES, type Arch, type BundleId, type Channel } from '../bundle/identity.js';

export interface PlanOptions {
  readonly linux: boolean;
  readonly mac: boolean;
  readonly preview: boolean;
  readonly architectures: readonly Arch[];
}

export function planBundles(opts: PlanOptions): BundleId[] {
  const oses = OSES.filter((os) => (os === 'linux' ? opts.linux : opts.mac));
  const channels: Channel[] = opts.preview ? ['production', 'preview'] : ['production'];
  const plan: BundleId[] = [];
  for (const os of oses) for (const channel of channels) for (const arch of opts.architectures) plan.push({ os, channel, arch });
  return plan;
}

/** The one translation from settings every command uses. */
export function planFor(settings: Settings): BundleId[] {
  return planBundles({
    linux: settings.downloadLinuxUpdates,
    mac: settings.downloadMacUpdates,
    preview: settings.downloadPreviewUpdates,
    architectures: settings.architectures,
  });
}
