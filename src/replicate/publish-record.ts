// What each target was last given, kept beside the run state: `status` reads it without a network call, and a run
// that changed nothing skips a target that already holds exactly the local tree.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/fs-safe.js';
import { StoreLayout } from '../store/layout.js';
import type { LocalObject } from './object-store.js';

export interface TargetRecord {
  readonly at: string;
  readonly location: string;
  readonly ok: boolean;
  readonly error?: string;
  /** key -> sha256 of what the target holds after the last successful publish. */
  readonly files: Readonly<Record<string, string>>;
}

export type PublishRecord = Readonly<Record<string, TargetRecord>>;

const recordPath = (downloadFolder: string): string => join(StoreLayout.live(downloadFolder).stateDir, 'published.json');

export async function readPublishRecord(downloadFolder: string): Promise<PublishRecord> {
  try {
    const parsed: unknown = JSON.parse(await readFile(recordPath(downloadFolder), 'utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as PublishRecord) : {};
  } catch {
    return {};
  }
}

export async function writePublishRecord(downloadFolder: string, record: PublishRecord): Promise<void> {
  await writeJsonAtomic(recordPath(downloadFolder), record);
}

export function filesOf(local: readonly LocalObject[]): Record<string, string> {
  const entries = local.map((l): [string, string] => [l.key, l.sha256]);
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Whether the target's last successful publish left it holding exactly these files. */
export function recordMatches(record: TargetRecord | undefined, local: readonly LocalObject[]): boolean {
  if (!record?.ok) return false;
  const want = filesOf(local);
  const keys = Object.keys(want);
  return keys.length === Object.keys(record.files).length && keys.every((k) => record.files[k] === want[k]);
}
