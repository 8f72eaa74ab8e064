// Runs the built CLI with Node.js for Windows under Wine, as a Windows user would run it: real Windows paths
// (C:\…), the Windows temp folder, Windows rename and file-sharing rules. .ci/run prepares the prefix.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { watch } from 'node:fs';
import { mkdtemp, open, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN, cleanEnv, type CliResult } from '../helpers/cli.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the Windows smoke suite through .ci/run (it installs Wine and Node.js for Windows)`);
  return value;
}

const WINE = process.env.MDATP_WINE ?? '/usr/lib/wine/wine64';
/** The release's Windows executable (.ci/run sets it after npm run release), run instead of node.exe and bin/. */
const WIN_EXE = process.env.MDATP_WINE_EXE;
const PREFIX = required('WINEPREFIX');
const PRELOAD = fileURLToPath(new URL('./wine-preload.cjs', import.meta.url));

/** A Linux path as Windows programs under Wine see it (drive Z: is the Linux root). */
const windowsPath = (linuxPath: string): string => `Z:${linuxPath.split('/').join('\\')}`;

/** Whether the suite runs the release's single executable rather than node.exe. */
export const runsSingleExecutable = WIN_EXE !== undefined;

/** The words Wine starts: the single executable, or Node.js for Windows with the CLI script. */
const cliWords = (): string[] => (WIN_EXE ? [WIN_EXE] : [required('MDATP_WINE_NODE'), windowsPath(BIN)]);

/** Where a C:\ path lives on the Linux side, so tests can check the files a Windows run wrote. */
export function onDriveC(winPath: string): string {
  const m = /^C:\\(.*)$/i.exec(winPath);
  if (!m) throw new Error(`${winPath} is not on drive C:`);
  return join(PREFIX, 'drive_c', ...m[1]!.split('\\'));
}

function wineEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return cleanEnv({ WINEPREFIX: PREFIX, WINEDEBUG: '-all', NODE_OPTIONS: `--require ${windowsPath(PRELOAD)}`, ...extra });
}

interface WineProcess {
  readonly child: ChildProcess;
  readonly stdoutFile: string;
  readonly stderrFile: string;
  readonly result: Promise<CliResult>;
}

/** Wine cannot hand a Windows program a Unix pipe as its console: stdout and stderr go to files, stdin is /dev/null. */
async function startWin(args: string[], env: Record<string, string> = {}): Promise<WineProcess> {
  const io = await mkdtemp(join(tmpdir(), 'mdatp-wine-io-'));
  const stdoutFile = join(io, 'stdout');
  const stderrFile = join(io, 'stderr');
  const [out, err] = await Promise.all([open(stdoutFile, 'w'), open(stderrFile, 'w')]);
  const child = spawn(WINE, [...cliWords(), ...args], { env: wineEnv(env), stdio: ['ignore', out.fd, err.fd] });
  const result = once(child, 'close').then(async ([code, signal]) => {
    await Promise.all([out.close(), err.close()]);
    return {
      code: code as number | null,
      signal: signal as NodeJS.Signals | null,
      stdout: await readFile(stdoutFile, 'utf8'),
      stderr: await readFile(stderrFile, 'utf8'),
    };
  });
  return { child, stdoutFile, stderrFile, result };
}

export async function runWin(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return (await startWin(args, env)).result;
}

export interface WinServe {
  readonly port: number;
  readonly base: string;
  /** Ctrl-C, as Wine delivers it to a Windows console program: SIGINT to its process. */
  readonly stop: () => Promise<CliResult>;
}

/** `serve` under Wine on a free port, resolved once it announces where it listens (read from its stderr file). */
export async function startWinServe(args: string[]): Promise<WinServe> {
  const p = await startWin(['serve', '--port', '0', '--host', '127.0.0.1', ...args]);
  const stop = async (): Promise<CliResult> => {
    p.child.kill('SIGINT');
    return p.result;
  };
  const port = await new Promise<number>((resolve, reject) => {
    const watcher = watch(p.stderrFile);
    const check = (): void => {
      void readFile(p.stderrFile, 'utf8').then((text) => {
        const m = /serving .* on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
        if (m) {
          watcher.close();
          resolve(Number(m[1]));
        }
      });
    };
    watcher.on('change', check);
    check();
    void p.result.then((r) => {
      watcher.close();
      reject(new Error(`serve exited ${r.code}: ${r.stderr}`));
    });
  });
  return { port, base: `http://127.0.0.1:${port}`, stop };
}
