// The mirror's own static server: GET/HEAD of the mirror tree only, conditional and single-range requests,
// /healthz, /metrics, /status and /status.json, fleet adoption, an access log, and a graceful stop that lets running transfers finish.
import { EventEmitter, once } from 'node:events';
import { realpath } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AccessLog } from './access-log.js';
import { ConnectionGuard, type ConnectionLimits } from './connections.js';
import { ContentChecks } from './content-check.js';
import type { BundleId } from '../bundle/identity.js';
import type { StoreLayout } from '../store/layout.js';
import { sendFile } from './file-response.js';
import { TreeGuard } from './tree-guard.js';
import { treeHealth } from '../status/tree-health.js';
import type { MirrorStatus } from '../status/mirror-status.js';
import type { FleetObserver } from './fleet-observer.js';
import { renderStatusPage } from './status-page.js';
import { listing } from './listing.js';
import { MirrorMetrics } from './metrics.js';
import { decidePath } from './mirror-paths.js';
import { BoundedCache } from '../util/bounded-cache.js';

export interface ServeOptions {
  readonly root: string;
  /** undefined: all interfaces (IPv6 and IPv4 where the machine has IPv6, IPv4 otherwise). */
  readonly host: string | undefined;
  readonly port: number;
  readonly tls: { readonly cert: Buffer; readonly key: Buffer } | undefined;
  readonly browse: boolean;
  /** Bundles /healthz and /metrics report on, in each tree (live first, then staging). */
  readonly plan: readonly BundleId[];
  readonly layouts: readonly StoreLayout[];
  readonly accessLog: AccessLog | undefined;
  readonly connections: ConnectionLimits;
  readonly now?: () => Date;
  /** The facts of /status, /status.json and the run and fleet metrics (status/mirror-status.ts). */
  readonly status: () => Promise<MirrorStatus>;
  /** Counts whole bundles served per client, for fleet adoption; undefined turns it off. */
  readonly fleet: FleetObserver | undefined;
  /** Supplies /metrics for the whole cluster when this server is one of several workers. */
  readonly clusterMetrics?: (() => Promise<{ body: string; contentType: string }>) | undefined;
}

export class MirrorServer {
  private server: Server | undefined;
  private readonly active = new Set<ServerResponse>();
  /** Emits 'idle' when the last running response ends (graceful shutdown waits for it). */
  private readonly activity = new EventEmitter();
  private readonly metrics: MirrorMetrics;
  private readonly guard: ConnectionGuard;
  private readonly content = new ContentChecks();
  /**
   * Each file's path under the root, by its path in the request, built once: joining per request was 2% of a 304
   * (bench:serve), and the same string each time keeps its hash for the caches keyed by it (file-response.ts).
   */
  private readonly filePaths = new BoundedCache<string, string>(512);
  /** Set once the root's real path is known (start). */
  private tree: TreeGuard | undefined;

  constructor(private readonly o: ServeOptions) {
    this.guard = new ConnectionGuard(o.connections);
    this.metrics = new MirrorMetrics(
      async () => {
        const [tree, status] = await Promise.all([this.health(), this.o.status()]);
        return { tree, status };
      },
      {
        openConnections: () => this.guard.open,
        shedConnections: () => this.guard.shed,
        refusedConnections: () => this.guard.refused,
        accessLogDropped: () => this.o.accessLog?.dropped ?? 0,
      },
    );
  }

  /** The registry a cluster primary aggregates from this worker. */
  get registry() {
    return this.metrics.registry;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.o.port;
  }

  get scheme(): 'http' | 'https' {
    return this.o.tls ? 'https' : 'http';
  }

  private health() {
    return treeHealth(this.o.layouts, this.o.plan, this.o.now ?? (() => new Date()), this.content);
  }

