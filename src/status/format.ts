// The status table people read, and the document scripts read with --json.
import { formatBytes } from '../util/bytes.js';
import { bundleLabel } from '../bundle/identity.js';
import { formatDuration } from '../util/duration.js';
import { formatTable } from '../util/table.js';
import type { BundleHealth } from './inspect.js';

/** The width the table fits by default: a terminal, a mail, a ticket. --wide (or --json) shows every column. */
const STATUS_WIDTH = 100;

/**
 * @param all every bundle checked, when `bundles` shows only some (the headline counts all of them)
 * @param wide all columns (SIZE and LAST RUN too) on one line each; otherwise DETAIL wraps to fit STATUS_WIDTH
 */
export function formatStatus(
  bundles: readonly BundleHealth[],
  folder: string,
  checkedUpstream: boolean,
  all: readonly BundleHealth[] = bundles,
  wide = false,
): string {
  const staging = bundles.some((b) => b.staged);
  const rows = [
    [
      'BUNDLE',
      'HEALTH',
      'LIVE',
      'AGE',
      ...(wide ? ['SIZE'] : []),
      'BACKUP',
      ...(staging ? ['STAGED'] : []),
      ...(checkedUpstream ? ['UPSTREAM'] : []),
      ...(wide ? ['LAST RUN'] : []),
      'DETAIL',
    ],
  ];
  for (const b of bundles) {
    const detail = [...b.problems];
    if (b.staged) {
      detail.push(
        b.staged.promotesInMs === undefined
          ? `staged ${b.staged.versions?.signatures ?? '?'} ${b.staged.ageMs === undefined ? '' : `${formatDuration(b.staged.ageMs)} ago `}(promote when tested)`
          : `staged ${b.staged.versions?.signatures ?? '?'} goes live in ${formatDuration(b.staged.promotesInMs)}`,
      );
    }
    if (b.held) detail.push(`held back: ${b.held.signatures} (rolled back ${b.held.heldAt})`);
    if (b.history.versions.length > 0)
      detail.push(`history: ${b.history.versions.map((v) => v.signatures).join(', ')} (${formatBytes(b.history.bytes)})`);
    if (b.lastRun?.error) detail.push(`last run: ${b.lastRun.error}`);
    rows.push([
      bundleLabel(b),
      b.problems.length === 0 ? 'ok' : 'PROBLEM',
      b.live.versions?.signatures ?? '-',
      b.live.ageMs === undefined ? '-' : formatDuration(b.live.ageMs),
      ...(wide ? [b.live.size === undefined ? '-' : formatBytes(b.live.size)] : []),
      b.backup.state === 'ok' ? (b.backup.versions?.signatures ?? '-') : b.backup.state === 'missing' ? '-' : `${b.backup.state}`,
      ...(staging ? [b.staged?.versions?.signatures ?? '-'] : []),
      ...(checkedUpstream ? [b.upstream?.versions?.signatures ?? (b.upstream?.error ? 'error' : '-')] : []),
      ...(wide ? [b.lastRun ? b.lastRun.status : '-'] : []),
      detail.join('; '),
    ]);
  }
  const bad = all.filter((b) => b.problems.length > 0).length;
  const head = `mdatp-mirror status: ${all.length} bundle(s), ${bad === 0 ? 'all healthy' : `${bad} with problems`}`;
  return `${head}\n${formatTable(rows, wide ? undefined : STATUS_WIDTH)}\nmirror: ${folder}\n`;
}
