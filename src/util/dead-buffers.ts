// Received and read-back chunks live outside V8's heap, and V8 frees them only when its young generation fills with
// objects, which a few hundred Buffer wrappers never do: a download let 60-90 MiB of dead chunks pile up per run
// (bench/: peak RSS). A minor collection, a scavenge of ~0.1 ms, every 16 MiB of bytes handled frees them. The
// collector is reached as jest's leak detector reaches it: --expose-gc set at run time installs gc() in a new context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVERY_BYTES = 16 * 1024 * 1024;

let scavenge: (() => void) | undefined;
let since = 0;

function collector(): () => void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as NodeJS.GCFunction | undefined;
  return gc ? () => gc({ type: 'minor' }) : () => undefined;
}

/** Counts bytes whose chunks are no longer needed (written, hashed, checked); now and then collects them. */
export function chunksDone(bytes: number): void {
  since += bytes;
  if (since < EVERY_BYTES) return;
  since = 0;
  scavenge ??= collector();
  scavenge();
}