  async start(): Promise<this> {
    this.tree = new TreeGuard(await realpath(this.o.root));
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.active.add(res);
      const started = performance.now();
      // Read now: once the client has gone, the socket no longer knows its peer.
      const remote = req.socket.remoteAddress;
      // Logged once the response is done and its byte count known (the socket's 'close' comes first); only then
      // does it stop counting as running, so a graceful stop never cuts an access log line.
      const done = (bytes: number): void => {
        this.active.delete(res);
        if (this.active.size === 0) queueMicrotask(() => this.activity.emit('idle'));
        this.metrics.record(req.method ?? '-', res.statusCode, bytes);
        this.o.accessLog?.record({
          method: req.method,
          path: req.url,
          status: res.statusCode,
          bytes,
          ms: Math.round(performance.now() - started),
          remote,
          range: req.headers.range,
          ua: req.headers['user-agent'],
          complete: res.writableFinished,
        });
      };
      this.handle(req, res).then(done, (e: unknown) => {
        this.o.accessLog?.error(`request failed: ${(e as Error).message}`, req.url);
        if (!res.headersSent) this.text(res, 500, 'internal error\n');
        else res.destroy();
        done(0);
      });
    };
    const options = this.guard.serverOptions;
    this.server = this.o.tls
      ? createTlsServer(
          { cert: this.o.tls.cert, key: this.o.tls.key, handshakeTimeout: this.o.connections.idleTimeoutMs, ...options },
          handler,
        )
      : createServer(options, handler);
    this.guard.attach(this.server, this.o.tls !== undefined);
    this.server.listen(this.o.port, this.o.host);
    await once(this.server, 'listening');
    return this;
  }

  private text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): number {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
    res.end(body);
    return 0;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.text(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    const decision = decidePath(req.url ?? '/');
    switch (decision.kind) {
      case 'reject':
        return this.text(res, decision.status, decision.status === 400 ? 'bad request\n' : 'not found\n');
      case 'special': {
        if (decision.name === 'metrics') {
          const { body, contentType } = this.o.clusterMetrics
            ? await this.o.clusterMetrics()
            : { body: await this.metrics.registry.metrics(), contentType: this.metrics.registry.contentType };
          res.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
          res.end(req.method === 'HEAD' ? undefined : body);
          return 0;
        }
        if (decision.name === 'status' || decision.name === 'status.json') {
          const status = await this.o.status();
          const html = decision.name === 'status';
          const body = html ? renderStatusPage(status) : `${JSON.stringify(status, null, 2)}\n`;
          res.writeHead(200, {
            'Content-Type': html ? 'text/html; charset=utf-8' : 'application/json',
            'Cache-Control': 'no-store',
            'Content-Length': Buffer.byteLength(body),
          });
          res.end(req.method === 'HEAD' ? undefined : body);
          return 0;
        }
        const h = await this.health();
        const body = `${JSON.stringify({ status: h.healthy ? 'ok' : 'unhealthy', bundles: h.bundles }, null, 2)}\n`;
        res.writeHead(h.healthy ? 200 : 503, {
          'Content-Type': 'application/json',
          'Cache-Control': 'no-store',
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(req.method === 'HEAD' ? undefined : body);
        return 0;
      }
      case 'dir': {
        if (!this.o.browse) return this.text(res, 404, 'not found\n');
        if (req.url?.split('?')[0] !== decision.canonical) return this.text(res, 301, '', { Location: decision.canonical });
        const html = await listing(this.o.root, decision.rel, decision.canonical);
        if (html === undefined) return this.text(res, 404, 'not found\n');
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
        res.end(req.method === 'HEAD' ? undefined : html);
        return 0;
      }
      case 'file': {
        const path = this.filePaths.get(decision.rel) ?? this.filePaths.remember(decision.rel, join(this.o.root, decision.rel));
        // A symlink inside the tree must not lead outside it: checked on the opened file before anything about it is sent.
        const sent = await sendFile(req, res, path, this.tree!);
        if (!sent) return this.text(res, 404, 'not found\n');
        if (sent.body && this.o.fleet) {
          const { size, ino, start, end } = sent.body;
          const delivery = {
            rel: decision.rel,
            client: req.socket.remoteAddress,
            size,
            ino,
            start,
            end,
            complete: sent.bytes === end - start + 1,
          };
          await this.o.fleet
            .delivered(delivery)
            .catch((e: unknown) => this.o.accessLog?.error(`fleet record: ${(e as Error).message}`, req.url));
        }
        return sent.bytes;
      }
    }
  }

  /** Stops accepting, lets running responses finish for up to graceMs, then closes what is left. */
  async shutdown(graceMs: number): Promise<{ cut: number }> {
    const server = this.server;
    if (!server) return { cut: 0 };
    const closed = once(server, 'close');
    server.close();
    server.closeIdleConnections();
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([once(this.activity, 'idle'), new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    const cut = this.active.size;
    server.closeAllConnections();
    await closed;
    return { cut };
  }
}
