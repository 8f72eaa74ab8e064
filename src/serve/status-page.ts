// GET /status: the mirror's state as one HTML page for a person. Everything is in the page (fleets are offline: no
// scripts, fonts or styles from elsewhere), it reads without JavaScript, and it reloads itself every minute. Each
// fact carries a data- attribute, so tests and scrapers need not read prose.
import type { BundleStatus, MirrorStatus } from '../status/mirror-status.js';
import type { RunSummary } from '../report/run-state.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

const REFRESH_SECONDS = 60;

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const text = (v: string | number | null | undefined, none = '—'): string => (v === null || v === undefined ? none : esc(String(v)));
const age = (seconds: number | null): string => (seconds === null ? '—' : `${formatDuration(seconds * 1000)} ago`);
const when = (iso: string | null): string =>
  iso === null ? '—' : `<time datetime="${esc(iso)}">${esc(iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z'))}</time>`;

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5rem;color:#1b1b1b;background:#fff}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#f3f3f3}code{font:12px ui-monospace,monospace}
.ok{color:#11632a}.bad{color:#b00020;font-weight:600}.warn{color:#8a5300}.muted{color:#666}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-weight:600}
.badge.ok{background:#dff3e4}.badge.bad{background:#fde2e4}.badge.warn{background:#fff1d6}`;

function upstreamCell(b: BundleStatus): string {
  const u = b.upstream;
  if (u.signatures === null) return '<span class="muted" data-upstream="unknown">not seen yet</span>';
  const state = u.behind ? 'behind' : 'current';
  const label = u.behind ? `<span class="badge bad">behind</span> ${text(u.signatures)}` : `<span class="badge ok">current</span>`;
  return `<span data-upstream="${state}">${label}</span><br><span class="muted">seen ${when(u.seenAt)}</span>`;
}

function fleetCell(b: BundleStatus): string {
  const f = b.fleet;
  if (!f) return '—';
  const seen = f.current + f.older;
  const share = seen === 0 ? '' : ` (${Math.round((100 * f.current) / seen)}%)`;
  const versions = f.versions.map((v) => `${text(v.signatures)}: ${v.clients}`).join(', ');
  return `<span data-fleet-current="${f.current}" data-fleet-older="${f.older}" data-fleet-unseen="${f.unseen}">${f.current} current${share}, ${f.older} older, ${f.unseen} not seen lately</span>${versions ? `<br><span class="muted">${versions}</span>` : ''}`;
}

function bundleRow(b: BundleStatus): string {
  const live = b.live;
  const state =
    live.state === 'ok' ? '<span class="badge ok">ok</span>' : `<span class="badge bad">${esc(live.state)}</span> ${text(live.reason)}`;
  const extra: string[] = [];
  if (b.heldBack) extra.push(`<span class="warn" data-held="${esc(b.heldBack)}">holding back ${esc(b.heldBack)} (rollback)</span>`);
  if (b.staged)
    extra.push(
      `<span data-staged="${text(b.staged.signatures)}">staged ${text(b.staged.signatures)}${b.staged.promotesAt ? `, promoted at ${when(b.staged.promotesAt)}` : ', waiting for promote'}</span>`,
    );
  if (b.consecutiveFailures > 0)
    extra.push(`<span class="bad">${b.consecutiveFailures} failed run(s) in a row, last ${text(b.lastError)}</span>`);
  return `<tr data-bundle="${esc(b.bundle)}" data-live-state="${esc(live.state)}">
<td><code>${esc(b.bundle)}</code></td>
<td>${state}</td>
<td data-signatures="${text(live.signatures, '')}">${text(live.signatures)}<br><span class="muted">engine ${text(live.engine)}${live.size === null ? '' : `, ${formatBytes(live.size)}`}</span></td>
<td>${age(live.ageSeconds)}</td>
<td>${upstreamCell(b)}</td>
<td>${b.backup ? `${text(b.backup.signatures)} <span class="muted">(${esc(b.backup.state)})</span>` : '—'}</td>
<td>${extra.join('<br>') || '—'}</td>
<td>${fleetCell(b)}</td>
</tr>`;
}

function runRow(r: RunSummary): string {
  const cls = r.result === 'ok' ? 'ok' : 'bad';
  const changed = r.bundles
    .filter((b) => b.status !== 'up-to-date')
    .map(
      (b) =>
        `<code>${esc(b.bundle)}</code> ${esc(b.status)}${b.to && b.to !== b.from ? ` → ${esc(b.to)}` : ''}${b.error ? ` <span class="bad">${esc(b.error)}</span>` : ''}`,
    );
  return `<tr data-run="${esc(r.command)}" data-result="${esc(r.result)}"><td>${when(r.finishedAt)}</td><td>${esc(r.command)}</td><td><span class="badge ${cls}">${esc(r.result)}</span></td><td>${changed.join('<br>') || '<span class="muted">nothing changed</span>'}</td></tr>`;
}

export function renderStatusPage(s: MirrorStatus): string {
  const title = s.mirrorName ? `${s.mirrorName}: mdatp-mirror status` : 'mdatp-mirror status';
  const overall = !s.healthy
    ? '<span class="badge bad" data-healthy="false">not healthy</span>'
    : s.attention.length > 0
      ? '<span class="badge warn" data-healthy="true">serving, needs attention</span>'
      : '<span class="badge ok" data-healthy="true">healthy</span>';
  const attention =
    s.attention.length === 0 ? '' : `<ul id="attention">${s.attention.map((a) => `<li class="bad">${esc(a)}</li>`).join('')}</ul>`;
  const index = s.index
    ? `<p data-index="${esc(s.index.state)}" class="${s.index.problem ? 'bad' : 'ok'}">Signed index: ${esc(s.index.detail)}</p>`
    : '<p class="muted" data-index="off">No signed index (signingKey is not set).</p>';
  const targets =
    s.publishTargets.length === 0
      ? '<p class="muted">No publish targets.</p>'
      : `<ul>${s.publishTargets.map((t) => `<li data-target="${esc(t.target)}" class="${t.problem ? 'bad' : 'ok'}"><code>${esc(t.target)}</code>: ${esc(t.detail)}</li>`).join('')}</ul>`;
  const fleetNote = s.fleet
    ? `<p class="muted">Fleet: ${s.fleet.clients} client address(es) seen; "not seen lately" means no whole bundle fetched for ${formatDuration(s.fleet.windowSeconds * 1000)}. Clients are counted by address: endpoints behind NAT or a proxy count as one.${s.fleet.forgotten > 0 ? ` ${s.fleet.forgotten} least recently seen client(s) were forgotten to keep the record bounded.` : ''}</p>`
    : '';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="refresh" content="${REFRESH_SECONDS}"><title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)} ${overall}</h1>
<p class="muted">Folder <code>${esc(s.downloadFolder)}</code>, rollout ${esc(s.rollout)}. Generated ${when(s.generatedAt)}; reloads every minute. The same facts as JSON: <a href="/status.json">/status.json</a>; metrics: <a href="/metrics">/metrics</a>.</p>
${attention}
<h2>Bundles</h2>
<table id="bundles"><thead><tr><th>bundle</th><th>state</th><th>serving</th><th>age</th><th>upstream (last run)</th><th>backup</th><th>notes</th><th>fleet</th></tr></thead>
<tbody>${s.bundles.map(bundleRow).join('\n')}</tbody></table>
${fleetNote}
<h2>Recent runs</h2>
${s.runs.length === 0 ? '<p class="muted">No runs recorded yet.</p>' : `<table id="runs"><thead><tr><th>finished</th><th>command</th><th>result</th><th>what changed</th></tr></thead><tbody>${s.runs.map(runRow).join('\n')}</tbody></table>`}
<h2>Signed index</h2>
${index}
<h2>Publish targets</h2>
${targets}
</body></html>
`;
}
