// The local served trees as a replica should hold them: every consistent pair of live and staging (with backups),
// and the signed index when there is one. Inconsistent pairs are left out: a replica never gets what endpoints
// should not.
import { join } from 'node:path';
import { buildTreeIndex } from '../signed-index/tree-index.js';
import { fileSize, sha256File } from '../store/file-facts.js';
import { INDEX_FILE, INDEX_SIGNATURE_FILE, STAGING_DIR, StoreLayout } from '../store/layout.js';
import type { LocalObject } from './object-store.js';

export async function listLocalObjects(downloadFolder: string): Promise<LocalObject[]> {
  const objects: LocalObject[] = [];
  for (const layout of StoreLayout.served(downloadFolder)) {
    const keyPrefix = layout.tree === 'live' ? '' : `${STAGING_DIR}/`;
    const index = await buildTreeIndex(layout, '', new Date(0));
    for (const f of index.files) {
      objects.push({ key: `${keyPrefix}${f.path}`, path: join(layout.treeRoot, ...f.path.split('/')), size: f.size, sha256: f.sha256 });
    }
    // The signature only travels with its index.
    const signed = await Promise.all([INDEX_FILE, INDEX_SIGNATURE_FILE].map((name) => describeFile(layout.treeRoot, keyPrefix, name)));
    if (signed.every((o) => o !== undefined)) objects.push(...signed);
  }
  return objects;
}

async function describeFile(root: string, keyPrefix: string, name: string): Promise<LocalObject | undefined> {
  const path = join(root, name);
  const size = await fileSize(path);
  if (size === undefined) return undefined;
  return { key: `${keyPrefix}${name}`, path, size, sha256: await sha256File(path) };
}
