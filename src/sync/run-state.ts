// The small record of the last run (state.json), read by status and monitoring.
import { readFile } from 'node:fs/promises';
import { writeJsonAtomic } from '../store/fs-safe.js';
import type { StoreLayout } from '../store/layout.js';
import type { RunReport } from './outcome.js';

export interface RunState {
  readonly lastRun: RunReport;
}

export async function writeRunState(layout: StoreLayout, report: RunReport): Promise<void> {
  // Only status reads it: atomic, but not worth waiting on the disk for in every run.
  await writeJsonAtomic(layout.stateFile, { lastRun: report } satisfies RunState, false);
}

export async function readRunState(layout: StoreLayout): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(layout.stateFile, 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}
