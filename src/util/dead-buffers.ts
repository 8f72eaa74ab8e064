// Received and read-back chunks live outside V8's heap, and V8 frees them only when its young generation fills with
// objects, which a few hundred Buffer wrappers never do: a download let 60-90 MiB of dead chunks pile up per run
// (bench/: peak RSS). A minor collection, a scavenge of ~0.1 ms, every 16 MiB of bytes handled frees them. The
// collector is reached as jest's leak detector reaches it: --expose-gc set at run time installs gc() in a new context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVERY_BYTES = 16 * 1024 * 1024;

let scavenge: (() => void) | undefined;
let since = 0;

let gcFunction: NodeJS.GCFunction | undefined | null = null;

function exposedGc(): NodeJS.GCFunction | undefined {
  if (gcFunction === null) {
    setFlagsFromString('--expose-gc');
    gcFunction = runInNewContext('gc') as NodeJS.GCFunction | undefined;
  }
  return gcFunction;
}

function collector(): () => void {
  const gc = exposedGc();
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

/**
 * An upload's part buffers (8 MiB) live as long as the part's request, long enough for V8 to move their wrappers to
 * the old generation, where a scavenge never looks: dead parts piled up until a full collection (bench:publish). A
 * full collection of the small heap every few parts frees them.
 */
const PARTS_EVERY_BYTES = 32 * 1024 * 1024;
let partsSince = 0;

export function partsDone(bytes: number): void {
  partsSince += bytes;
  if (partsSince < PARTS_EVERY_BYTES) return;
  partsSince = 0;
  exposedGc()?.({ type: 'major' });
}
