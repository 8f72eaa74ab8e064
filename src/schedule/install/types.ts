// What every scheduler integration receives and produces.

export interface InstallPlan {
  /** Absolute paths, so the job runs the same whatever its working directory and PATH. */
  readonly node: string;
  readonly cli: string;
  readonly settingsFile: string;
  /** Exactly one of the two is set. */
  readonly cron: string | undefined;
  readonly everyMs: number | undefined;
}

interface GeneratedFile {
  readonly name: string;
  readonly content: string | Buffer;
}

export interface SchedulerIntegration {
  readonly describe: string;
  files(plan: InstallPlan): GeneratedFile[];
  /** The one command that activates the written files in `dir`. */
  activate(dir: string, files: readonly GeneratedFile[]): string;
}

export const downloadArgs = (plan: InstallPlan): string[] => [plan.cli, 'download', '--quiet', '--settings', plan.settingsFile];
