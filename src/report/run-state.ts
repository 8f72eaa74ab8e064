// The mirror's record of its runs (state.json): the last download or import in full, for status, and a short list of
// every run that changed or tried to change the tree (download, import, promote, rollback), for the status page and
// monitoring. The list is bounded so that years of hourly runs stay a few hundred KB.
import { readFile } from 'node:fs/promises';
import type { RunReport } from './outcome.js';
import { writeJsonAtomic } from '../store/fs-safe.js';
import type { StoreLayout } from '../store/layout.js';

const RECENT_RUNS_KEPT = 100;

interface RunSummaryBundle {
  /** The bundle key, as in the tree: linux/production/arch_x86_64. */
  readonly bundle: string;
  readonly status: string;
  readonly from: string | null;
  readonly to: string | null;
  /** The signatures version the source offered (download, import), so the status page can say "behind". */
  readonly offered: string | null;
  /** The error code (see docs/reference/errors.md) of a failed bundle. */
  readonly error: string | null;
}

export interface RunSummary {
  readonly command: 'download' | 'import' | 'promote' | 'rollback';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly result: 'ok' | 'failed' | 'interrupted';
  readonly bundles: readonly RunSummaryBundle[];
}

export interface RunState {
  /** The last download or import run. */
  readonly lastRun?: RunReport;
  /** Newest first, at most RECENT_RUNS_KEPT. */
  readonly recentRuns?: readonly RunSummary[];
}

export async function readRunState(layout: StoreLayout): Promise<RunState | undefined> {
  try {
    return JSON.parse(await readFile(layout.stateFile, 'utf8')) as RunState;
  } catch {
    return undefined;
  }
}

/** Call only while holding the tree's lock: it reads, adds and rewrites. */
export async function recordRun(layout: StoreLayout, run: RunSummary, lastRun: RunReport | undefined): Promise<void> {
  const before = await readRunState(layout);
  const last = lastRun ?? before?.lastRun;
  const next: RunState = {
    ...(last ? { lastRun: last } : {}),
    recentRuns: [run, ...(before?.recentRuns ?? [])].slice(0, RECENT_RUNS_KEPT),
  };
  // Only status and monitoring read it: atomic, but not worth waiting on the disk for in every run.
  await writeJsonAtomic(layout.stateFile, next, false);
}
