// Received and read-back chunks live outside V8's heap, and V8 frees them only when its young generation fills with
// objects, which a few hundred Buffer wrappers never do: a download let 60-90 MiB of dead chunks pile up per run
// (bench/: peak RSS). A collection every so many bytes handled frees them. The collector is reached as jest's leak
// detector reaches it: --expose-gc set at run time installs gc() in a new context.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

let exposed = false;
let gc: NodeJS.GCFunction | undefined;

function collect(): void {
  if (!exposed) {
    exposed = true;
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as NodeJS.GCFunction | undefined;
  }
  gc?.({ type: 'minor' });
}

/** A counter of bytes whose buffers are no longer needed that collects once every `bytes`. */
function collectEvery(bytes: number): (done: number) => void {
  let since = 0;
  return (done) => {
    since += done;
    if (since < bytes) return;
    since = 0;
    collect();
  };
}

/**
 * Chunks written, hashed or checked: a minor collection (a scavenge, ~0.1 ms) every 8 MiB frees them while they are
 * still young. Dead chunks left longer count as external memory, and V8 answers that with full collections whose
 * concurrent marking took ~1 CPU s per GB downloaded on V8's helper threads at 16 MiB (18-38 of them per GB, 1 at 4
 * or 8 MiB); 4 MiB costs more in scavenges than it saves (bench/).
 */
export const chunksDone = collectEvery(8 * 1024 * 1024);
