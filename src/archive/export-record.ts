// What the previous export from this folder held, so `export --since last` carries only what changed since.
import { readFile } from 'node:fs/promises';
import type { Versions } from '../bundle/versions.js';
import { writeJsonAtomic } from '../store/fs-safe.js';
import type { StoreLayout } from '../store/layout.js';

export interface ExportRecord {
  readonly exportedAt: string;
  /** bundleKey -> the versions the receiving side has had since (the newest exported). */
  readonly bundles: Record<string, Versions>;
}

export async function readExportRecord(layout: StoreLayout): Promise<ExportRecord | undefined> {
  try {
    return JSON.parse(await readFile(layout.exportsFile, 'utf8')) as ExportRecord;
  } catch {
    return undefined;
  }
}

/** Written only after an export completed, so a failed or cut export is carried again next time. */
export async function recordExport(layout: StoreLayout, at: Date, exported: Record<string, Versions>): Promise<void> {
  const previous = await readExportRecord(layout);
  await writeJsonAtomic(layout.exportsFile, { exportedAt: at.toISOString(), bundles: { ...previous?.bundles, ...exported } });
}
