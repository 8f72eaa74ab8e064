// The fleet record kept across restarts: serve saves it every minute when it changed and when it stops, in the
// mirror's state folder (never served). An unreadable file starts an empty record rather than stopping serve.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { writeJsonAtomic } from '../store/fs-safe.js';
import type { StoreLayout } from '../store/layout.js';
import { FleetRecord } from './fleet-record.js';

const SAVE_EVERY_MS = 60_000;

const persisted = z.object({
  version: z.literal(1),
  forgotten: z.int().check(z.minimum(0)),
  sightings: z.array(z.tuple([z.string(), z.string(), z.string(), z.number()])),
});

const fleetFile = (layout: StoreLayout): string => join(layout.stateDir, 'fleet.json');

export async function loadFleet(layout: StoreLayout, warn: (message: string) => void): Promise<FleetRecord> {
  const record = new FleetRecord();
  let text: string;
  try {
    text = await readFile(fleetFile(layout), 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      warn(
        `cannot read ${fleetFile(layout)} (${code ?? (e as Error).message}): fleet adoption starts afresh; give serve's account read and write access to ${layout.stateDir}`,
      );
    return record;
  }
  try {
    record.restore(persisted.parse(JSON.parse(text)));
  } catch (e) {
    warn(`${fleetFile(layout)} is unreadable (${(e as Error).message.split('\n')[0]}); fleet adoption starts afresh`);
  }
  return record;
}

/** Saves now and then every minute while it changes; stop() saves a last time. */
export function keepSaved(record: FleetRecord, layout: StoreLayout, warn: (message: string) => void): { stop: () => Promise<void> } {
  let warned = false;
  const save = async (): Promise<void> => {
    if (!record.changed) return;
    try {
      await writeJsonAtomic(fleetFile(layout), record.takeSnapshot(), false);
      warned = false;
    } catch (e) {
      // Said once, not every minute: a serve account with read-only access to the folder still serves.
      if (!warned)
        warn(
          `cannot save ${fleetFile(layout)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}): fleet adoption is kept in memory only; give serve's account write access to ${layout.stateDir}`,
        );
      warned = true;
    }
  };
  const timer = setInterval(() => void save(), SAVE_EVERY_MS);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await save();
    },
  };
}
