// Settings as a user meets them: the official file unchanged, and every mistake named with its file, field and fix.
import { existsSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { loadSettings } from '../src/settings/load.js';
import { OFFICIAL_BASE_URL } from '../src/settings/defaults.js';
import { runCli } from './helpers/cli.js';
import { removeDir, snapshot, startUpstream, tempDir } from './helpers/mirror.js';

let upstream: SimulatedUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => upstream.stop());
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

async function settingsFile(content: string | object, name = 'settings.json'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('settings', () => {
  it('accepts the official six-field settings.json unchanged (upstream given by --base-url)', async () => {
    // The sample file Microsoft ships, with paths pointed into the temp folder.
    const file = await settingsFile(`{
    "downloadFolder": "${join(dir, 'wdav-update').replace(/\\/g, '\\\\')}",
    "downloadLinuxUpdates": true,
    "downloadMacUpdates": true,
    "downloadPreviewUpdates": false,
    "backupPreviousUpdates": true,
    "logFilePath": "${join(dir, 'mdatp_offline_updates.log').replace(/\\/g, '\\\\')}"
}`);
    const r = await runCli(['download', '--settings', file, '--base-url', upstream.baseUrl]);
    expect(r.code).toBe(0);
    expect(Object.keys(await snapshot(join(dir, 'wdav-update')))).toHaveLength(8);
    expect(existsSync(join(dir, 'mdatp_offline_updates.log'))).toBe(true);
  });

  it("reads settings.json as Windows PowerShell 5.1 writes it (Microsoft's settings.ps1: UTF-16 LE with a byte-order mark)", async () => {
    // `$settings | ConvertTo-Json | Out-File -FilePath settings.json`: a BOM, UTF-16 LE, CRLF line ends.
    const json = [
      '{',
      '    "downloadLinuxUpdates":  true,',
      `    "downloadFolder":  ${JSON.stringify(join(dir, 'wdav-update'))},`,
      `    "logFilePath":  ${JSON.stringify(join(dir, 'mdatp_offline_updates.log'))},`,
      '    "architectures":  [',
      '                          "arm64"',
      '                      ]',
      '}',
      '',
    ];
    await writeFile(join(dir, 'settings.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json.join('\r\n'), 'utf16le')]));
    const r = await runCli(['download', '--base-url', upstream.baseUrl], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'wdav-update/linux/production/arch_arm64/updates.zip'))).toBe(true);

    // `Out-File -Encoding BigEndianUnicode`, with a mistake: reported at its line and column in the text, not the bytes.
    const broken = Buffer.from('{\r\n  "downloadLinuxUpdates": true,,\r\n}\r\n', 'utf16le').swap16();
    await writeFile(join(dir, 'settings.json'), Buffer.concat([Buffer.from([0xfe, 0xff]), broken]));
    const bad = await runCli(['download', '--base-url', upstream.baseUrl], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`${join(dir, 'settings.json')}:2:32: invalid JSON`);
  });

  it('refuses Windows paths in a settings file copied from a Windows server, naming the field, and creates nothing', async () => {
    const windows = { downloadLinuxUpdates: true, baseUpdateUrl: upstream.baseUrl, logFilePath: join(dir, 'mirror.log') };
    for (const [extra, message] of [
      [{ downloadFolder: 'C:\\ProgramData\\mdatp-mirror' }, 'field "downloadFolder" "C:\\\\ProgramData\\\\mdatp-mirror" is a Windows path'],
      [{ downloadFolder: '\\\\fileserver\\wdav-update' }, 'field "downloadFolder" "\\\\\\\\fileserver\\\\wdav-update" is a Windows path'],
      [
        { downloadFolder: 'm', trustedKeys: ['central.pub', 'd:/keys/central.pub'] },
        'field "trustedKeys[1]" "d:/keys/central.pub" is a Windows path',
      ],
    ] as const) {
      const file = await settingsFile({ ...windows, ...extra });
      const r = await runCli(['download', '--settings', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('write a path of this machine');
    }
    expect((await readdir(dir)).sort()).toEqual(['settings.json']);
  });

  it('refuses a bundle given as the settings file by its size, without reading it', async () => {
    const bundle = join(dir, 'updates.zip');
    await writeFile(bundle, Buffer.alloc(3 * 1024 * 1024, 0x50));
    const r = await runCli(['download', '--settings', bundle]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`settings file ${bundle} is 3.0 MiB: a settings file is a few KB of JSON, so this is another file`);
    expect(r.stderr).not.toMatch(/invalid JSON|\n\s+at /);
  });

  it('finds ./settings.json by default, and MDATP_MIRROR_SETTINGS when set', async () => {
    const body = {
      downloadLinuxUpdates: true,
      downloadFolder: 'm',
      logFilePath: 'l.log',
      baseUpdateUrl: upstream.baseUrl,
      architectures: ['arm64'],
    };
    await settingsFile(body);
    expect((await runCli(['download'], { cwd: dir })).code).toBe(0);
    expect(existsSync(join(dir, 'm/linux/production/arch_arm64/updates.zip'))).toBe(true);

    await mkdir(join(dir, 'conf'));
    await settingsFile({ ...body, downloadFolder: 'other' }, 'conf/mirror.json');
    expect((await runCli(['download'], { cwd: dir, env: { MDATP_MIRROR_SETTINGS: 'conf/mirror.json' } })).code).toBe(0);
    // Relative paths resolve against the settings file's folder, not the working directory.
    expect(existsSync(join(dir, 'conf/other/linux/production/arch_arm64/updates.zip'))).toBe(true);
  });

  it('resolves defaults for absent fields the way the old scripts did', async () => {
    const file = await settingsFile({ downloadMacUpdates: true });
    const s = await loadSettings({ settingsFile: file }, { cwd: dir, env: {} });
    expect(s.downloadLinuxUpdates).toBe(false);
    expect(s.downloadPreviewUpdates).toBe(false);
    expect(s.backupPreviousUpdates).toBe(false);
    expect(s.downloadFolder).toMatch(/wdav-update$/);
    expect(s.logFilePath).toMatch(/mdatp_offline_updates\.log$/);
    expect(s.baseUpdateUrl).toBe(OFFICIAL_BASE_URL);
    expect(s.architectures).toEqual(['x86_64', 'arm64']);
  });

  const mistakes: [string, string | object, RegExp][] = [
    [
      'invalid JSON',
      '{\n  "downloadLinuxUpdates": true,\n  "downloadFolder": "x"\n  "logFilePath": "y"\n}',
      /settings\.json:4:3: invalid JSON/,
    ],
    [
      'a wrong type',
      { downloadLinuxUpdates: 'yes' },
      /field "downloadLinuxUpdates" must be true or false \(without quotes\), found the string "yes"/,
    ],
    [
      'a misspelled key',
      { downloadLinuxUpdate: true, downloadMacUpdates: true },
      /unknown field "downloadLinuxUpdate": did you mean "downloadLinuxUpdates"\?/,
    ],
    ['a wrong-case key', { DownloadMacUpdates: true }, /unknown field "DownloadMacUpdates": did you mean "downloadMacUpdates"\?/],
    ['nothing selected', { downloadLinuxUpdates: false }, /nothing to mirror: set "downloadLinuxUpdates" or "downloadMacUpdates"/],
    [
      'an unknown architecture',
      { downloadLinuxUpdates: true, architectures: ['amd64'] },
      /field "architectures\[0\]" must be one of "x86_64", "arm64", found the string "amd64"/,
    ],
    [
      'a bad duration',
      { downloadLinuxUpdates: true, timeouts: { bodyIdle: '5 minutes' } },
      /field "timeouts.bodyIdle" "5 minutes" is not a duration; write it like 90s/,
    ],
    [
      'a rollout mode that is none of the choices',
      { downloadLinuxUpdates: true, rollout: { mode: 'later' } },
      /field "rollout.mode" must be one of "immediate", "manual", "delayed", found the string "later"\./,
    ],
    [
      'a rollout without its mode',
      { downloadLinuxUpdates: true, rollout: { delay: '2d' } },
      /field "rollout.mode" is missing: give one of "immediate", "manual", "delayed"\./,
    ],
    [
      'a typo inside timeouts',
      { downloadLinuxUpdates: true, timeouts: { conect: '5s' } },
      /unknown field "timeouts.conect": did you mean "connect"\?/,
    ],
    [
      'plain http to a remote host',
      { downloadLinuxUpdates: true, baseUpdateUrl: 'http://mirror.example.com/fwlink/' },
      /plain http:\/\/ to mirror.example.com.*allowInsecureUpstream/,
    ],
    ['not an object', '[1, 2]', /must be a JSON object/],
    [
      'a zero timeout (it would disable the timeout)',
      { downloadLinuxUpdates: true, timeouts: { bodyIdle: '0s' } },
      /field "timeouts.bodyIdle" "0s" is outside the allowed range 100ms to 1h/,
    ],
    [
      'an absurd retry delay',
      { downloadLinuxUpdates: true, retryMaxDelay: '99999999d' },
      /field "retryMaxDelay" "99999999d" is outside the allowed range 1ms to 1d/,
    ],
    [
      'an absurd headers timeout',
      { downloadLinuxUpdates: true, timeouts: { headers: '100000d' } },
      /field "timeouts.headers" "100000d" is outside/,
    ],
    [
      'a lock that goes stale in seconds',
      { downloadLinuxUpdates: true, lockStaleAfter: '0s' },
      /field "lockStaleAfter" "0s" is outside the allowed range 5m to 7d/,
    ],
    [
      'the file system root as downloadFolder',
      { downloadLinuxUpdates: true, downloadFolder: '/' },
      /field "downloadFolder" \/ is the root of the file system/,
    ],
    [
      '/proc/self as downloadFolder',
      { downloadLinuxUpdates: true, downloadFolder: '/proc/self' },
      /field "downloadFolder" \/proc\/self is inside the system folder \/proc/,
    ],
    [
      '/etc as downloadFolder',
      { downloadLinuxUpdates: true, downloadFolder: '/etc/mdatp' },
      /is inside the system folder \/etc\. Choose a folder of its own/,
    ],
    ['a blank downloadFolder', { downloadLinuxUpdates: true, downloadFolder: '   ' }, /field "downloadFolder" is blank: give a path/],
    [
      'a NUL in downloadFolder',
      { downloadLinuxUpdates: true, downloadFolder: 'mir\u0000ror' },
      /field "downloadFolder" contains a NUL character/,
    ],
    [
      'logFilePath equal to the settings file',
      { downloadLinuxUpdates: true, logFilePath: 'settings.json' },
      /field "logFilePath" .*settings\.json is the settings file itself/,
    ],
    [
      'logFilePath inside the served tree',
      { downloadLinuxUpdates: true, logFilePath: 'mirror/linux/production/arch_x86_64/updates.zip' },
      /field "logFilePath" .* is inside the tree endpoints download from \(linux\/\)/,
    ],
    [
      'a key given twice',
      '{\n  "downloadLinuxUpdates": true,\n  "downloadFolder": "mirror",\n  "logFilePath": "mirror.log",\n  "downloadLinuxUpdates": false\n}',
      /a field is given twice .*"downloadLinuxUpdates" again at .*settings\.json:5:3/,
    ],
  ];
  for (const [name, content, message] of mistakes) {
    it(`exits 2 on ${name}, naming the file and the field, before creating anything`, async () => {
      const file = await settingsFile(
        typeof content === 'string' ? content : { downloadFolder: 'mirror', logFilePath: 'mirror.log', ...content },
      );
      const r = await runCli(['download', '--settings', file]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(file);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(dir, 'mirror'))).toBe(false);
      expect(existsSync(join(dir, 'mirror.log'))).toBe(false);
    });
  }

  it('exits 2 with a hint when there is no settings file', async () => {
    const r = await runCli(['download'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no settings file at .*settings\.json\. Copy settings\.example\.json/);
    const named = await runCli(['download', '--settings', 'nope.json'], { cwd: dir });
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/settings file .*nope\.json does not exist/);
  });

  it('exits 2 on a bad --base-url, a bad --wait and an unknown option', async () => {
    const file = await settingsFile({ downloadLinuxUpdates: true, downloadFolder: 'mirror' });
    expect((await runCli(['download', '--settings', file, '--base-url', 'ftp://x/'])).code).toBe(2);
    const wait = await runCli(['download', '--settings', file, '--wait', 'soon']);
    expect(wait.code).toBe(2);
    expect(wait.stderr).toMatch(/--wait soon: give a number of seconds/);
    const r = await runCli(['download', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('names a misspelt command or subcommand with the closest one, exit 2, and help lists --version and the global options', async () => {
    const cases: [string[], string][] = [
      [['schedule', 'instal'], "unknown subcommand 'instal' for 'schedule' (Did you mean install?)"],
      [['endpoint-config', 'lnt', 'x.json'], "unknown subcommand 'lnt' for 'endpoint-config' (Did you mean lint?)"],
      [['help', 'donwload'], "unknown command 'donwload' (Did you mean download?)"],
      [['version'], "unknown command 'version' (Did you mean --version?)"],
      [['donwload'], "unknown command 'donwload'"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
    }
    const top = await runCli(['--help']);
    expect(top.stdout).toMatch(/^Options:\n\s+-V, --version\s+print the version$/m);
    const sub = await runCli(['status', '--help']);
    expect(sub.stdout).toMatch(/Global Options:[\s\S]*--settings <file>[\s\S]*--json[\s\S]*--quiet/);
    expect((await runCli(['help', 'download'])).code).toBe(0);
  });

  it('reports settings errors as JSON with --json', async () => {
    const file = await settingsFile({ downloadLinuxUpdates: 1 });
    const r = await runCli(['--json', 'download', '--settings', file]);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: 'SETTINGS_INVALID' }, exitCode: 2 });
  });

  it('reads a settings file saved with a byte-order mark (PowerShell, Notepad)', async () => {
    const file = await settingsFile(`\uFEFF${JSON.stringify({ downloadLinuxUpdates: true })}`);
    const s = await loadSettings({ settingsFile: file }, { cwd: dir, env: {} });
    expect(s.downloadLinuxUpdates).toBe(true);
  });
});
