// `check`: what an admin runs first on a new server. Each step (settings, the two paths, proxy and CA, one version
// document from the upstream) is tried and reported with its result; a failed step does not hide the ones after it,
// except that nothing can be checked without valid settings.
import { readFile } from 'node:fs/promises';
import { bundleKey } from '../bundle/identity.js';
import { planFor } from '../settings/plan.js';
import { ExitCode, isMirrorError } from '../errors/catalogue.js';
import { checkDownloadFolder, checkLogFile } from '../settings/check-paths.js';
import { loadSettings, type Settings } from '../settings/load.js';
import { httpClientFor } from '../download/http-for-settings.js';
import { pemCertificates, type HttpClient } from '../upstream/http-client.js';
import { sourceFor } from '../download/source-for.js';
import { displayUrl } from '../upstream/urls.js';
import { envProxies } from '../upstream/env-proxy.js';
import { decodeText } from '../util/text-file.js';

interface CheckStep {
  readonly step: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface CheckReport {
  readonly steps: readonly CheckStep[];
  readonly exitCode: number;
}

/** A mistake in the settings or the environment is exit 2, as everywhere; anything else (the network) is 1. */
const exitFor = (e: unknown): number => (isMirrorError(e) && e.exitCode === ExitCode.usage ? ExitCode.usage : 1);
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

function proxyDetail(settings: Settings, env: NodeJS.ProcessEnv): string {
  if (settings.proxy) return `${displayUrl(settings.proxy)} (proxy setting)`;
  const { httpsProxy, httpProxy, noProxy } = envProxies(env);
  const fromEnv = httpsProxy || httpProxy;
  if (fromEnv) return `${displayUrl(fromEnv)} (environment${noProxy ? `, NO_PROXY=${noProxy}` : ''})`;
  return 'none: direct connections';
}

export async function runCheck(settingsFile: string | undefined, io: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CheckReport> {
  const steps: CheckStep[] = [];
  let exitCode: number = ExitCode.ok;
  const fail = (step: string, e: unknown): void => {
    steps.push({ step, ok: false, detail: messageOf(e) });
    exitCode = Math.max(exitCode, exitFor(e));
  };

  let settings: Settings;
  try {
    settings = await loadSettings({ settingsFile }, io);
  } catch (e) {
    fail('settings', e);
    return { steps, exitCode };
  }
  const plan = planFor(settings);
  const axis = (pick: (id: (typeof plan)[number]) => string): string => [...new Set(plan.map(pick))].join(', ');
  steps.push({
    step: 'settings',
    ok: true,
    detail: `${settings.settingsFile}: ${plan.length} bundle(s) (${axis((id) => id.os)}; ${axis((id) => id.channel)}; ${axis((id) => id.arch)})`,
  });

  for (const [step, check, path] of [
    ['downloadFolder', () => checkDownloadFolder(settings.downloadFolder, 'write'), settings.downloadFolder],
    ['logFilePath', () => checkLogFile(settings.logFilePath), settings.logFilePath],
  ] as const) {
    try {
      await check();
      steps.push({ step, ok: true, detail: `${path}: writable` });
    } catch (e) {
      fail(step, e);
    }
  }

  try {
    steps.push({ step: 'proxy', ok: true, detail: proxyDetail(settings, io.env) });
  } catch (e) {
    fail('proxy', e);
    return { steps, exitCode };
  }
  let http: HttpClient;
  try {
    http = httpClientFor(settings);
    // httpClientFor has read and checked the file; this only counts what it holds.
    const certificates = settings.caFile ? pemCertificates(decodeText(await readFile(settings.caFile))).length : 0;
    steps.push({
      step: 'caFile',
      ok: true,
      detail: settings.caFile ? `${settings.caFile}: ${certificates} certificate(s), added to the system's` : "none: the system's CAs",
    });
  } catch (e) {
    fail('caFile', e);
    return { steps, exitCode };
  }

  try {
    const source = await sourceFor(settings, http);
    const id = plan[0];
    if (id) {
      const started = performance.now();
      const info = await source.versionInfo(id);
      steps.push({
        step: 'upstream',
        ok: true,
        detail: `${source.location}: ${bundleKey(id)} offers signatures ${info.signatures}, engine ${info.engine} (${Math.round(performance.now() - started)} ms)`,
      });
    } else {
      steps.push({ step: 'upstream', ok: false, detail: 'no bundle selected: enable downloadLinuxUpdates or downloadMacUpdates' });
      exitCode = Math.max(exitCode, ExitCode.usage);
    }
  } catch (e) {
    fail('upstream', e);
  } finally {
    await http.close();
  }
  return { steps, exitCode };
}
