// Mistakes in the environment around the tool (a file where a folder belongs, a log path that is a folder, a folder
// given as the settings file): one message naming the setting or flag, the path and the fix, exit 2, no stack trace,
// nothing created.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, cleanEnv, runCli, type CliResult } from './helpers/cli.js';
import { removeDir, tempDir, writeSettings } from './helpers/mirror.js';

let dir: string;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => removeDir(dir));

const UPSTREAM = 'http://127.0.0.1:9/fwlink/';

function expectNamedMistake(r: CliResult, message: string | RegExp): void {
  expect(r.code).toBe(2);
  if (typeof message === 'string') expect(r.stderr).toContain(message);
  else expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe('environment mistakes', () => {
  it('a file where downloadFolder belongs: download, status, serve, rollback, promote and publish all say so, and create nothing', async () => {
    const settings = await writeSettings(dir, UPSTREAM);
    await writeFile(join(dir, 'mirror'), 'not a folder');
    const message = `downloadFolder ${join(dir, 'mirror')} is a file, not a folder: move the file away, or set downloadFolder to a folder.`;
    for (const args of [['download'], ['status'], ['serve', '--port', '0'], ['rollback'], ['promote'], ['publish']]) {
      expectNamedMistake(await runCli([...args, '--settings', settings]), message);
    }
    expect((await readdir(dir)).sort()).toEqual(['mirror', 'settings.json']);

    const json = await runCli(['download', '--json', '--settings', settings]);
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 2, error: { message } });
  });

  it('a Node.js below the floor: one message with the version, the node that ran and the fix, exit 2, before anything loads', async () => {
    // What `process.versions.node` says is what the check reads; the libraries themselves are not loaded at all.
    const olderNode = join(dir, 'node-20.mjs');
    await writeFile(olderNode, "Object.defineProperty(process.versions, 'node', { value: '20.20.2' });\n");
    const settings = await writeSettings(dir, UPSTREAM);
    for (const args of [['download', '--settings', settings], ['--version']]) {
      const r = await runCli(args, { env: { NODE_OPTIONS: `--import ${pathToFileURL(olderNode).href}` } });
      expectNamedMistake(r, `Node.js 20.20.2 (${process.execPath}) is not supported: it needs Node.js 22 from 22.22.2, or 24 from 24.15.0`);
      expect(r.stderr).toContain('npm install --prefix /opt/node24 node@24');
      expect(r.stdout).toBe('');
    }
    expect((await readdir(dir)).sort()).toEqual(['node-20.mjs', 'settings.json']);
  });

  it('a folder to create under /proc (keygen --out, schedule install --out, logFilePath): an error naming it, not a hang', async () => {
    // Node's own recursive mkdir spins forever there; each of these used to hang at 100% CPU.
    const proc = `/proc/mdatp-mirror-${process.pid}`;
    const settings = await writeSettings(dir, UPSTREAM);
    for (const args of [
      ['keygen', '--out', join(proc, 'keys')],
      ['schedule', 'install', '--with', 'cron', '--out', proc, '--settings', settings],
    ]) {
      const r = await runCli(args);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`mkdir ${proc}: the folder above it takes no new folders (a special file system such as /proc or /sys)`);
      expect(r.stderr).not.toMatch(/unexpected error|\n\s+at /);
    }
    const logUnderProc = await writeSettings(dir, UPSTREAM, { logFilePath: join(proc, 'mirror.log') });
    const r = await runCli(['download', '--settings', logUnderProc]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`mkdir ${proc}: the folder above it takes no new folders`);
  });

  it('downloadFolder under a file', async () => {
    await writeFile(join(dir, 'blocker'), 'x');
    const settings = await writeSettings(dir, UPSTREAM, { downloadFolder: 'blocker/mirror' });
    expectNamedMistake(
      await runCli(['download', '--settings', settings]),
      `downloadFolder ${join(dir, 'blocker/mirror')} lies under ${join(dir, 'blocker')}, which is a file`,
    );
  });

  it('serve on a downloadFolder that does not exist yet says to download first', async () => {
    const settings = await writeSettings(dir, UPSTREAM);
    expectNamedMistake(
      await runCli(['serve', '--port', '0', '--settings', settings]),
      /does not exist, so there is nothing to serve: run mdatp-mirror download first/,
    );
  });

  it('logFilePath that is a folder, or that lies under a file', async () => {
    await mkdir(join(dir, 'logs'));
    const settings = await writeSettings(dir, UPSTREAM, { logFilePath: 'logs' });
    expectNamedMistake(
      await runCli(['download', '--settings', settings]),
      `logFilePath ${join(dir, 'logs')} is a folder: set logFilePath to a file, such as ${join(dir, 'logs', 'mdatp-mirror.log')}.`,
    );
    await writeFile(join(dir, 'blocker'), 'x');
    await writeSettings(dir, UPSTREAM, { logFilePath: 'blocker/run.log' });
    expectNamedMistake(
      await runCli(['download', '--settings', settings]),
      `logFilePath ${join(dir, 'blocker/run.log')} lies under ${join(dir, 'blocker')}, which is a file`,
    );
    expect(existsSync(join(dir, 'mirror'))).toBe(false);
  });

  it('--settings pointing at a folder names the settings.json inside it', async () => {
    expectNamedMistake(
      await runCli(['download', '--settings', dir]),
      `settings file ${dir} is a folder: point --settings (or MDATP_MIRROR_SETTINGS) at the settings.json inside it, e.g. --settings ${join(dir, 'settings.json')}.`,
    );
  });

  it('a plain-http upstream given with --base-url is blamed on --base-url', async () => {
    const settings = await writeSettings(dir, UPSTREAM);
    expectNamedMistake(
      await runCli(['download', '--settings', settings, '--base-url', 'http://updates.example.invalid/fwlink/']),
      /^mdatp-mirror: --base-url http:\/\/updates\.example\.invalid\/fwlink\/ is plain http:\/\/ to updates\.example\.invalid; .*"allowInsecureUpstream": true in \S+settings\.json/,
    );
  });
});

