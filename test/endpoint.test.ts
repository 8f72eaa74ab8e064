// endpoint-config (generate, lint) and verify, through the real CLI.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { runCli } from './helpers/cli.js';
import { flipByte, removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';
import { startServe } from './helpers/serve.js';

/** The part of mdatp_managed.json these tests read. */
type ManagedJson = { antivirusEngine: Record<string, unknown> };

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

describe('endpoint-config', () => {
  it('prints mdatp_managed.json with the keys spelled and placed as the published schema has them', async () => {
    const r = await runCli(['endpoint-config', '--url', 'http://mirror.example.com:8080', '--os', 'linux', '--interval', '3600']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      cloudService: { automaticDefinitionUpdateEnabled: true, definitionUpdatesInterval: 3600 },
      antivirusEngine: {
        offlineDefinitionUpdate: 'enabled',
        offlineDefinitionUpdateUrl: 'http://mirror.example.com:8080/linux/production/',
        offlineDefinitionUpdateFallbackToCloud: false,
      },
      features: { offlineDefinitionUpdateVerifySig: 'enabled' },
    });
  });

  it('ends the URL in /<os>/<channel>/ whatever form it was given in, and writes --out', async () => {
    const cases = [
      ['http://m:8080/', 'mac', 'preview', 'http://m:8080/mac/preview/'],
      ['http://m:8080/mac/preview', 'mac', 'preview', 'http://m:8080/mac/preview/'],
      ['/mnt/wdav-update', 'linux', 'production', '/mnt/wdav-update/linux/production'],
    ] as const;
    for (const [url, os, channel, expected] of cases) {
      const r = await runCli([
        'endpoint-config',
        '--url',
        url,
        '--os',
        os,
        '--channel',
        channel,
        '--format',
        'json',
        '--out',
        join(dir, 'm.json'),
      ]);
      expect(r.code).toBe(0);
      expect((JSON.parse(await readFile(join(dir, 'm.json'), 'utf8')) as ManagedJson).antivirusEngine.offlineDefinitionUpdateUrl).toBe(
        expected,
      );
    }
    const staging = await runCli(['endpoint-config', '--url', 'http://m:8080', '--os', 'linux', '--staging', '--fallback-to-cloud']);
    expect((JSON.parse(staging.stdout) as ManagedJson).antivirusEngine).toMatchObject({
      offlineDefinitionUpdateUrl: 'http://m:8080/staging/linux/production/',
      offlineDefinitionUpdateFallbackToCloud: true,
    });
  });

  it('exits 2 on an interval outside 60-86400 seconds or a URL that names arch_*', async () => {
    for (const interval of ['59', '86401', 'soon', '30s', '2d', '1.5s']) {
      const r = await runCli(['endpoint-config', '--url', 'http://m', '--os', 'linux', '--interval', interval]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/endpoints accept 60 to 86400 seconds/);
    }
    // Durations as everywhere else in the tool, and plain seconds.
    for (const [interval, seconds] of [
      ['4h', 14_400],
      ['90m', 5_400],
      ['3600', 3_600],
    ] as const) {
      const r = await runCli(['endpoint-config', '--url', 'http://m', '--os', 'linux', '--interval', interval]);
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { cloudService: { definitionUpdatesInterval: number } }).cloudService.definitionUpdatesInterval).toBe(
        seconds,
      );
    }
    const profileForLinux = await runCli(['endpoint-config', '--url', 'http://m', '--os', 'linux', '--format', 'mobileconfig']);
    expect(profileForLinux.code).toBe(2);
    expect(profileForLinux.stderr).toMatch(/mobileconfig is a macOS configuration profile; for --os linux use --format json/);
    const arch = await runCli(['endpoint-config', '--url', 'http://m/linux/production/arch_x86_64/', '--os', 'linux']);
    expect(arch.code).toBe(2);
    expect(arch.stderr).toMatch(/leave out arch_\*/);
  });

  it('prints a .mobileconfig for macOS: a Configuration profile with a com.microsoft.wdav payload', async () => {
    const r = await runCli(['endpoint-config', '--url', 'https://mirror.example.com', '--os', 'mac']);
    expect(r.code).toBe(0);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    type Dict = {
      key: string[];
      string?: string[];
      integer?: number[];
      dict?: Dict[];
      array?: { dict: Dict[] }[];
      true?: unknown[];
      false?: unknown[];
    };
    const parsed = new XMLParser({ isArray: (n) => ['dict', 'key', 'string', 'integer', 'array', 'true', 'false'].includes(n) }).parse(
      r.stdout,
    ) as { plist: { dict: Dict[] } };
    const top = parsed.plist.dict[0]!;
    expect(top.key).toEqual(
      expect.arrayContaining(['PayloadContent', 'PayloadType', 'PayloadIdentifier', 'PayloadUUID', 'PayloadVersion', 'PayloadScope']),
    );
    expect(top.string).toContain('Configuration');
    const payload = top.array![0]!.dict[0]!;
    expect(payload.string).toContain('com.microsoft.wdav');
    expect(payload.key).toEqual(expect.arrayContaining(['cloudService', 'antivirusEngine', 'features']));
    expect(r.stdout).toContain('<string>https://mirror.example.com/mac/production/</string>');
    // The same input gives the same profile identity (an MDM updates it instead of adding another).
    expect((await runCli(['endpoint-config', '--url', 'https://mirror.example.com', '--os', 'mac'])).stdout).toBe(r.stdout);
  });

  it('leaves out offlineDefinitionUpdateVerifySig for Linux endpoints that deprecate it, and lint flags it there', async () => {
    const modern = await runCli(['endpoint-config', '--url', 'http://m:8080', '--os', 'linux', '--endpoint-version', '101.26062.0005']);
    expect(modern.code).toBe(0);
    expect(JSON.parse(modern.stdout)).not.toHaveProperty('features');
    const older = await runCli(['endpoint-config', '--url', 'http://m:8080', '--os', 'linux', '--endpoint-version', '101.25010.0001']);
    expect(JSON.parse(older.stdout)).toMatchObject({ features: { offlineDefinitionUpdateVerifySig: 'enabled' } });
    const tooOld = await runCli(['endpoint-config', '--url', 'http://m:8080', '--os', 'linux', '--endpoint-version', '101.23000.0001']);
    expect(tooOld.code).toBe(2);
    expect(tooOld.stderr).toContain('Linux endpoints take offline updates from 101.24022.0001');

    const file = join(dir, 'mdatp_managed.json');
    await writeFile(file, older.stdout);
    const flagged = await runCli(['endpoint-config', 'lint', file, '--endpoint-version', '101.26062.0005']);
    expect(flagged.code).toBe(1);
    expect(flagged.stdout).toMatch(
      /features\.offlineDefinitionUpdateVerifySig: deprecated from Linux 101\.26062\.0005.*\n {2}fix: remove it/,
    );
    expect((await runCli(['endpoint-config', 'lint', file, '--endpoint-version', '101.26062.0004'])).code).toBe(0);
    expect((await runCli(['endpoint-config', 'lint', file, '--os', 'mac', '--endpoint-version', '101.26062.0005'])).code).toBe(0);
    expect((await runCli(['endpoint-config', 'lint', file, '--endpoint-version', 'latest'])).code).toBe(2);
  });

  it('lint passes what endpoint-config generates, as JSON and as a profile', async () => {
    for (const format of ['json', 'mobileconfig']) {
      const out = join(dir, `gen.${format}`);
      expect((await runCli(['endpoint-config', '--url', 'http://m:8080', '--os', 'mac', '--format', format, '--out', out])).code).toBe(0);
      const r = await runCli(['endpoint-config', 'lint', out]);
      expect(r.stdout).toContain('no problems found');
      expect(r.code).toBe(0);
    }
  });

  it('lint reports each mistake with its fix and exits 1', async () => {
    const file = join(dir, 'mdatp_managed.json');
    await writeFile(
      file,
      JSON.stringify({
        cloudService: { automaticDefinitionUpdateEnabled: 'true', definitionUpdatesInterval: 30 },
        antivirusEngine: {
          offlineDefinitionUpdateUrl: 'http://172.22.199.67:8000/linux/production/arch_x86_64/',
          offlineDefintionUpdateFallbackToCloud: false,
          offlineDefinitionUpdate: 'Enabled',
          offlineDefinitionUpdateVerifySig: 'enabled',
        },
        features: { offlineDefinitionUpdate: 'enabled' },
      }),
    );
    const r = await runCli(['endpoint-config', 'lint', file]);
    expect(r.code).toBe(1);
    const expectations: RegExp[] = [
      /antivirusEngine\.offlineDefintionUpdateFallbackToCloud: misspelled key; endpoints silently ignore it\.\n {2}fix: rename it to "offlineDefinitionUpdateFallbackToCloud"/,
      /antivirusEngine\.offlineDefinitionUpdateVerifySig: belongs in "features", not "antivirusEngine".*\n {2}fix: move it to features\.offlineDefinitionUpdateVerifySig/,
      /features\.offlineDefinitionUpdate: placed under "features" as one 2024 revision of the docs had it; that placement is deprecated/,
      /cloudService\.automaticDefinitionUpdateEnabled: must be true or false, found "true"\.\n {2}fix: write true without quotes/,
      /antivirusEngine\.offlineDefinitionUpdate: must be one of "enabled", "disabled", found "Enabled"\.\n {2}fix: write "enabled" \(lower case\)/,
      /cloudService\.definitionUpdatesInterval: 30 is out of range \(60 to 86400 seconds\)/,
      /includes "\/arch_x86_64\/"; endpoints append arch_<arch>\/updates\.zip themselves\.\n {2}fix: end it at the channel: "http:\/\/172\.22\.199\.67:8000\/linux\/production\/"/,
    ];
    for (const e of expectations) expect(r.stdout).toMatch(e);

    await writeFile(
      file,
      JSON.stringify({ antivirusEngine: { offlineDefinitionUpdate: 'enabled', offlineDefinitionUpdateUrl: 'http://mirror:8080/' } }),
    );
    const trailing = await runCli(['endpoint-config', 'lint', file]);
    expect(trailing.stdout).toMatch(
      /does not end with \/<os>\/<channel>\/\.\n {2}fix: append the tree, for example "http:\/\/mirror:8080\/linux\/production\/"/,
    );
  });

  it('lint shows broken JSON with its line, column and a code frame, names a missing file and UTF-16, and carries exitCode in --json', async () => {
    const file = join(dir, 'mdatp_managed.json');
    await writeFile(file, '{\n  "antivirusEngine": {\n    "offlineDefinitionUpdate": "enabled",\n  }\n}\n');
    const broken = await runCli(['endpoint-config', 'lint', file]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain(`${file}:4:3: invalid JSON (Expected double-quoted property name)`);
    expect(broken.stderr).toMatch(/> 4 \| {3}\}\n +\| {3}\^/);
    const missing = await runCli(['endpoint-config', 'lint', join(dir, 'nothere.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`${join(dir, 'nothere.json')} does not exist`);
    expect(missing.stderr).not.toMatch(/ENOENT|\n\s+at /);
    const managed = JSON.stringify({ antivirusEngine: { offlineDefinitionUpdate: 'enabled' } });
    await writeFile(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(managed, 'utf16le')]));
    const utf16 = await runCli(['endpoint-config', 'lint', file]);
    expect(utf16.code).toBe(2);
    expect(utf16.stderr).toContain(`${file} is JSON saved as UTF-16 (what Windows PowerShell 5.1's Out-File and > write)`);
    await writeFile(file, managed);
    const json = await runCli(['endpoint-config', 'lint', file, '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 1, kind: 'json' });
  });
});

describe('verify', () => {
  let upstream: SimulatedUpstream;
  let mirror: string;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(async () => upstream.stop());
  beforeEach(async () => {
    mirror = join(dir, 'mirror');
    await writeSettings(dir, upstream);
    expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(0);
  });

  it('passes a good mirror served over HTTP and fails a corrupted bundle', async () => {
    const serve = await startServe(['--settings', join(dir, 'settings.json')]);
    try {
      const url = `${serve.base}/linux/production/`;
      const good = await runCli(['verify', url]);
      expect(good.code).toBe(0);
      expect(good.stdout).toMatch(/x86_64\s+ok\s+1\.421\.\d+\.0/);
      expect(good.stdout).toMatch(/arm64\s+ok/);

      const bundle = join(mirror, 'linux/production/arch_arm64/updates.zip');
      await flipByte(bundle);
      const bad = await runCli(['verify', url, '--json']);
      expect(bad.code).toBe(1);
      const report = JSON.parse(bad.stdout) as { bundles: { arch: string; ok: boolean; problems: string[] }[] };
      expect(report.bundles.find((b) => b.arch === 'x86_64')!.ok).toBe(true);
      const arm = report.bundles.find((b) => b.arch === 'arm64')!;
      expect(arm.ok).toBe(false);
      expect(arm.problems.join(' ')).toMatch(/CRC-32|SHA-256 does not match/);
    } finally {
      serve.child.kill('SIGTERM');
      await serve.child.result;
    }
  });

  it('names a server that does not answer once, and hints at /<os>/<channel>/ when pointed at the mirror root', async () => {
    const serve = await startServe(['--settings', join(dir, 'settings.json')]);
    try {
      const root = await runCli(['verify', `${serve.base}/`]);
      expect(root.code).toBe(1);
      expect(root.stdout).toContain(
        `the location must end at the tree endpoints use, /<os>/<channel>/, for example ${serve.base}/linux/production/`,
      );
    } finally {
      serve.child.kill('SIGTERM');
      await serve.child.result;
    }
    const gone = await runCli(['verify', `${serve.base}/linux/production/`, '--json']);
    expect(gone.code).toBe(1);
    const report = JSON.parse(gone.stdout) as { error: { code: string; message: string }; exitCode: number };
    expect(report).toMatchObject({ exitCode: 1, error: { code: 'UPSTREAM_NETWORK' } });
    expect(report.error.message).toContain(`${serve.base}/linux/production/ did not answer`);
    expect(gone.stderr.match(/did not answer/g)).toHaveLength(1);
    expect(gone.stderr).not.toMatch(/not a complete zip|ENOENT/);
  });

  it('checks a directory location, and compares with upstream on --check-upstream', async () => {
    const location = join(mirror, 'linux/production');
    expect(
      (await runCli(['verify', location, '--arch', 'x86_64', '--check-upstream', '--settings', join(dir, 'settings.json')])).code,
    ).toBe(0);
    upstream.catalog.bump({ os: 'linux' });
    const behind = await runCli(['verify', location, '--arch', 'x86_64', '--check-upstream', '--settings', join(dir, 'settings.json')]);
    expect(behind.code).toBe(1);
    expect(behind.stdout).toMatch(/behind upstream: mirror has 1\.421\.\d+\.0, upstream 1\.421\.\d+\.0/);
    const missing = await runCli(['verify', join(dir, 'nowhere/linux/production')]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(/does not exist/);
  });
});
