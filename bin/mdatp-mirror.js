#!/usr/bin/env node
// The executable: runs the compiled CLI (npm run build) and exits with its code.
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
