// `mdatp-mirror serve`: check the flags, then serve the download folder (one process or a cluster) until SIGTERM/SIGINT.
import { planFor } from '../../settings/plan.js';
import { listenError, usageError } from '../../errors/catalogue.js';
import { AccessLog } from '../../serve/access-log.js';
import { announcement } from '../../serve/announce.js';
import type { ConnectionLimits } from '../../serve/connections.js';
import { growHeapSlowly, keepYoungGenerationSmall } from '../../util/v8-heap.js';
import { loadTlsFiles } from '../../serve/tls-files.js';
import { MirrorServer } from '../../serve/server.js';
import { AggregatorRegistry, clusterMetrics, isWorker, shutdownRequested, startWorkers } from '../../serve/cluster.js';
import { loadSettings } from '../../settings/load.js';
import { StoreLayout } from '../../store/layout.js';
import { parseDuration } from '../../util/duration.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { stopRequested } from '../signals.js';
import { keepSaved, loadFleet } from '../../fleet/fleet-file.js';
import { FleetObserver } from '../../serve/fleet-observer.js';
import { localFleet, primaryFleet, type FleetView } from '../../serve/fleet-view.js';
import { mirrorStatus } from '../../status/mirror-status.js';

export interface ServeCliOptions extends GlobalOptions {
  readonly host?: string;
  readonly port: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly browse?: boolean;
  readonly grace: string;
  readonly accessLog: boolean;
  readonly workers?: string;
  readonly maxConnections: string;
  readonly idleTimeout: string;
  readonly fleet: boolean;
  readonly fleetWindow: string;
}

function listenFailure(e: NodeJS.ErrnoException, port: number): string {
  if (e.code === 'EADDRINUSE') return `port ${port} is already in use; pick another with --port.`;
  if ((e.code === 'EACCES' || e.code === 'EPERM') && port > 0 && port < 1024) {
    return `port ${port} is a privileged port (below 1024) and this user may not listen on it: use --port 8080 (endpoints then use http://<server>:8080/…), or allow it once with: sudo setcap cap_net_bind_service=+ep "${process.execPath}" (systemd: AmbientCapabilities=CAP_NET_BIND_SERVICE).`;
  }
  return `cannot listen on port ${port}: ${e.message}`;
}

function connectionLimits(o: ServeCliOptions): ConnectionLimits {
  const maxConnections = Number(o.maxConnections);
  if (!Number.isInteger(maxConnections) || maxConnections < 1 || maxConnections > 1_000_000)
    throw usageError(`--max-connections ${o.maxConnections}: a whole number from 1 to 1000000.`);
  const idleTimeoutMs = parseDuration(o.idleTimeout);
  if (idleTimeoutMs === undefined || idleTimeoutMs < 1000 || idleTimeoutMs > 3_600_000)
    throw usageError(`--idle-timeout ${o.idleTimeout}: a duration from 1s to 1h, like 60s.`);
  return { maxConnections, idleTimeoutMs };
}

/**
 * One process unless asked: measured in bench/serve.mjs on 2 cores with the clients on the same machine, a second
 * worker lowered throughput (1214 vs 1426 MB/s). With more cores and remote clients, --workers N helps.
 */
const defaultWorkers = (): number => 1;

/**
 * The status document, built at most once a second however many clients ask (a page reloading on many screens, a
 * scraper, someone holding F5): counting a fleet at its bound takes ~75 ms.
 */
function atMostEverySecond<T>(build: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || Date.now() - last.at > 1000) last = { at: Date.now(), value: build() };
    return last.value;
  };
}

export async function serve(o: ServeCliOptions, io: CommandIo): Promise<number> {
  const port = Number(o.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usageError(`--port ${o.port}: must be a whole number from 0 to 65535.`);
  const graceMs = parseDuration(o.grace);
  if (graceMs === undefined) throw usageError(`--grace ${o.grace}: write a duration like 30s or 2m.`);
  const connections = connectionLimits(o);
  const tls = await loadTlsFiles(o.tlsCert, o.tlsKey);
  const settings = await loadSettings({ settingsFile: o.settings, folderUse: 'serve' }, io);
  const plan = planFor(settings);
  const workers = o.workers === undefined ? defaultWorkers() : Number(o.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw usageError(`--workers ${o.workers}: a whole number from 1 to 64.`);
  const fleetWindowMs = parseDuration(o.fleetWindow);
  if (fleetWindowMs === undefined || fleetWindowMs < 60_000)
    throw usageError(`--fleet-window ${o.fleetWindow}: a duration of at least 1m, like 16h (twice the endpoints' update interval).`);
  const signalled = stopRequested();
  const live = StoreLayout.live(settings.downloadFolder);
  const warn = (message: string): void => void io.stderr.write(`warning: ${message}\n`);
  // The primary (or the only process) keeps the record; workers tell it what they served.
  const record = o.fleet && !isWorker() ? await loadFleet(live, warn) : undefined;
  const saving = record ? keepSaved(record, live, warn) : undefined;
  const fleet: FleetView | undefined = !o.fleet ? undefined : record ? localFleet(record, fleetWindowMs) : primaryFleet();

  const announce = (scheme: string, boundPort: number): void => {
    io.stderr.write(
      announcement({
        folder: settings.downloadFolder,
        host: o.host,
        scheme,
        port: boundPort,
        workers,
        plan,
        preview: settings.downloadPreviewUpdates,
      }),
    );
  };

  if (workers > 1 && !isWorker()) {
    const cluster = await startWorkers(
      workers,
      (code) => io.stderr.write(`a serve worker exited (code ${code}); starting another\n`),
      fleet,
    ).catch((e: Error) => {
      throw listenError(`cannot serve: ${e.message}`);
    });
    announce(tls ? 'https' : 'http', cluster.port);
    await signalled;
    io.stderr.write(`stopping: letting running transfers finish (up to ${o.grace})\n`);
    await cluster.stop(graceMs);
    await saving?.stop();
    return 0;
  }

  const accessLog = o.accessLog ? new AccessLog(1) : undefined;
  const server = await new MirrorServer({
    root: settings.downloadFolder,
    host: o.host,
    port,
    tls,
    browse: Boolean(o.browse),
    plan,
    layouts: StoreLayout.served(settings.downloadFolder),
    accessLog,
    connections,
    clusterMetrics: isWorker() ? clusterMetrics : undefined,
    status: atMostEverySecond(() =>
      mirrorStatus(settings, { now: new Date(), fleet: fleet ? (current) => fleet.counts(current) : undefined }),
    ),
    fleet: fleet ? new FleetObserver(settings.downloadFolder, (s) => fleet.observe(s)) : undefined,
  })
    .start()
    .catch((e: NodeJS.ErrnoException) => {
      throw listenError(listenFailure(e, port));
    });
  growHeapSlowly();
  keepYoungGenerationSmall();
  if (isWorker()) {
    // Constructing one is what makes prom-client answer the primary's collection requests in this worker.
    void new AggregatorRegistry();
    AggregatorRegistry.setRegistries([server.registry]);
  } else announce(server.scheme, server.port);

  await (isWorker() ? Promise.race([signalled, shutdownRequested()]) : signalled);
  if (!isWorker()) io.stderr.write(`stopping: letting running transfers finish (up to ${o.grace})\n`);
  const { cut } = await server.shutdown(graceMs);
  await saving?.stop();
  await accessLog?.drain(2000);
  if (cut > 0) io.stderr.write(`stopped: ${cut} transfer(s) cut at the end of the grace period\n`);
  return 0;
}
