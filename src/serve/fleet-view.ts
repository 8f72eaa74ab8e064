// Where serve keeps fleet sightings: in this process (one server), or in the cluster's primary, which the workers
// tell what they served and ask for counts (so with --workers the counts are the whole server's, saved once).
import type { Worker } from 'node:cluster';
import type { FleetCounts, FleetRecord, Sighting } from '../fleet/fleet-record.js';

export interface FleetView {
  observe(s: Sighting): void;
  counts(current: ReadonlyMap<string, string>): Promise<FleetCounts>;
}

const SIGHTING = 'mdatp-mirror:fleet-sighting';
const REQUEST = 'mdatp-mirror:fleet-request';
const RESPONSE = 'mdatp-mirror:fleet-response';

interface SightingMessage {
  readonly type: typeof SIGHTING;
  readonly sighting: Sighting;
}
interface CountsRequest {
  readonly type: typeof REQUEST;
  readonly id: number;
  readonly current: readonly (readonly [string, string])[];
}
interface CountsResponse {
  readonly type: typeof RESPONSE;
  readonly id: number;
  readonly counts: FleetCounts;
}

export const localFleet = (record: FleetRecord, windowMs: number): FleetView => ({
  observe: (s) => record.observe(s),
  counts: (current) => Promise.resolve(record.counts(current, Date.now(), windowMs)),
});

/** In a worker: the primary's record. */
export function primaryFleet(): FleetView {
  let next = 0;
  return {
    observe: (sighting) => process.send?.({ type: SIGHTING, sighting } satisfies SightingMessage),
    counts: (current) => {
      const id = ++next;
      return new Promise((resolve) => {
        const on = (m: CountsResponse): void => {
          if (m?.type !== RESPONSE || m.id !== id) return;
          process.off('message', on);
          resolve(m.counts);
        };
        process.on('message', on);
        process.send?.({ type: REQUEST, id, current: [...current] } satisfies CountsRequest);
      });
    },
  };
}

/** In the primary: keep each worker's sightings and answer its requests for counts. */
export function answerWorker(w: Worker, fleet: FleetView): void {
  w.on('message', (m: SightingMessage | CountsRequest) => {
    if (m?.type === SIGHTING) fleet.observe(m.sighting);
    else if (m?.type === REQUEST)
      void fleet.counts(new Map(m.current)).then((counts) => w.send({ type: RESPONSE, id: m.id, counts } satisfies CountsResponse));
  });
}
