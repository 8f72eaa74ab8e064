// How V8 manages memory for a server that lives for weeks and answers a fleet's many short requests.
import { setFlagsFromString } from 'node:v8';

// The V8 options serve runs with when the OS starts it (serve install) and for its worker processes. Many short-lived
// connections (a fleet's HEADs and 304s) made V8 grow the young generation to its largest, and the server's peak
// RSS with it: 211-246 MiB in bench:serve, 151-159 MiB capped at 2 MiB per semi-space, at the same throughput,
// 304 and HEAD rates. (1 MiB measured the same as 2.) Memory for dead file chunks is not the issue here: each
// response reuses its two buffers (send-bytes.ts).
export const SERVE_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * After each full collection V8 lets the old generation grow by a factor it picks from its own speed (up to 4)
 * before the next one; under a fleet's requests that headroom filled with garbage and stayed in the peak. A 1.5
 * factor took bench:serve's peak from 140-159 to 125-134 MiB (7 runs each, alternating) at the same throughput, 304
 * and HEAD rates. Set at run time, not as a node option, so `mdatp-mirror serve` started by hand gets it too
 * (NODE_OPTIONS refuses this flag); V8 reads it at every collection. Set once the server is up: a module compiled
 * after a flag change does not use the compile cache kept for the other commands.
 */
export function growHeapSlowly(): void {
  setFlagsFromString('--heap-growing-percent=50');
}
