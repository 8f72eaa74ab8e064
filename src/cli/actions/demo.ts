// `mdatp-mirror demo`: start the simulated upstream, mirror every bundle into a folder, print the summary, stop.
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { SimulatedUpstream } from '../../simulate/server.js';
import { CACHED_BUNDLES } from '../../simulate/bundle-factory.js';
import { ALL_BUNDLES } from '../../bundle/identity.js';
import { STATE_DIR } from '../../store/layout.js';
import { parseSize } from '../../util/size.js';
import { usageError } from '../../errors/catalogue.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { download } from './download.js';
import { makeDirectories } from '../../util/make-directories.js';

export interface DemoOptions extends GlobalOptions {
  readonly dir: string;
  readonly bundleSize: string;
}

export async function demo(o: DemoOptions, io: CommandIo): Promise<number> {
  const size = parseSize(o.bundleSize);
  if (size === undefined || size < 4096) throw usageError(`--bundle-size ${o.bundleSize}: write a size like 4MB (at least 4KB).`);
  const folder = resolve(io.cwd, o.dir);
  const sim = await new SimulatedUpstream({
    dir: join(tmpdir(), 'mdatp-mirror-demo-upstream'),
    bundleSize: size,
    keepBundles: CACHED_BUNDLES,
    bundleShape: 'realistic',
  }).start();
  try {
    io.stdout.write(`Simulated upstream at ${sim.baseUrl} (no internet needed); mirroring into ${folder}\n`);
    await sim.prepare(ALL_BUNDLES);
    // A settings file like a user's: the official six fields plus where the upstream is.
    const settingsFile = join(folder, STATE_DIR, 'demo-settings.json');
    await makeDirectories(join(folder, STATE_DIR));
    await writeFile(
      settingsFile,
      JSON.stringify(
        {
          downloadFolder: folder,
          downloadLinuxUpdates: true,
          downloadMacUpdates: true,
          downloadPreviewUpdates: true,
          backupPreviousUpdates: true,
          logFilePath: join(folder, STATE_DIR, 'demo.log'),
          baseUpdateUrl: sim.baseUrl,
        },
        null,
        2,
      ),
    );
    const first = await download({ ...o, settings: settingsFile }, io);
    io.stdout.write(
      `\nA new signatures release upstream for linux/production; running again (only that bundle moves, n-1 goes to production_back):\n`,
    );
    sim.catalog.bump({ os: 'linux', channel: 'production' });
    const second = await download({ ...o, settings: settingsFile }, io);
    io.stdout.write(
      `\nDone. Endpoints would use offlineDefinitionUpdateUrl = <server>/linux/production/ (or mac/...).\n` +
        `Tree: ${folder}\nLog:  ${join(folder, STATE_DIR, 'demo.log')}\n`,
    );
    return Math.max(first, second);
  } finally {
    await sim.stop();
  }
}
