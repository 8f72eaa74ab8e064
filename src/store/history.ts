// Retention beyond n-1 (keepVersions > 1): previous pairs kept as hard links in a private history folder, newest
// first, restorable with `rollback --to VERSION`. Read here; written only by the tree writer.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BundleId } from '../bundle/identity.js';
import { manifestVersions, versionMatches } from '../bundle/versions.js';
import { bundlePath, manifestPath, type StoreLayout } from './layout.js';
import { fileSize } from './file-facts.js';
import { readManifest, type Manifest } from './manifest.js';

export interface HistoryEntry {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly size: number;
}

export async function listHistory(layout: StoreLayout, id: BundleId): Promise<HistoryEntry[]> {
  const root = layout.historyDir(id);
  const names = await readdir(root).catch(() => [] as string[]);
  const entries: HistoryEntry[] = [];
  for (const name of names) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    const m = await readManifest(manifestPath(dir));
    const size = await fileSize(bundlePath(dir));
    if (m.kind === 'ok' && size !== undefined) entries.push({ dir, manifest: m.manifest, size });
  }
  // Newest first: by when each was downloaded.
  return entries.sort((a, b) => (b.manifest.downloadedAt ?? '').localeCompare(a.manifest.downloadedAt ?? ''));
}

export async function findInHistory(layout: StoreLayout, id: BundleId, version: string): Promise<HistoryEntry | undefined> {
  return (await listHistory(layout, id)).find((e) => versionMatches(manifestVersions(e.manifest), version));
}
