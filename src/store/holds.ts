// Versions held back by `rollback`: a download that finds upstream still at a held version keeps the rolled-back one.
import { readFile } from 'node:fs/promises';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { writeJsonAtomic } from './fs-safe.js';
import type { StoreLayout } from './layout.js';

export interface Hold {
  readonly engine: string;
  readonly signatures: string;
  readonly heldAt: string;
}

export type Holds = Record<string, Hold>;

export async function readHolds(layout: StoreLayout): Promise<Holds> {
  try {
    return JSON.parse(await readFile(layout.holdsFile, 'utf8')) as Holds;
  } catch {
    return {};
  }
}

export async function updateHolds(layout: StoreLayout, change: (holds: Holds) => void): Promise<Holds> {
  const holds = await readHolds(layout);
  change(holds);
  await writeJsonAtomic(layout.holdsFile, holds);
  return holds;
}

export const holdFor = (holds: Holds, id: BundleId): Hold | undefined => holds[bundleKey(id)];
