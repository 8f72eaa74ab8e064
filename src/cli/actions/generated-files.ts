// What schedule install and serve install do with the files they generate: print them (--dry-run) or write them and
// say the one command that activates them.
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { GeneratedFile, Integration } from '../../schedule/install/types.js';
import type { CommandIo } from '../io.js';
import { makeDirectories } from '../../util/make-directories.js';

export async function emitGenerated<Plan>(
  integration: Integration<Plan>,
  files: readonly GeneratedFile[],
  o: { readonly dryRun?: boolean; readonly out?: string },
  io: CommandIo,
): Promise<number> {
  if (o.dryRun) {
    for (const f of files) {
      const text = typeof f.content === 'string' ? f.content : f.content.subarray(2).toString('utf16le').replace(/\r\n/g, '\n');
      io.stdout.write(`# ---- ${f.name} ----\n${text}`);
    }
    // Nothing was written, so there is nothing to activate yet: no command that would read a missing file.
    io.stdout.write(`# dry run: nothing written; without --dry-run these files are written and the command that activates them printed\n`);
    return 0;
  }
  const dir = resolve(io.cwd, o.out ?? '.');
  await makeDirectories(dir);
  for (const f of files) await writeFile(resolve(dir, f.name), f.content);
  io.stdout.write(
    `wrote ${integration.describe}: ${files.map((f) => resolve(dir, f.name)).join(', ')}\nactivate with:\n  ${integration.activate(dir, files)}\n`,
  );
  return 0;
}
