// What every scheduler integration receives and produces.
import { launchWords, type Launcher } from './launcher.js';

export interface InstallPlan {
  /** Absolute paths, so the job runs the same whatever its working directory and PATH. */
  readonly launcher: Launcher;
  readonly settingsFile: string;
  /** Exactly one of the two is set. */
  readonly cron: string | undefined;
  readonly everyMs: number | undefined;
  /** The account the job runs as (systemd User=, launchd UserName). */
  readonly user: string;
  /** What the job writes: the download folder and the log's folder (systemd ReadWritePaths). */
  readonly writable: readonly string[];
}

export interface GeneratedFile {
  readonly name: string;
  readonly content: string | Buffer;
}

export interface Integration<Plan> {
  readonly describe: string;
  files(plan: Plan): GeneratedFile[];
  /** The one command that activates the written files in `dir`. */
  activate(dir: string, files: readonly GeneratedFile[]): string;
}

export type SchedulerIntegration = Integration<InstallPlan>;

/** The whole command line of the scheduled download: program first. */
export const downloadCommand = (plan: InstallPlan): string[] => [
  ...launchWords(plan.launcher),
  'download',
  '--quiet',
  '--settings',
  plan.settingsFile,
];
