// The tree writers every command builds the same way from settings: the live tree's, and the one a download
// publishes into (live, or staging when rollout is manual or delayed).
import type { Settings } from '../settings/load.js';
import { loadSigningKey } from '../signing/keys.js';
import { downloadTree, StoreLayout } from '../store/layout.js';
import { TreeWriter } from './tree-writer.js';

/** Loads signingKey (when set) before anything changes, so a bad key stops the command at its start. */
export async function liveWriter(settings: Settings, now: () => Date): Promise<TreeWriter> {
  const index = settings.signingKey ? { key: await loadSigningKey(settings.signingKey), mirrorName: settings.mirrorName } : undefined;
  return new TreeWriter(StoreLayout.live(settings.downloadFolder), {
    backup: settings.backupPreviousUpdates,
    keepVersions: settings.keepVersions,
    now,
    index,
  });
}

export async function downloadWriter(settings: Settings, now: () => Date): Promise<TreeWriter> {
  if (downloadTree(settings.rollout.mode) === 'live') return liveWriter(settings, now);
  // Staging holds the newest candidate only: its previous version is what live already has.
  return new TreeWriter(StoreLayout.staging(settings.downloadFolder), { backup: false, keepVersions: 1, now });
}
