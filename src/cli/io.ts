// What a command writes to and how it ends: injected so tests and the demo can run commands without a process.
import { Writable } from 'node:stream';

export interface CommandIo {
  readonly stdout: Writable & { isTTY?: boolean };
  readonly stderr: Writable & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** The time rollout delays, ages and manifests use. */
  readonly now: () => Date;
}

/** MDATP_MIRROR_NOW=<ISO time> makes the tool act as if it were that time: to rehearse a delayed rollout. */
const NOW_ENV = 'MDATP_MIRROR_NOW';

function clockFrom(env: NodeJS.ProcessEnv): () => Date {
  const fixed = env[NOW_ENV];
  if (!fixed) return () => new Date();
  const at = Date.parse(fixed);
  if (Number.isNaN(at)) throw new Error(`${NOW_ENV}=${fixed} is not a date (write it like 2026-11-23T08:00:00Z)`);
  return () => new Date(at);
}

export const processIo = (): CommandIo => ({
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  now: clockFrom(process.env),
});

/** Options every command accepts: how settings are found and how results are shown. */
export interface GlobalOptions {
  readonly settings?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly verbose?: boolean;
}
