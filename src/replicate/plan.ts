// What a replica needs to match the local tree: the uploads in the order readers can rely on (every bundle before
// any manifest, the signed index last), and the deletions of stale objects this tool wrote (manifests before bundles).
import { BUNDLE_FILE, INDEX_FILE, INDEX_SIGNATURE_FILE, MANIFEST_FILE } from '../store/layout.js';
import type { LocalObject, RemoteObject } from './object-store.js';

export interface ReplicationPlan {
  readonly upload: readonly LocalObject[];
  readonly remove: readonly string[];
  readonly unchanged: number;
  /** Tree keys held by objects this tool did not write, which the upload replaces (said, never silent). */
  readonly overwritesForeign: readonly string[];
}

function rank(key: string): number {
  if (key.endsWith(`/${BUNDLE_FILE}`)) return 0;
  if (key.endsWith(`/${MANIFEST_FILE}`)) return 1;
  if (key.endsWith(INDEX_FILE)) return 2;
  if (key.endsWith(INDEX_SIGNATURE_FILE)) return 3;
  return 4;
}

const byRank = (order: 1 | -1) => (a: string, b: string) => order * (rank(a) - rank(b)) || a.localeCompare(b);

export function planReplication(local: readonly LocalObject[], remote: readonly RemoteObject[]): ReplicationPlan {
  const remoteByKey = new Map(remote.map((r) => [r.key, r]));
  const localKeys = new Set(local.map((l) => l.key));
  const upload = local.filter((l) => {
    const r = remoteByKey.get(l.key);
    return !(r && r.size === l.size && r.sha256 === l.sha256);
  });
  const remove = remote
    .filter((r) => r.ours && !localKeys.has(r.key))
    .map((r) => r.key)
    .sort(byRank(-1));
  return {
    upload: [...upload].sort((a, b) => byRank(1)(a.key, b.key)),
    remove,
    unchanged: local.length - upload.length,
    overwritesForeign: upload.filter((l) => remoteByKey.get(l.key)?.ours === false).map((l) => l.key),
  };
}
