// The scheduler integrations `schedule install --with` knows, one module each.
import { cronIntegration } from './cron.js';
import { launchdIntegration } from './launchd.js';
import { systemdIntegration } from './systemd.js';
import type { SchedulerIntegration } from './types.js';
import { windowsTaskIntegration } from './windows-task.js';

export const INTEGRATIONS = {
  cron: cronIntegration,
  systemd: systemdIntegration,
  launchd: launchdIntegration,
  'windows-task': windowsTaskIntegration,
} satisfies Record<string, SchedulerIntegration>;

export type IntegrationKind = keyof typeof INTEGRATIONS;
export const INTEGRATION_KINDS = Object.keys(INTEGRATIONS) as IntegrationKind[];
