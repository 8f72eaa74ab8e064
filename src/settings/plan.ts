// The bundles a settings file selects: the one translation every command uses.
import { planBundles, type BundleId } from '../plan/bundles.js';
import type { Settings } from './load.js';

export function planFor(settings: Settings): BundleId[] {
  return planBundles({
    linux: settings.downloadLinuxUpdates,
    mac: settings.downloadMacUpdates,
    preview: settings.downloadPreviewUpdates,
    architectures: settings.architectures,
  });
}
