// The simulated upstream as demo and simulate-upstream use it: its bundle cache stays bounded however many releases
// pass, and a port in use is the user's situation, not a bug.
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { ALL_BUNDLES } from '../src/bundle/identity.js';
import { CACHED_BUNDLES } from '../src/simulate/bundle-factory.js';
import { SimulatedUpstream } from '../src/simulate/server.js';
import { runCli } from './helpers/cli.js';
import { removeDir, tempDir, writeSettings } from './helpers/mirror.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

it('keeps the most recently used bundles up to its bound, the current releases among them', async () => {
  const sim = new SimulatedUpstream({ dir, bundleSize: 8 * 1024, keepBundles: CACHED_BUNDLES });
  const current = (): string[] => ALL_BUNDLES.map((id) => `-${sim.catalog.get(id).signatures}-`);
  for (let release = 0; release < 5; release++) {
    await sim.prepare(ALL_BUNDLES);
    sim.catalog.bump();
  }
  await sim.prepare(ALL_BUNDLES);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.zip'));
  // Six releases of eight bundles were generated; only the bound is left.
  expect(files).toHaveLength(CACHED_BUNDLES);
  for (const version of current()) expect(files.some((f) => f.includes(version))).toBe(true);
});

it('simulate-upstream on a port in use says so and exits 2, without a trace', async () => {
  const taken = await new SimulatedUpstream({ dir, bundleSize: 8 * 1024 }).start();
  try {
    const r = await runCli(['simulate-upstream', '--port', String(new URL(taken.baseUrl).port)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--port \d+: the port is already in use .*--port 0/);
    expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    // serve says the same of a port in use, with the same exit code.
    await mkdir(join(dir, 'mirror'));
    const settings = await writeSettings(dir, taken);
    const serve = await runCli(['serve', '--settings', settings, '--host', '127.0.0.1', '--port', new URL(taken.baseUrl).port]);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(/port \d+ is already in use; pick another with --port/);
  } finally {
    await taken.stop();
  }
});
