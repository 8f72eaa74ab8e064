// One line per publish target after a run or `publish`: what went where, or what failed and that the local tree is
// still correct.
import type { ReplicaOutcome } from '../replicate/publish-replicas.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

export function formatReplicaLines(outcomes: readonly ReplicaOutcome[]): string {
  return outcomes
    .map((r) => {
      if (r.status === 'failed')
        return `${r.target}: FAILED: ${r.error?.message ?? 'unknown error'}\n  the local tree is correct and still served; the next run (or \`mdatp-mirror publish\`) catches up.\n`;
      if (r.status === 'in-sync') return `${r.target}: ${r.location} already matches the local tree (${r.unchanged} object(s))\n`;
      const verb = r.status === 'planned' ? 'would put' : 'put';
      const del = r.status === 'planned' ? 'would delete' : 'deleted';
      const lines = [
        `${r.target}: ${r.location}: ${verb} ${r.uploaded.length} object(s) (${formatBytes(r.bytes)}), ${del} ${r.removed.length}, ${r.unchanged} unchanged${r.status === 'planned' ? '' : ` in ${formatDuration(r.durationMs)}`}`,
        ...(r.status === 'planned' ? [...r.uploaded.map((k) => `  put ${k}`), ...r.removed.map((k) => `  delete ${k}`)] : []),
        ...r.notes.map((n) => `  note: ${n}`),
      ];
      return `${lines.join('\n')}\n`;
    })
    .join('');
}
