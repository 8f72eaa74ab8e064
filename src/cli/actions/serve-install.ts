// `mdatp-mirror serve install`: write (or print) a service definition that keeps `serve` running, with absolute
// paths, and say the one command that activates it.
import { resolve } from 'node:path';
import { usageError } from '../../errors/catalogue.js';
import { runAs } from '../../schedule/install/run-as.js';
import { SERVICE_INTEGRATIONS, SERVICE_KINDS, type ServiceKind } from '../../schedule/install/service.js';
import { loadSettings } from '../../settings/load.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { emitGenerated } from './generated-files.js';
import { checkLastingPaths } from '../../schedule/install/lasting-paths.js';
import { currentLauncher } from '../../schedule/install/launcher.js';

export interface ServeInstallOptions extends GlobalOptions {
  readonly with?: string;
  readonly user?: string;
  readonly host?: string;
  readonly port: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly dryRun?: boolean;
  readonly out?: string;
}

export async function serveInstall(o: ServeInstallOptions, io: CommandIo): Promise<number> {
  if (!o.with || !(SERVICE_KINDS as string[]).includes(o.with)) {
    throw usageError(
      `--with must be one of ${SERVICE_KINDS.join(', ')}${o.with ? `, not "${o.with}"` : ''}${o.with === 'cron' ? ' (cron starts jobs; it does not keep a server running)' : ''}.`,
    );
  }
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw usageError(`--port ${o.port}: a port number from 1 to 65535.`);
  if (Boolean(o.tlsCert) !== Boolean(o.tlsKey)) throw usageError('give --tls-cert and --tls-key together.');
  const launcher = currentLauncher();
  checkLastingPaths(launcher);
  // The service must start: the settings it will read are checked now.
  const settings = await loadSettings({ settingsFile: o.settings }, io);
  const user = await runAs(o.user, settings.downloadFolder);
  const serveArgs = [
    ...(o.host ? ['--host', o.host] : []),
    '--port',
    String(port),
    ...(o.tlsCert && o.tlsKey ? ['--tls-cert', resolve(io.cwd, o.tlsCert), '--tls-key', resolve(io.cwd, o.tlsKey)] : []),
  ];
  const integration = SERVICE_INTEGRATIONS[o.with as ServiceKind];
  const files = integration.files({
    launcher,
    settingsFile: settings.settingsFile,
    user,
    serveArgs,
    privilegedPort: port < 1024,
  });
  return emitGenerated(integration, files, o, io);
}
