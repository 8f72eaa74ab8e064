// Retention beyond n-1 (keepVersions > 1): previous pairs kept as hard links in a private history folder, newest
// first, pruned to the configured count, restorable with `rollback --to VERSION`.
import { copyFile, mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { BundleId } from '../plan/bundles.js';
import { linkOrCopy, removeQuietly, fsyncDir } from './fs-safe.js';
import { bundlePath, manifestPath, type StoreLayout } from './layout.js';
import { fileSize, readManifest, type Manifest } from './manifest.js';

export interface HistoryEntry {
  readonly dir: string;
  readonly manifest: Manifest;
  readonly size: number;
}

const entryName = (m: Manifest): string => `${m.EngineVersion}-${m.DefinitionVersion}`;

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

/** Adds a consistent pair (already checked by the caller) and prunes to `keep` entries. */
export async function addToHistory(layout: StoreLayout, id: BundleId, fromDir: string, manifest: Manifest, keep: number): Promise<void> {
  const root = layout.historyDir(id);
  await mkdir(root, { recursive: true });
  const final = join(root, entryName(manifest));
  const staging = join(root, `.incoming-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(staging);
    await linkOrCopy(bundlePath(fromDir), bundlePath(staging));
    await copyFile(manifestPath(fromDir), manifestPath(staging));
    await removeQuietly(final);
    // The entry appears whole or not at all.
    await rename(staging, final);
    await fsyncDir(root);
  } finally {
    await removeQuietly(staging);
  }
  const entries = await listHistory(layout, id);
  for (const old of entries.slice(keep)) await removeQuietly(old.dir);
}

export async function findInHistory(layout: StoreLayout, id: BundleId, version: string): Promise<HistoryEntry | undefined> {
  return (await listHistory(layout, id)).find((e) => e.manifest.DefinitionVersion === version || entryName(e.manifest) === version);
}
