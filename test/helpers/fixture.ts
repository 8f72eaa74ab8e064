// The usual test setup in one call: a simulated upstream for the file, a fresh temp folder per test.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { SimulatedUpstream, SimulatorOptions } from '../../src/simulate/server.js';
import { removeDir, startUpstream, tempDir } from './mirror.js';

export interface MirrorFixture {
  readonly upstream: SimulatedUpstream;
  /** This test's temp folder (settings.json and the log live here). */
  readonly dir: string;
  /** The download folder: dir/mirror, as writeSettings sets it. */
  readonly mirror: string;
}

export function useMirrorFixture(options: Partial<SimulatorOptions> = {}): MirrorFixture {
  const f = {} as { upstream: SimulatedUpstream; dir: string; mirror: string };
  beforeAll(async () => {
    f.upstream = await startUpstream(options);
  });
  afterAll(async () => f.upstream.stop());
  beforeEach(async () => {
    f.dir = await tempDir();
    f.mirror = join(f.dir, 'mirror');
    f.upstream.faults.clear();
    f.upstream.requests.length = 0;
  });
  afterEach(async () => removeDir(f.dir));
  return f;
}
