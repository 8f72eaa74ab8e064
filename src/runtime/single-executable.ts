// Whether this process is the single executable that `npm run release` builds (Node's SEA), not node running bin/.
import { isSea } from 'node:sea';

export const isSingleExecutable = (): boolean => isSea();
