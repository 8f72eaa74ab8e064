// How a run treats a release that differs from what is there, the one place a download and an import differ in their
// decisions: Microsoft's service (or the upstream mirror) is authoritative, so a download follows it back when a
// release is pulled and reports that as a downgrade; an archive is somebody's choice, so an import never goes back
// past the live tree unless asked (--allow-downgrade).
import type { BundleId } from '../bundle/identity.js';
import { compareVersions, manifestVersions, type Versions } from '../bundle/versions.js';
import type { PublishedStatus } from '../report/outcome.js';
import { manifestPath, type StoreLayout } from '../store/layout.js';
import { readManifest } from '../store/manifest.js';

interface BroughtIn {
  readonly status: PublishedStatus;
  /** Set when the release is older than what it replaced: a warning for the log and a note for the outcome. */
  readonly wentBack?: { readonly warning: string; readonly note: string };
}

export interface ReleasePolicy {
  /** Who offered the release, as notes name it ("upstream 1.2.3 held back by rollback"). */
  readonly offerer: string;
  /** Why a release the tree lacks is left out before any bytes move (the outcome's note), or undefined to bring it in. */
  leaveOut(id: BundleId, offered: Versions): Promise<string | undefined>;
  /** How a release brought in over `before` is reported. */
  broughtIn(before: Versions | undefined, after: Versions): BroughtIn;
}

export const followUpstream: ReleasePolicy = {
  offerer: 'upstream',
  leaveOut: () => Promise.resolve(undefined),
  broughtIn(before, after) {
    if (before === undefined || compareVersions(after, before) >= 0) return { status: 'downloaded' };
    return {
      status: 'downgraded',
      wentBack: {
        warning: `upstream went back from ${before.signatures} to ${after.signatures} (a pulled release); followed it`,
        note: `downgraded: upstream went back from ${before.signatures}`,
      },
    };
  },
};

/** An import: nothing older than the live tree (even when the import stages), unless allowDowngrade. */
export function importChosen(live: StoreLayout, allowDowngrade: boolean): ReleasePolicy {
  return {
    offerer: 'archive',
    async leaveOut(id, offered) {
      if (allowDowngrade) return undefined;
      const read = await readManifest(manifestPath(live.bundleDir(id)));
      if (read.kind !== 'ok' || compareVersions(offered, manifestVersions(read.manifest)) >= 0) return undefined;
      return `older than live (${read.manifest.DefinitionVersion}); --allow-downgrade imports it`;
    },
    broughtIn: () => ({ status: 'imported' }),
  };
}
