// Serving on several cores: Node 20 has no sendfile, so throughput comes from worker processes sharing the port
// (node:cluster), as nginx uses worker processes. The primary prints the startup line, aggregates /metrics across
// workers (prom-client's AggregatorRegistry) and coordinates the graceful stop.
import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry } from 'prom-client';
import { answerWorker, type FleetView } from './fleet-view.js';
import { workerNodeOptions } from './node-options.js';

interface MetricsRequest {
  readonly type: 'mdatp-mirror:metrics-request';
  readonly id: number;
}
interface MetricsResponse {
  readonly type: 'mdatp-mirror:metrics-response';
  readonly id: number;
  readonly body: string;
  readonly contentType: string;
}
const SHUTDOWN = 'mdatp-mirror:shutdown';

export const isWorker = (): boolean => cluster.isWorker;

/** In the primary: fork the workers, wait until all listen, and serve their metrics requests. */
export async function startWorkers(
  count: number,
  onWorkerDied: (code: number | null) => void,
  fleet: FleetView | undefined,
): Promise<{ port: number; stop: (graceMs: number) => Promise<void> }> {
  const aggregator = new AggregatorRegistry();
  cluster.setupPrimary({ execArgv: workerNodeOptions() });
  let stopping = false;
  const wire = (w: Worker): void => {
    if (fleet) answerWorker(w, fleet);
    w.on('message', (m: MetricsRequest) => {
      if (m?.type !== 'mdatp-mirror:metrics-request') return;
      aggregator.clusterMetrics().then(
        (body) =>
          w.send({ type: 'mdatp-mirror:metrics-response', id: m.id, body, contentType: aggregator.contentType } satisfies MetricsResponse),
        (e: Error) =>
          w.send({
            type: 'mdatp-mirror:metrics-response',
            id: m.id,
            body: `# metrics unavailable: ${e.message}\n`,
            contentType: 'text/plain',
          } satisfies MetricsResponse),
      );
    });
  };
  cluster.on('exit', (_w, code) => {
    if (stopping || !started) return;
    // A worker that dies is replaced: the fleet keeps its mirror.
    onWorkerDied(code);
    wire(cluster.fork());
  });
  let started = false;
  const listening = new Promise<number>((resolve, reject) => {
    let n = 0;
    cluster.on('listening', (_w, address: AddressInfo) => {
      if (++n === count) {
        started = true;
        resolve(address.port);
      }
    });
    // A worker that cannot even start (port in use, bad certificate) stops the whole server.
    cluster.on(
      'exit',
      (_w, code) => !started && reject(new Error(`a worker could not start (exit code ${code}); run with --workers 1 to see why`)),
    );
  });
  for (let i = 0; i < count; i++) wire(cluster.fork());
  const port = await listening;
  return {
    port,
    async stop(graceMs: number) {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      const exits = workers.map((w) => once(w, 'exit'));
      for (const w of workers) if (w.isConnected()) w.send(SHUTDOWN);
      const timer = setTimeout(() => workers.forEach((w) => w.process.kill('SIGKILL')), graceMs + 5000);
      await Promise.all(exits);
      clearTimeout(timer);
    },
  };
}

/** In a worker: resolves when the primary asks it to stop. */
export function shutdownRequested(): Promise<void> {
  return new Promise((resolve) => process.on('message', (m) => m === SHUTDOWN && resolve()));
}

/** In a worker: /metrics for the whole cluster, asked of the primary. */
export function clusterMetrics(): Promise<{ body: string; contentType: string }> {
  const id = Math.random();
  return new Promise((resolve) => {
    const on = (m: MetricsResponse): void => {
      if (m?.type !== 'mdatp-mirror:metrics-response' || m.id !== id) return;
      process.off('message', on);
      resolve({ body: m.body, contentType: m.contentType });
    };
    process.on('message', on);
    process.send?.({ type: 'mdatp-mirror:metrics-request', id } satisfies MetricsRequest);
  });
}

export { AggregatorRegistry };
