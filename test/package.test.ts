// The published package works: `npm pack`, a global install from that tarball, then `mdatp-mirror --version`. The
// dependencies come from a registry stand-in on 127.0.0.1 built from what is installed here: no test leaves loopback.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { cleanEnv } from './helpers/cli.js';
import { removeDir, tempDir } from './helpers/mirror.js';
import { startLocalRegistry } from './helpers/local-registry.js';

const exec = promisify(execFile);
const root = new URL('..', import.meta.url).pathname;
let dir: string;

beforeAll(async () => {
  dir = await tempDir('mdatp-mirror-pack-');
});
afterAll(async () => removeDir(dir));

it('installs globally from the npm pack tarball and answers --version', { timeout: 180_000 }, async () => {
  const env = cleanEnv({ npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' });
  // --ignore-scripts: the build already ran in pretest; prepack would only build again.
  const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, env });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  const paths = packed!.files.map((f) => f.path);
  expect(paths).toContain('bin/mdatp-mirror.js');
  expect(paths).toContain('dist/bundle/main.js');
  expect(paths).toContain('settings.example.json');
  expect(paths.some((p) => p.startsWith('test/') || p.startsWith('src/'))).toBe(false);

  const prefix = join(dir, 'prefix');
  const registry = await startLocalRegistry(root);
  try {
    // A cache of its own: nothing may come from an earlier online install.
    await exec(
      'npm',
      ['install', '--global', '--prefix', prefix, '--registry', registry.url, '--cache', join(dir, 'cache'), join(dir, packed!.filename)],
      {
        env,
      },
    );
    // Every dependency came from the stand-in (the cache was empty, and no other registry was configured).
    expect(registry.tarballsServed()).toBeGreaterThan(50);
    console.log(`npm install --global fetched ${registry.tarballsServed()} packages`);
  } finally {
    await registry.close();
  }
  const bin = process.platform === 'win32' ? join(prefix, 'mdatp-mirror.cmd') : join(prefix, 'bin', 'mdatp-mirror');
  const version = await exec(bin, ['--version'], { env });
  const pkg = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };
  expect(version.stdout.trim().split(' ')[0]).toBe(pkg.version);
  expect(version.stdout).toMatch(/\(commit [0-9a-f]{12}(\+dirty)?; Node\.js /);
});
