// Runs the built CLI as a user would: a real process, real arguments, real exit code.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/mdatp-mirror.js', import.meta.url));

/** A release executable under test (test/release), run instead of node and bin/: set by vitest.release.config.ts. */
const EXECUTABLE = process.env.MDATP_CLI;
/** The words that start the CLI: node and bin/, or the executable alone. */
export const CLI: readonly string[] = EXECUTABLE ? [EXECUTABLE] : [process.execPath, BIN];

/** PATH without any folder that holds a `node`: what a server with only the executable has. */
const pathWithoutNode = (path: string): string =>
  path
    .split(delimiter)
    .filter((dir) => dir !== '' && !existsSync(join(dir, 'node')))
    .join(delimiter);

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The test's environment without anything that would change the CLI's behaviour behind its back. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(https?_proxy|no_proxy|all_proxy|mdatp_mirror_.*)$/i.test(k)) continue;
    env[k] = v;
  }
  if (EXECUTABLE) env.PATH = pathWithoutNode(env.PATH ?? '');
  return { ...env, ...extra };
}

export function startCli(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): ChildProcess & { result: Promise<CliResult> } {
  const child = spawn(CLI[0]!, [...CLI.slice(1), ...args], { cwd: opts.cwd, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const result = once(child, 'close').then(([code, signal]) => ({
    code: code as number | null,
    signal: signal as NodeJS.Signals | null,
    stdout,
    stderr,
  }));
  return Object.assign(child, { result });
}

export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  return startCli(args, opts).result;
}
