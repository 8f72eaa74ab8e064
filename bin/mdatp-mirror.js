#!/usr/bin/env node
// The executable: runs the CLI bundled by `npm run build` (one file plus lazily loaded chunks: fast start-up).
import module from 'node:module';
import { unsupportedNodeMessage } from '../dist/bundle/supported-node.js';

// First, on any Node: an older one fails while loading the libraries, with a trace that reads like our bug.
const refusal = unsupportedNodeMessage(process.versions.node, process.execPath);
if (refusal) {
  process.stderr.write(refusal);
  process.exit(2);
}

// Node 22+ keeps compiled bytecode between runs: a scheduled no-op run starts faster (bench/).
module.enableCompileCache?.();

// `mdatp-mirror status | head`: a closed pipe is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => process.exit(e.code === 'EPIPE' ? 0 : 1));
}

const { main } = await import('../dist/bundle/main.js');
const code = await main(process.argv.slice(2));
// Idle keep-alive sockets and timers must not hold a scheduled run open once its work is done; flush what was
// printed (pipes are asynchronous on macOS), then leave with the command's exit code.
await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write('', resolve))));
process.exit(code);
