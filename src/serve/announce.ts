// What serve prints when it is listening: where, and the offlineDefinitionUpdateUrl each endpoint should use.
import { hostname } from 'node:os';
import { OSES, type BundleId, type Channel } from '../bundle/identity.js';

export interface Announcement {
  readonly folder: string;
  readonly host: string | undefined;
  readonly scheme: string;
  readonly port: number;
  readonly workers: number;
  readonly plan: readonly BundleId[];
  readonly preview: boolean;
}

export function announcement(a: Announcement): string {
  const wildcard = !a.host || a.host === '::' || a.host === '0.0.0.0';
  const shown = wildcard ? hostname() : a.host.includes(':') ? `[${a.host}]` : a.host;
  const base = `${a.scheme}://${shown}:${a.port}`;
  const channels: Channel[] = a.preview ? ['production', 'preview'] : ['production'];
  const urls = OSES.filter((os) => a.plan.some((b) => b.os === os)).flatMap((os) =>
    channels.map((ch) => `  ${os}/${ch}: offlineDefinitionUpdateUrl = ${base}/${os}/${ch}/`),
  );
  const workers = a.workers > 1 ? ` (${a.workers} workers)` : '';
  return [
    `mdatp-mirror serving ${a.folder} on ${a.scheme}://${a.host ?? '*'}:${a.port}${workers}`,
    'endpoints:',
    ...urls,
    `health: ${base}/healthz  metrics: ${base}/metrics`,
    '',
  ].join('\n');
}
