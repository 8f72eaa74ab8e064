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

const { runAsProcess } = await import('../dist/bundle/main.js');
await runAsProcess();
