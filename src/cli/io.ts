// What a command writes to and how it ends: injected so tests and the demo can run commands without a process.
import { Writable } from 'node:stream';

export interface CommandIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

export const processIo = (): CommandIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });

/** Options every command accepts: how settings are found and how results are shown. */
export interface GlobalOptions {
  readonly settings?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}
