// What each publish target holds compared with the local tree, from the record of the last publish (no network
// call: `publish --dry-run` asks the service itself).
import { listLocalObjects } from '../replicate/local-tree.js';
import { readPublishRecord, recordMatches } from '../replicate/publish-record.js';
import type { Settings } from '../settings/load.js';

export interface ReplicaHealth {
  readonly target: string;
  readonly location: string | undefined;
  readonly lastPublishAt: string | undefined;
  readonly problem: boolean;
  readonly detail: string;
}

export async function inspectReplicas(settings: Settings): Promise<ReplicaHealth[]> {
  if (settings.publish.length === 0) return [];
  const [record, local] = await Promise.all([readPublishRecord(settings.downloadFolder), listLocalObjects(settings.downloadFolder)]);
  return settings.publish.map((t) => {
    const r = record[t.name];
    const base = { target: t.name, location: r?.location, lastPublishAt: r?.at };
    if (!r) return { ...base, problem: true, detail: 'never published: run `mdatp-mirror publish`' };
    if (!r.ok) return { ...base, problem: true, detail: `last publish FAILED at ${r.at}: ${r.error ?? 'unknown error'}` };
    if (!recordMatches(r, local))
      return {
        ...base,
        problem: true,
        detail: `behind: the local tree changed since the publish at ${r.at}; run \`mdatp-mirror publish\``,
      };
    return { ...base, problem: false, detail: `in sync: ${Object.keys(r.files).length} object(s) at ${r.location}, published ${r.at}` };
  });
}
