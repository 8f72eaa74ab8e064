// The entry of the single executable (npm run release): no Node.js version check, the executable carries its own.
import { runAsProcess } from './run-process.js';

void runAsProcess();
