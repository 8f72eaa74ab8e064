// Fixtures and checks shared by the integration tests: temp folders, settings files, tree snapshots, and the one
// invariant every failure case must leave true.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { expect } from 'vitest';
import { SimulatedUpstream, type SimulatorOptions } from '../../src/simulate/server.js';

export async function tempDir(prefix = 'mdatp-mirror-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** The simulated bundles are generated once per test file and shared through this cache folder. */
const bundleCache = join(tmpdir(), 'mdatp-mirror-test-bundles');

export async function startUpstream(opts: Partial<SimulatorOptions> = {}): Promise<SimulatedUpstream> {
  return new SimulatedUpstream({ dir: bundleCache, bundleSize: 512 * 1024, ...opts }).start();
}

export interface TestSettings {
  readonly [key: string]: unknown;
}

/** A settings file in dir; paths are relative on purpose (they resolve against the settings file's folder). */
export async function writeSettings(dir: string, upstream: SimulatedUpstream | string, extra: TestSettings = {}): Promise<string> {
  const file = join(dir, 'settings.json');
  const settings = {
    downloadFolder: 'mirror',
    downloadLinuxUpdates: true,
    downloadMacUpdates: false,
    downloadPreviewUpdates: false,
    backupPreviousUpdates: true,
    logFilePath: 'mirror.log',
    baseUpdateUrl: typeof upstream === 'string' ? upstream : upstream.baseUrl,
    retries: 3,
    retryInitialDelay: '10ms',
    retryMaxDelay: '200ms',
    ...extra,
  };
  await writeFile(file, JSON.stringify(settings, null, 2));
  return file;
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function walk(dir: string): Promise<string[]> {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

/** Every served file (the tool's private .mdatp-mirror folder excluded), relative path -> sha256. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const files = (await walk(root)).filter((f) => !relative(root, f).startsWith('.mdatp-mirror'));
  const snap: Record<string, string> = {};
  for (const f of files.sort()) snap[relative(root, f).split('\\').join('/')] = await sha256(f);
  return snap;
}

export async function readJson<T = Record<string, unknown>>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/**
 * The invariant: every served updates.zip is a complete zip whose size and SHA-256 match its manifest.json (and
 * whose embedded versions match the manifest's), and no temp file of ours remains. Checked with tools that are not
 * the product's (Info-ZIP's `unzip -t`, coreutils' `sha256sum`), so a bug in our zip check or hashing cannot hide in
 * both. `bundles` is how many pairs the tree must hold: at least one unless a test says otherwise, so a tree
 * emptied by a bug does not pass.
 */
export async function expectConsistentMirror(root: string, bundles: number | 'some' = 'some'): Promise<void> {
  const files = await walk(root);
  const served = files.filter((f) => f.endsWith('updates.zip'));
  if (bundles === 'some') expect(served.length, `${root} holds at least one bundle`).toBeGreaterThan(0);
  else expect(served.length, `bundles in ${root}`).toBe(bundles);
  for (const bundle of served) {
    const dir = bundle.slice(0, -'updates.zip'.length);
    const manifest = await readJson<{ EngineVersion: string; DefinitionVersion: string; size: number; sha256: string }>(
      join(dir, 'manifest.json'),
    );
    const unzip = spawnSync('unzip', ['-tqq', bundle], { encoding: 'utf8' });
    expect(unzip.status, `unzip -t ${bundle}: ${unzip.stdout}${unzip.stderr}`).toBe(0);
    const sum = execFileSync('sha256sum', ['--', bundle], { encoding: 'utf8' }).split(' ')[0];
    expect(sum, `${bundle} matches its manifest`).toBe(manifest.sha256);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(bundle));
    expect(size).toBe(manifest.size);
    const embedded = await zipText(bundle, 'versions.txt');
    expect(embedded, `${bundle} holds the versions its manifest records`).toContain(`signatures=${manifest.DefinitionVersion}\n`);
    expect(embedded).toContain(`engine=${manifest.EngineVersion}\n`);
  }
  const leftovers = files.filter((f) => /\.tmp$|\.partial$|\.superseded$|manifest\.json\.\w+$|[/\\]tmp[/\\]/.test(relative(root, f)));
  expect(leftovers, 'no temp files remain').toEqual([]);
  expect(existsSync(join(root, '.mdatp-mirror', 'lock')), 'lock released').toBe(false);
}

/** One small text entry of a zip, read with yauzl (the simulated bundles carry their versions in versions.txt). */
export async function zipText(zipPath: string, name: string): Promise<string> {
  const yauzl = (await import('yauzl')).default;
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      zip.on('entry', (entry: import('yauzl').Entry) => {
        if (entry.fileName !== name) return zip.readEntry();
        zip.openReadStream(entry, (e2, stream) => {
          if (e2) return reject(e2);
          let text = '';
          stream.on('data', (c: Buffer) => (text += c.toString()));
          stream.on('end', () => (zip.close(), resolve(text)));
        });
      });
      zip.on('end', () => reject(new Error(`${name} not found in ${zipPath}`)));
      zip.readEntry();
    });
  });
}

/** Flips one byte in the middle of a file: same size, broken CRC and SHA-256 (what bit rot or a bad copy does). */
export async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0xff;
  await writeFile(path, bytes);
}

/** The JSON lines of the log a test's settings write (mirror.log in dir). */
export async function logLines(dir: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dir, 'mirror.log'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
