// The run summary people read on stdout (a table) and scripts read with --json (one document).
import { formatBytes } from '../util/bytes.js';
import { bundleLabel } from '../bundle/identity.js';
import { formatDuration } from '../util/duration.js';
import { formatTable } from '../util/table.js';
import type { Versions } from '../bundle/versions.js';
import { publishedStatus, type BundleOutcome, type RunReport } from './outcome.js';
import { formatReplicaLines } from './replicas.js';

const RESULT = {
  'up-to-date': 'up to date',
  'held-back': 'held back',
  downloaded: 'downloaded',
  downgraded: 'DOWNGRADED',
  imported: 'imported',
  skipped: 'skipped',
  failed: 'FAILED',
} as const;

function versionCell(b: BundleOutcome): string {
  const v = (x: Versions | undefined): string => x?.signatures ?? '-';
  if (publishedStatus(b.status)) return `${v(b.before)} -> ${v(b.after)}`;
  if (b.status === 'failed') return b.before ? `${v(b.before)} (kept)` : '- (none yet)';
  return v(b.after);
}

export function formatSummary(report: RunReport, logFile?: string, command: 'download' | 'import' = 'download'): string {
  const count = (s: BundleOutcome['status']): number => report.bundles.filter((b) => b.status === s).length;
  const optional = (s: BundleOutcome['status']): string => (count(s) > 0 ? `${count(s)} ${RESULT[s]}, ` : '');
  const moved = command === 'import' ? 'imported' : 'downloaded';
  const head =
    `mdatp-mirror ${command}: ${report.bundles.length} bundle(s): ${count(moved)} ${moved}, ` +
    `${optional('downgraded')}${count('up-to-date')} up to date, ${optional('held-back')}${optional('skipped')}${count('failed')} failed in ${formatDuration(report.durationMs)}` +
    (report.interrupted ? ' (interrupted)' : '');
  const rows = [['BUNDLE', 'RESULT', 'SIGNATURES', 'SIZE', 'TIME', 'DETAIL']];
  for (const b of report.bundles) {
    const detail = b.error ? `${b.error.code}: ${b.error.message}` : b.notes.join('; ') || (b.resumed > 0 ? `resumed ${b.resumed}x` : '');
    rows.push([
      bundleLabel(b),
      b.tree === 'staging' && publishedStatus(b.status) ? (b.status === 'downgraded' ? 'staged DOWNGRADE' : 'staged') : RESULT[b.status],
      versionCell(b),
      b.size === undefined ? '-' : formatBytes(b.size),
      formatDuration(b.durationMs),
      detail,
    ]);
  }
  const promoted = (report.promoted ?? [])
    .map(
      (p) =>
        `promoted to live: ${p.os}/${p.channel}/${p.arch} ${p.from?.signatures ?? '-'} -> ${p.to.signatures} (staged ${formatDuration(p.stagedForMs)})\n`,
    )
    .join('');
  const failedBundles = report.bundles.filter((b) => b.status === 'failed');
  const kept = failedBundles.filter((b) => b.before).length;
  const failedLine =
    kept === failedBundles.length
      ? 'failed bundles still serve their previous good pair'
      : kept === 0
        ? 'failed bundles had no earlier good pair, so nothing is served for them yet'
        : `${kept} failed bundle(s) still serve their previous good pair; ${failedBundles.length - kept} had none yet, so nothing is served for them`;
  // An archive does not change by being read again: the fix is at the sending mirror.
  const next = command === 'import' ? 'export them again from a mirror that verifies them' : 'the next run retries them';
  const failed = failedBundles.length > 0 ? `${failedLine}; ${next}.${logFile ? ` Details: ${logFile}` : ''}\n` : '';
  return `${head}\n${formatTable(rows)}\n${promoted}${failed}mirror: ${report.downloadFolder}\n${formatReplicaLines(report.replicas ?? [])}`;
}

export function formatJson(report: RunReport, exitCode: number): string {
  return `${JSON.stringify({ ...report, exitCode }, null, 2)}\n`;
}
