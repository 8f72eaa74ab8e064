// `schedule`: runs on a cron schedule without overlapping, stops cleanly; `schedule install`: files a scheduler accepts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import cron from 'node-cron';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { BIN, cleanEnv, runCli, startCli } from './helpers/cli.js';
import { expectConsistentMirror, removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';

let upstream: SimulatedUpstream;
let dir: string;
let mirror: string;

beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => upstream.stop());
beforeEach(async () => {
  dir = await tempDir();
  mirror = join(dir, 'mirror');
});
afterEach(async () => removeDir(dir));

const settingsFile = () => join(dir, 'settings.json');
const logEvents = async () =>
  (await readFile(join(dir, 'mirror.log'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Resolves with stdout once `count` lines matching `pattern` have been printed. */
function linesPrinted(child: ReturnType<typeof startCli>, pattern: RegExp, count: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.split('\n').filter((l) => pattern.test(l)).length >= count) resolve(out);
    });
    child.on('close', () => reject(new Error(`exited before ${count} lines matching ${pattern}: ${out}`)));
  });
}

describe('schedule', () => {
  it('runs on a seconds-level schedule, logs each run, and stops cleanly on SIGTERM', async () => {
    await writeSettings(dir, upstream, { architectures: ['x86_64'] });
    const child = startCli(['schedule', '--cron', '* * * * * *', '--settings', settingsFile()]);
    const out = await linesPrinted(child, /run finished/, 2);
    expect(out).toMatch(/run finished: 1 downloaded, 0 up to date, 0 failed/);
    expect(out).toMatch(/run finished: 0 downloaded, 1 up to date, 0 failed/);
    child.kill('SIGTERM');
    const r = await child.result;
    expect(r.code).toBe(0);
    const events = await logEvents();
    expect(events.filter((e) => e['event'] === 'run-end').length).toBeGreaterThanOrEqual(2);
    expect(events.at(-1)).toMatchObject({ event: 'schedule-stop' });
    await expectConsistentMirror(mirror);
  });

  it('never overlaps runs when ticks come faster than a run takes, and keeps going after a failed run', async () => {
    const slow = await startUpstream({ bundleSize: 1536 * 1024, rateBytesPerSec: 1_000_000 });
    try {
      await writeSettings(dir, slow, { architectures: ['x86_64'] });
      slow.faults.add({ target: 'bundle', action: { type: 'status', status: 404 }, times: 1 });
      const child = startCli(['schedule', '--cron', '* * * * * *', '--run-now', '--settings', settingsFile()]);
      await linesPrinted(child, /run finished/, 3);
      child.kill('SIGTERM');
      expect((await child.result).code).toBe(0);
      const events = (await logEvents()).filter((e) => e['event'] === 'run-start' || e['event'] === 'run-end').map((e) => e['event']);
      // Strictly alternating: no run started while another was going.
      for (let i = 0; i < events.length; i++) expect(events[i]).toBe(i % 2 === 0 ? 'run-start' : 'run-end');
      const all = await logEvents();
      expect(all.some((e) => e['event'] === 'tick-skipped')).toBe(true);
      expect(all.some((e) => e['event'] === 'scheduled-run-failed')).toBe(true);
      await expectConsistentMirror(mirror);
    } finally {
      await slow.stop();
    }
  });

  it('exits 2 with the reason on an invalid cron expression or time zone', async () => {
    await writeSettings(dir, upstream);
    const bad = await runCli(['schedule', '--cron', '61 * * * *', '--settings', settingsFile()]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--cron "61 * * * *": minute 61 is outside 0–59.');
    const dow = await runCli(['schedule', '--cron', '0 1-70 * * 8', '--settings', settingsFile()]);
    expect(dow.stderr).toContain('hour 70 is outside 0–23; day of week 8 is outside 0–7 or sun–sat.');
    const word = await runCli(['schedule', '--cron', 'often * * * *', '--settings', settingsFile()]);
    expect(word.stderr).toContain('minute "often" is not a value (0–59), a range (1-5), a list (1,15), a step (*/15) or *');
    const short = await runCli(['schedule', '--cron', '* *', '--settings', settingsFile()]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/expected 5 fields .* found 2/);
    const tz = await runCli(['schedule', '--cron', '0 * * * *', '--timezone', 'Mars/Olympus', '--settings', settingsFile()]);
    expect(tz.code).toBe(2);
    expect(tz.stderr).toMatch(/not a known IANA time zone/);
  });
});

/** systemd-analyze security's overall exposure for a unit file (0 safe to 10 unsafe). */
function exposure(unit: string): number {
  const report = spawnSync('systemd-analyze', ['security', '--offline=yes', unit], { encoding: 'utf8' });
  const level = /Overall exposure level for \S+: ([\d.]+)/.exec(report.stdout)?.[1];
  expect(level, report.stdout + report.stderr).toBeDefined();
  return Number(level);
}

describe('schedule install', () => {
  beforeEach(async () => {
    await writeSettings(dir, upstream);
  });
  const install = (...args: string[]) => runCli(['schedule', 'install', '--settings', settingsFile(), '--out', join(dir, 'out'), ...args]);

  it('writes a crontab line with absolute paths, and says how to activate it', async () => {
    const r = await install('--with', 'cron', '--every', '4h');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/activate with:\n {2}\( crontab -l .* \| crontab -/);
    const line = (await readFile(join(dir, 'out/mdatp-mirror.crontab'), 'utf8')).split('\n').find((l) => l && !l.startsWith('#'))!;
    const fields = line.split(' ');
    expect(fields.slice(0, 5).join(' ')).toBe('0 */4 * * *');
    expect(cron.validate(fields.slice(0, 5).join(' '))).toBe(true);
    expect(fields[5]).toBe(process.execPath);
    expect(fields[6]).toBe(BIN);
    expect(fields.slice(7)).toEqual(['download', '--quiet', '--settings', settingsFile()]);
  });

  it('activating twice leaves one marked entry, drops an unmarked old one, and keeps every other line byte for byte', async () => {
    // A stand-in for crontab(1) that keeps the table in a file (and, like crontab, replaces it only once it has read
    // all of stdin): the real one would edit this machine's own crontab.
    const bin = join(dir, 'bin');
    const table = join(dir, 'user.crontab');
    await mkdir(bin);
    await writeFile(
      join(bin, 'crontab'),
      `#!/bin/sh\ncase "$1" in\n  -l) [ -f '${table}' ] || { echo 'no crontab for you' >&2; exit 1; }; cat '${table}' ;;\n  -) cat > '${table}.new' && mv '${table}.new' '${table}' ;;\n  *) exit 2 ;;\nesac\n`,
      { mode: 0o755 },
    );
    const own =
      'MAILTO=ops@example.com\n*/5 * * * * /usr/bin/mdatp-mirror status --quiet --settings /etc/mdatp-mirror/settings.json  # ours\n';
    const unmarked =
      '# mdatp-mirror: mirror Defender security intelligence (installed by: mdatp-mirror schedule install --with cron)\n' +
      '0 */4 * * * /usr/bin/node /opt/mdatp-mirror.js download --quiet --settings /etc/mdatp-mirror/settings.json\n';
    await writeFile(table, own + unmarked + '@reboot /usr/local/bin/other-job\n');
    for (const every of ['4h', '2h']) {
      const r = await install('--with', 'cron', '--every', every);
      const activation = /activate with:\n {2}(.*)\n/.exec(r.stdout)![1]!;
      const sh = spawnSync('sh', ['-c', activation], { env: { ...process.env, PATH: `${bin}:${process.env['PATH']}` }, encoding: 'utf8' });
      expect(sh.status, sh.stderr).toBe(0);
    }
    const result = await readFile(table, 'utf8');
    expect(result.startsWith(`${own}@reboot /usr/local/bin/other-job\n`)).toBe(true);
    expect(result.match(/^# BEGIN mdatp-mirror schedule/gm)).toHaveLength(1);
    expect(result.match(/^# END mdatp-mirror schedule$/gm)).toHaveLength(1);
    expect(result).toMatch(/^0 \*\/2 \* \* \* /m);
    expect(result).not.toMatch(/^0 \*\/4 /m);
  });

  it('refuses a seconds field cron cannot read, and drops a seconds field of 0', async () => {
    const r = await install('--with', 'cron', '--cron', '30 0 */4 * * *');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/seconds are not supported when installing a schedule; use 5 fields/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    expect((await install('--with', 'cron', '--cron', '0 30 2 * * *')).code).toBe(0);
    const line = (await readFile(join(dir, 'out/mdatp-mirror.crontab'), 'utf8')).split('\n').find((l) => l && !l.startsWith('#'))!;
    expect(line.split(' ').slice(0, 6)).toEqual(['30', '2', '*', '*', '*', process.execPath]);
  });

  for (const schedule of [
    ['--every', '4h'],
    ['--cron', '30 2,14 * * 1-5'],
  ]) {
    it(`writes systemd units that systemd-analyze accepts (${schedule.join(' ')})`, async () => {
      expect((await install('--with', 'systemd', ...schedule)).code).toBe(0);
      const out = join(dir, 'out');
      const verify = spawnSync('systemd-analyze', ['verify', join(out, 'mdatp-mirror.service'), join(out, 'mdatp-mirror.timer')], {
        encoding: 'utf8',
      });
      expect(verify.status).toBe(0);
      expect(verify.stderr.split('\n').filter((l) => l.includes('mdatp-mirror'))).toEqual([]);
      const timer = await readFile(join(out, 'mdatp-mirror.timer'), 'utf8');
      const onCalendar = /^OnCalendar=(.*)$/m.exec(timer)?.[1];
      if (schedule[0] === '--cron') {
        expect(onCalendar).toBe('Mon,Tue,Wed,Thu,Fri *-*-* 02,14:30:00');
        expect(execFileSync('systemd-analyze', ['calendar', onCalendar!], { encoding: 'utf8' })).toMatch(/Next elapse/);
      } else {
        expect(timer).toMatch(/^OnUnitActiveSec=14400s$/m);
      }
      const service = await readFile(join(out, 'mdatp-mirror.service'), 'utf8');
      expect(service).toContain(`ExecStart=${process.execPath} ${BIN} download --quiet --settings ${settingsFile()}`);
      // No folder yet: the job runs as whoever installed it, and may write only the download and log folders.
      expect(service).toMatch(new RegExp(`^User=${userInfo().username}$`, 'm'));
      expect(service).toContain(`ReadWritePaths=-${mirror} -${dir}`);
      expect(service).toMatch(/^ProtectSystem=strict$/m);
      expect(exposure(join(out, 'mdatp-mirror.service'))).toBeLessThanOrEqual(3);
    });
  }

  it('runs the systemd job as the owner of downloadFolder, or as --user', async () => {
    await mkdir(mirror);
    expect((await install('--with', 'systemd')).code).toBe(0);
    expect(await readFile(join(dir, 'out/mdatp-mirror.service'), 'utf8')).toMatch(new RegExp(`^User=${userInfo().username}$`, 'm'));
    const named = await install('--with', 'systemd', '--user', 'mirror', '--dry-run');
    expect(named.stdout).toMatch(/^User=mirror$/m);
    expect((await install('--with', 'systemd', '--user', 'bad user', '--dry-run')).code).toBe(2);
  });

  it('writes a launchd plist that parses, with absolute program arguments', async () => {
    expect((await install('--with', 'launchd', '--cron', '15 */6 * * *')).code).toBe(0);
    const xml = await readFile(join(dir, 'out/com.mdatp-mirror.download.plist'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const plist = new XMLParser({ isArray: (name) => name === 'dict' || name === 'string' || name === 'integer' || name === 'key' }).parse(
      xml,
    ) as {
      plist: { dict: { key: string[]; string: string[]; array: { string?: string[]; dict?: { key: string[]; integer: number[] }[] }[] }[] };
    };
    const top = plist.plist.dict[0]!;
    expect(top.key).toEqual([
      'Label',
      'ProgramArguments',
      'UserName',
      'StartCalendarInterval',
      'RunAtLoad',
      'ProcessType',
      'StandardErrorPath',
    ]);
    expect(top.string).toContain(userInfo().username);
    const [args, calendar] = top.array as [{ string: string[] }, { dict: { key: string[]; integer: number[] }[] }];
    expect(args.string).toEqual([process.execPath, BIN, 'download', '--quiet', '--settings', settingsFile()]);
    expect(calendar.dict.map((d) => d.integer)).toEqual([
      [15, 0],
      [15, 6],
      [15, 12],
      [15, 18],
    ]);
  });

  it('writes Task Scheduler XML (UTF-16) that parses, repeating at the interval', async () => {
    const r = await install('--with', 'windows-task', '--every', '4h');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/schtasks \/Create \/TN mdatp-mirror \/XML/);
    const raw = await readFile(join(dir, 'out/mdatp-mirror-task.xml'));
    expect([...raw.subarray(0, 2)]).toEqual([0xff, 0xfe]);
    const xml = raw.subarray(2).toString('utf16le');
    expect(XMLValidator.validate(xml)).toBe(true);
    const task = new XMLParser().parse(xml) as {
      Task: { Triggers: { TimeTrigger: { Repetition: { Interval: string } } }; Actions: { Exec: { Command: string; Arguments: string } } };
    };
    expect(task.Task.Triggers.TimeTrigger.Repetition.Interval).toBe('PT4H');
    expect(task.Task.Actions.Exec.Command).toBe(process.execPath);
    expect(task.Task.Actions.Exec.Arguments).toBe(`${BIN} download --quiet --settings ${settingsFile()}`);
  });

  it('prints instead of writing with --dry-run', async () => {
    const r = await install('--with', 'systemd', '--dry-run');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('# ---- mdatp-mirror.timer ----');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const cronDry = await install('--with', 'cron', '--dry-run');
    expect(cronDry.stdout).toContain('# dry run: nothing written');
    expect(cronDry.stdout).not.toMatch(/crontab -$/m);
  });

  it("refuses to write a job or a service that would run a node from npx's cache, which npm may clear", async () => {
    // A hard link (a copy across file systems) stands where npx puts Node: process.execPath then names that path.
    const npxNode = join(dir, '.npm/_npx/4f1e2a/node_modules/node/bin/node');
    await mkdir(dirname(npxNode), { recursive: true });
    await link(process.execPath, npxNode).catch(() => copyFile(process.execPath, npxNode));
    for (const args of [
      ['schedule', 'install', '--with', 'cron'],
      ['serve', 'install', '--with', 'systemd', '--port', '8080'],
    ]) {
      const r = spawnSync(npxNode, [BIN, ...args, '--settings', settingsFile(), '--out', join(dir, 'out')], {
        encoding: 'utf8',
        env: cleanEnv(),
      });
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`this Node.js (${npxNode}) lies in npx's cache, which npm may clear at any time`);
      expect(r.stderr).toContain('npm install --prefix /opt/node24 node@24');
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('exits 2 on an unknown --with, a bad --every, or both --every and --cron', async () => {
    expect((await install('--with', 'at')).code).toBe(2);
    expect((await install('--with', 'cron', '--every', '7h')).stderr).toMatch(/cannot be written as a cron schedule/);
    expect((await install('--with', 'cron', '--every', '4h', '--cron', '0 * * * *')).code).toBe(2);
    expect(await readdir(dir)).not.toContain('out');
  });
});

describe('serve install', () => {
  beforeEach(async () => {
    await writeSettings(dir, upstream);
  });
  const install = (...args: string[]) => runCli(['serve', 'install', '--settings', settingsFile(), '--out', join(dir, 'out'), ...args]);

  it('writes a systemd service that restarts serve on failure, sandboxed, which systemd-analyze accepts', async () => {
    const r = await install('--with', 'systemd', '--port', '8443');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('systemctl enable --now mdatp-mirror-serve.service');
    const unit = join(dir, 'out/mdatp-mirror-serve.service');
    const verify = spawnSync('systemd-analyze', ['verify', unit], { encoding: 'utf8' });
    expect(verify.status).toBe(0);
    expect(verify.stderr.split('\n').filter((l) => l.includes('mdatp-mirror'))).toEqual([]);
    const text = await readFile(unit, 'utf8');
    expect(text).toContain(`ExecStart=${process.execPath} --max-semi-space-size=2 ${BIN} serve --settings ${settingsFile()} --port 8443`);
    expect(text).toMatch(/^Restart=on-failure$/m);
    expect(text).toMatch(/^CapabilityBoundingSet=$/m);
    expect(text).not.toContain('ReadWritePaths');
    expect(exposure(unit)).toBeLessThanOrEqual(3);
    // Port 80 keeps the one capability binding it needs, and nothing else.
    const low = await install('--with', 'systemd', '--port', '80', '--dry-run');
    expect(low.stdout).toMatch(/^AmbientCapabilities=CAP_NET_BIND_SERVICE$/m);
    expect(low.stdout).toMatch(/^CapabilityBoundingSet=CAP_NET_BIND_SERVICE$/m);
  });

  it('writes a launchd daemon kept alive after a failure, and a Windows task started at boot and restarted on failure', async () => {
    expect((await install('--with', 'launchd', '--tls-cert', 'c.pem', '--tls-key', 'k.pem')).code).toBe(0);
    const xml = await readFile(join(dir, 'out/com.mdatp-mirror.serve.plist'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toMatch(/<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>/);
    expect(xml).toMatch(/<key>RunAtLoad<\/key>\s*<true\/>/);
    expect(xml).toContain(`<string>--tls-cert</string>`);
    expect(xml).toContain(`<string>${join(process.cwd(), 'c.pem')}</string>`);

    const r = await install('--with', 'windows-task');
    expect(r.stdout).toMatch(/schtasks \/Create \/TN mdatp-mirror-serve \/RU "NT AUTHORITY\\NetworkService" \/XML/);
    const raw = await readFile(join(dir, 'out/mdatp-mirror-serve-task.xml'));
    const task = new XMLParser().parse(raw.subarray(2).toString('utf16le')) as {
      Task: {
        Triggers: { BootTrigger: { Enabled: boolean } };
        Settings: { ExecutionTimeLimit: string; RestartOnFailure: { Count: number } };
      };
    };
    expect(task.Task.Triggers.BootTrigger.Enabled).toBe(true);
    expect(task.Task.Settings.ExecutionTimeLimit).toBe('PT0S');
    expect(task.Task.Settings.RestartOnFailure.Count).toBeGreaterThan(0);
  });

  it('refuses cron (it starts jobs, it does not keep a server running), a bad port, and half a TLS pair', async () => {
    const cronTry = await install('--with', 'cron');
    expect(cronTry.code).toBe(2);
    expect(cronTry.stderr).toContain('cron starts jobs; it does not keep a server running');
    expect((await install('--with', 'systemd', '--port', '99999')).code).toBe(2);
    expect((await install('--with', 'systemd', '--tls-cert', 'c.pem')).code).toBe(2);
    expect(await readdir(dir)).not.toContain('out');
  });
});
