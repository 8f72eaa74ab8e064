// mkdir -p that always returns. Node's own recursive mkdir never settles for a path under /proc or a similar pseudo
// file system: procfs answers ENOENT for a new child of a folder that exists, and Node takes that as "create the
// parent first" and retries forever at 100% CPU (the synchronous form freezes the process). A mistyped --out or
// logFilePath must be an error message, not a hang.
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const missingAs = (e: NodeJS.ErrnoException): undefined => {
  if (e.code === 'ENOENT') return undefined;
  throw e;
};

/** Creates `path` and the folders above it that are missing (with `mode`), and rejects as mkdir does otherwise. */
export async function makeDirectories(path: string, mode?: number): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(path); ;) {
    const facts = await stat(at).catch(missingAs);
    if (facts) {
      // Not a folder: mkdir itself says so (EEXIST), as the recursive form would.
      if (!facts.isDirectory()) await mkdir(at);
      break;
    }
    missing.unshift(at);
    if (dirname(at) === at) break;
    at = dirname(at);
  }
  for (const dir of missing) {
    await mkdir(dir, { mode }).catch(async (e: NodeJS.ErrnoException) => {
      // Another process made it in the meantime.
      if (e.code !== 'EEXIST' || !(await stat(dir)).isDirectory()) throw e;
    });
  }
}
