// How V8 manages memory for a server that lives for weeks and answers a fleet's many short requests (serve also sets
// the V8 heap flags of util/v8-heap.ts at run time, which cover a server started without these options).
//
// The V8 options serve runs with when the OS starts it (serve install) and for its worker processes. Many short-lived
// connections (a fleet's HEADs and 304s) made V8 grow the young generation to its largest, and the server's peak
// RSS with it: 211-246 MiB in bench:serve, 151-159 MiB capped at 2 MiB per semi-space, at the same throughput,
// 304 and HEAD rates. (1 MiB measured the same as 2.) Memory for dead file chunks is not the issue here: each
// response reuses its two buffers (send-bytes.ts).
import { isSingleExecutable } from '../runtime/single-executable.js';

export const SERVE_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=2'];

/**
 * The node options serve's worker processes start with: serve's own, once even when the primary already had them
 * (serve install). None for a single executable, which reads no node options from its command line: they would reach
 * the CLI as its first arguments.
 */
export const workerNodeOptions = (): string[] => (isSingleExecutable() ? [] : [...new Set([...process.execArgv, ...SERVE_NODE_OPTIONS])]);
