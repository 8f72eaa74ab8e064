// V8 heap options set at run time, for the long commands whose memory they were measured on. At run time rather than
// as node options so a command started by hand gets them too (NODE_OPTIONS refuses these flags); V8 reads both each
// time it decides. Each is set once the command's modules are loaded: a module compiled after a flag change does not
// use the compile cache kept for the other commands.
import { setFlagsFromString } from 'node:v8';

/**
 * After each full collection V8 lets the old generation grow by a factor it picks from its own speed (up to 4)
 * before the next one; under a fleet's requests that headroom filled with garbage and stayed in serve's peak. A 1.5
 * factor took bench:serve's peak from 140-159 to 125-134 MiB (7 runs each, alternating) at the same throughput, 304
 * and HEAD rates.
 */
export function growHeapSlowly(): void {
  setFlagsFromString('--heap-growing-percent=50');
}

/**
 * V8 doubles the young generation each time enough has survived its collections since the last growth, up to 2 x 16
 * MiB. An upload's requests (the SDK's objects live as long as a part is in flight) grew it to the most, and publish
 * held ~20 MiB of it that its live objects never needed; kept at its first size, the peak is ~15 MiB lower at the same
 * CPU time. A fleet's short requests do the same to serve (40-100 MiB of its peak), as `--max-semi-space-size=2`, which
 * its services run with, also prevents.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
