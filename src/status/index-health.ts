// Whether the live tree's signed index (signingKey) describes the tree exactly, and whether its signature verifies.
import type { Settings } from '../settings/load.js';
import { readTreeIndex } from '../signed-index/read-tree-index.js';
import { buildTreeIndex, sameFiles } from '../signed-index/tree-index.js';
import { loadSigningKey, loadTrustedKeys } from '../signing/keys.js';
import type { PublicKey } from '../signing/minisign.js';
import { INDEX_FILE, type StoreLayout } from '../store/layout.js';

export interface IndexHealth {
  readonly state: 'ok' | 'stale' | 'bad-signature' | 'unsigned' | 'missing';
  readonly signedBy: string | undefined;
  readonly detail: string;
  /** Counts as a problem for the exit code. */
  readonly problem: boolean;
}

/** Undefined when the tree neither signs an index nor has one. */
export async function inspectIndex(settings: Settings, layout: StoreLayout, now: Date): Promise<IndexHealth | undefined> {
  const keys: PublicKey[] = await loadTrustedKeys(settings.trustedKeys);
  if (settings.signingKey) keys.push(await loadSigningKey(settings.signingKey));
  const read = await readTreeIndex(layout, keys);
  const signing = settings.signingKey !== undefined;
  switch (read.kind) {
    case 'missing':
      return signing
        ? {
            state: 'missing',
            signedBy: undefined,
            detail: `${INDEX_FILE} is missing; the next download, import, promote or rollback writes it`,
            problem: true,
          }
        : undefined;
    case 'unsigned':
      return { state: 'unsigned', signedBy: undefined, detail: `${INDEX_FILE} has no signature beside it`, problem: signing };
    case 'bad':
      return { state: 'bad-signature', signedBy: undefined, detail: read.reason, problem: true };
    case 'verified': {
      const tree = await buildTreeIndex(layout, read.index.mirror, now);
      return sameFiles(tree, read.index)
        ? {
            state: 'ok',
            signedBy: read.signedBy,
            detail: `signed by key ${read.signedBy}, matches the tree (made ${read.index.createdAt})`,
            problem: false,
          }
        : {
            state: 'stale',
            signedBy: read.signedBy,
            detail: `signed by key ${read.signedBy}, but no longer matches the tree (the next change rewrites it; run download to do it now)`,
            problem: true,
          };
    }
  }
}