/** A real non-root user: root may do what these cases are about. Needs Node and this checkout readable by nobody. */
function asNobody(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn('runuser', ['-u', 'nobody', '--', process.execPath, BIN, ...args], { env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
const nobodyRunsTheCli =
  process.getuid?.() === 0 && spawnSync('runuser', ['-u', 'nobody', '--', process.execPath, BIN, '--version']).status === 0;

describe.runIf(nobodyRunsTheCli)('as a non-root user (runuser -u nobody)', () => {
  it('serve on port 80 names the privileged port, --port 8080 and the capability', async () => {
    const settings = await writeSettings(dir, UPSTREAM);
    await mkdir(join(dir, 'mirror'));
    await chmod(dir, 0o755);
    await chmod(settings, 0o644);
    const r = await asNobody(['serve', '--port', '80', '--host', '127.0.0.1', '--settings', settings]);
    expectNamedMistake(r, /port 80 is a privileged port \(below 1024\).*use --port 8080.*setcap cap_net_bind_service=\+ep/);
  });

  it('a downloadFolder this user cannot write names the user, the folder and chown, also with --json', async () => {
    const settings = await writeSettings(dir, UPSTREAM, { logFilePath: join(dir, 'log', 'm.log') });
    await mkdir(join(dir, 'mirror'));
    await chmod(dir, 0o755);
    await chmod(settings, 0o644);
    const r = await asNobody(['download', '--settings', settings]);
    expectNamedMistake(
      r,
      `downloadFolder ${join(dir, 'mirror')} is not writable by user nobody: chown it to nobody (sudo chown -R nobody ${join(dir, 'mirror')})`,
    );
    const json = await asNobody(['download', '--settings', settings, '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      exitCode: 2,
      error: { message: expect.stringContaining('is not writable by user nobody') as unknown },
    });
  });

  it("the README's example settings, run as a non-root user, stop at the first folder it cannot write, before any request", async () => {
    const example = fileURLToPath(new URL('../settings.example.json', import.meta.url));
    const r = await asNobody(['download', '--settings', example]);
    expectNamedMistake(
      r,
      /^mdatp-mirror: (downloadFolder|logFilePath) \/var\/\S+ is not writable by user nobody \(\/var\/\S+ is not\): chown it to nobody/,
    );
    expect(existsSync('/var/lib/mdatp-mirror')).toBe(false);
  });
});
