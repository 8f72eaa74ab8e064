// An emulation of the update service on loopback: redirect hops, version documents, generated zip bundles,
// releases that can be bumped, WAN-like rate and latency, and injected faults. Used by the demo, the tests and CI.
import { EventEmitter, once } from 'node:events';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { basename, dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import send from '@fastify/send';
import { ARCHES, CHANNELS, OSES, type Arch, type BundleId, type Channel, type Os } from '../bundle/identity.js';
import { LINK_IDS } from '../upstream/urls.js';
import { ensureBundle, type BundleShape } from './bundle-factory.js';
import { Catalog, versionDocument } from './catalog.js';
import { FaultPlan, type FaultAction } from './faults.js';

export interface SimulatorOptions {
  readonly dir: string;
  readonly bundleSize: number;
  readonly host?: string;
  readonly port?: number;
  /** Per-connection rate limit in bytes per second (a CDN edge over a WAN). */
  readonly rateBytesPerSec?: number | undefined;
  /** Delay before every response, redirects included. */
  readonly latencyMs?: number | undefined;
  /** Serve HTTPS with this certificate (PEM), to rehearse caFile and TLS inspection. */
  readonly tls?: { readonly cert: string | Buffer; readonly key: string | Buffer } | undefined;
  /** Keep at most this many generated bundles in `dir` (demo, simulate-upstream); unbounded when absent. */
  readonly keepBundles?: number | undefined;
  /** How bundles are built (bundle-factory.ts); "stored" unless asked, as most tests want cheap bundles. */
  readonly bundleShape?: BundleShape | undefined;
}

export interface RequestRecord {
  kind: 'fwlink' | 'redirect' | 'info' | 'bundle' | 'admin' | 'other';
  readonly os?: Os | undefined;
  readonly channel?: Channel | undefined;
  readonly arch?: Arch | undefined;
  readonly action?: 'info' | 'bundle';
  readonly url: string;
  readonly range: string | undefined;
  readonly ifRange: string | undefined;
  readonly userAgent: string | undefined;
  /** Date.now() when the request arrived. */
  readonly at: number;
  status: number;
  bytes: number;
  fault?: FaultAction['type'];
}

const OS_BY_LINK = Object.fromEntries(Object.entries(LINK_IDS).map(([os, id]) => [id, os])) as Record<string, Os>;

function idFromParts(os: string, channel: string, arch: string): BundleId | undefined {
  if (
    !(OSES as readonly string[]).includes(os) ||
    !(CHANNELS as readonly string[]).includes(channel) ||
    !(ARCHES as readonly string[]).includes(arch)
  )
    return undefined;
  return { os: os as Os, channel: channel as Channel, arch: arch as Arch };
}

/** Waits for the response to drain or close, leaving no listener behind for the one that did not happen. */
async function drainOrClose(res: ServerResponse): Promise<void> {
  const done = new AbortController();
  await Promise.race([once(res, 'drain', { signal: done.signal }), once(res, 'close', { signal: done.signal })]);
  done.abort();
}

export class SimulatedUpstream {
  readonly catalog = new Catalog();
  readonly faults = new FaultPlan();
  private get generation(): { keep: number | undefined; shape: BundleShape } {
    return { keep: this.options.keepBundles, shape: this.options.bundleShape ?? 'stored' };
  }
  readonly requests: RequestRecord[] = [];
  /** 'request' (RequestRecord) when one arrives; 'body-progress' (RequestRecord) as a shaped body is sent. */
  readonly events = new EventEmitter();
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly options: SimulatorOptions) {}

  /** The value for baseUpdateUrl / --base-url. */
  get baseUrl(): string {
    return `${this.origin}/fwlink/`;
  }

  private get origin(): string {
    return `${this.options.tls ? 'https' : 'http'}://${this.options.host ?? '127.0.0.1'}:${this.port}`;
  }

  async start(): Promise<this> {
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      this.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500).end(String(e));
        else res.destroy();
      });
    };
    this.server = this.options.tls
      ? createTlsServer({ cert: this.options.tls.cert, key: this.options.tls.key }, handler)
      : createServer(handler);
    this.server.keepAliveTimeout = 30_000;
    this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  /** Pre-generates the current release of these bundles (the first download would otherwise wait for it). */
  async prepare(ids: readonly BundleId[]): Promise<void> {
    for (const id of ids) await ensureBundle(this.options.dir, id, this.catalog.get(id), this.options.bundleSize, this.generation);
  }

  countRequests(kind: RequestRecord['kind']): number {
    return this.requests.filter((r) => r.kind === kind).length;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sim');
    const rec: RequestRecord = {
      kind: 'other',
      url: req.url ?? '',
      range: req.headers.range,
      ifRange: req.headers['if-range'] as string | undefined,
      userAgent: req.headers['user-agent'],
      at: Date.now(),
      status: 0,
      bytes: 0,
    };
    this.requests.push(rec);
    this.events.emit('request', rec);
    res.on('finish', () => (rec.status = res.statusCode));
    res.on('close', () => (rec.status ||= res.statusCode));
    if (this.options.latencyMs) await sleep(this.options.latencyMs);

    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === 'fwlink') return this.fwlink(url, rec, res);
    if (parts[0] === 'redirect' && parts.length === 5) {
      const id = idFromParts(parts[1]!, parts[2]!, parts[3]!);
      if (!id) return void res.writeHead(404).end();
      Object.assign(rec, { kind: 'redirect', ...id });
      const r = this.catalog.get(id);
      // A relative Location on purpose: clients must resolve it against the current URL.
      const target =
        parts[4] === 'info'
          ? `/cdn/${parts[1]}/${parts[2]}/${parts[3]}/info.xml`
          : `/cdn/${parts[1]}/${parts[2]}/${parts[3]}/${r.engine}-${r.signatures}/updates.zip`;
      return void res.writeHead(302, { location: target }).end();
    }
    if (parts[0] === 'cdn' && parts.length >= 5) {
      const id = idFromParts(parts[1]!, parts[2]!, parts[3]!);
      if (!id) return void res.writeHead(404).end();
      Object.assign(rec, { ...id });
      if (parts[4] === 'info.xml') return this.info(id, rec, res);
      const m = /^(\d+(?:\.\d+)+)-(\d+(?:\.\d+)+)$/.exec(parts[4]!);
      if (m && parts[5] === 'updates.zip') return this.bundle(req, res, id, m[1]!, m[2]!, rec);
    }
    if (parts[0] === '_admin') return this.admin(req, res, url, rec);
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  }

  private fwlink(url: URL, rec: RequestRecord, res: ServerResponse): void {
    const os = OS_BY_LINK[url.searchParams.get('linkid') ?? ''];
    if (!os) return void res.writeHead(404).end('unknown linkid\n');
    const arch: Arch = url.searchParams.get('arch') === 'arm64' ? 'arm64' : 'x86_64';
    const channel: Channel = url.searchParams.get('engRing') === '3' && url.searchParams.get('sigRing') === '1' ? 'preview' : 'production';
    const action = url.searchParams.get('action') === 'info' ? 'info' : 'bundle';
    Object.assign(rec, { kind: 'fwlink', os, channel, arch, action });
    // An absolute Location first, then a relative one: two hops, like the redirector in front of a CDN.
    res.writeHead(302, { location: `${this.origin}/redirect/${os}/${channel}/${arch}/${action}` }).end();
  }

  private info(id: BundleId, rec: RequestRecord, res: ServerResponse): void {
    rec.kind = 'info';
    const fault = this.faults.take('info', id);
    if (fault) rec.fault = fault.type;
    if (fault?.type === 'status') return this.status(res, fault.status, fault.retryAfter);
    const body =
      fault?.type === 'malformed-info'
        ? '<versions><engine>1.1.1.1</engine><signatures>1.2.3'
        : fault?.type === 'info-body'
          ? fault.body
          : versionDocument(this.catalog.get(id));
    rec.bytes = Buffer.byteLength(body);
    res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': rec.bytes }).end(body);
  }

  private status(res: ServerResponse, status: number, retryAfter?: string): void {
    const body = `<html><body><h1>${status} Error</h1></body></html>\n`;
    res.writeHead(status, {
      'content-type': 'text/html',
      'content-length': Buffer.byteLength(body),
      ...(retryAfter ? { 'retry-after': retryAfter } : {}),
    });
    res.end(body);
  }

  private async bundle(
    req: IncomingMessage,
    res: ServerResponse,
    id: BundleId,
    engine: string,
    signatures: string,
    rec: RequestRecord,
  ): Promise<void> {
    rec.kind = 'bundle';
    const fault = this.faults.take('bundle', id, req.headers.range !== undefined);
    if (fault) rec.fault = fault.type;
    if (fault?.type === 'status') return this.status(res, fault.status, fault.retryAfter);
    if (fault?.type === 'html-200') {
      const page = '<!DOCTYPE html><html><body>Service temporarily unavailable</body></html>\n';
      return void res.writeHead(200, { 'content-type': 'text/html' }).end(page);
    }
    if (fault?.type === 'redirect') return void res.writeHead(302, { location: fault.location }).end();
    if (fault?.type === 'endless') return this.endlessBody(res, rec);
    if (fault?.type === 'file') {
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': (await stat(fault.path)).size });
      await pipeline(createReadStream(fault.path), res).catch(() => undefined);
      return void this.events.emit('body-sent', rec);
    }
    const file = await ensureBundle(
      this.options.dir,
      id,
      { ...this.catalog.get(id), engine, signatures },
      this.options.bundleSize,
      this.generation,
    );
    if (fault?.type === 'ignore-range') {
      delete req.headers.range;
      delete req.headers['if-range'];
    }
    const sent = await send(req, basename(file), {
      root: dirname(file),
      cacheControl: false,
      index: false,
      dotfiles: 'allow',
      highWaterMark: 256 * 1024,
    });
    res.writeHead(sent.statusCode, sent.headers);
    if (req.method === 'HEAD') return void res.end();
    if (fault?.type === 'release-during-download') this.catalog.bump(id);
    const plain = !fault && !this.options.rateBytesPerSec;
    if (plain) {
      sent.stream.on('data', (c: Buffer) => (rec.bytes += c.length));
      await pipeline(sent.stream, res).catch(() => undefined);
      return;
    }
    await this.shapedBody(sent.stream, res, Number(sent.headers['Content-Length'] ?? sent.headers['content-length'] ?? 0), fault, rec);
  }

  /** Zeros, chunked, until the client goes away. */
  private async endlessBody(res: ServerResponse, rec: RequestRecord): Promise<void> {
    res.writeHead(200, { 'content-type': 'application/zip' });
    const zeros = Buffer.alloc(256 * 1024);
    while (!res.destroyed && !res.writableEnded) {
      rec.bytes += zeros.length;
      if (!res.write(zeros)) await drainOrClose(res);
    }
  }

  /** Writes a body chunk by chunk with rate limiting and cut/stall/corrupt faults applied. */
  private async shapedBody(
    stream: NodeJS.ReadableStream & { destroy(): void },
    res: ServerResponse,
    length: number,
    fault: FaultAction | undefined,
    rec: RequestRecord,
  ): Promise<void> {
    const limit = fault?.type === 'cut' || fault?.type === 'stall' ? Math.floor(length * fault.at) : undefined;
    const corruptAt = fault?.type === 'corrupt' ? Math.floor(length / 2) : undefined;
    const rate = this.options.rateBytesPerSec;
    const trickle = fault?.type === 'trickle' ? fault.byteEveryMs : undefined;
    const started = performance.now();
    let closed = false;
    res.on('close', () => (closed = true));
    try {
      for await (const raw of stream) {
        if (closed) break;
        let chunk = raw as Buffer;
        if (corruptAt !== undefined && corruptAt >= rec.bytes && corruptAt < rec.bytes + chunk.length) {
          chunk = Buffer.from(chunk);
          chunk[corruptAt - rec.bytes] = chunk[corruptAt - rec.bytes]! ^ 0xff;
        }
        if (limit !== undefined && rec.bytes + chunk.length >= limit) {
          const part = chunk.subarray(0, limit - rec.bytes);
          rec.bytes += part.length;
          await new Promise<void>((resolve) => res.write(part, () => resolve()));
          if (fault?.type === 'cut') res.destroy();
          else if (!closed) await once(res, 'close');
          return;
        }
        if (trickle !== undefined) {
          for (let i = 0; i < chunk.length && !closed; i++) {
            res.write(chunk.subarray(i, i + 1));
            rec.bytes++;
            this.events.emit('body-progress', rec);
            await sleep(trickle);
          }
          continue;
        }
        if (rate) {
          const due = started + ((rec.bytes + chunk.length) / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
        }
        rec.bytes += chunk.length;
        this.events.emit('body-progress', rec);
        if (!res.write(chunk)) await once(res, 'drain');
      }
      res.end();
    } finally {
      stream.destroy();
    }
  }

  private async admin(req: IncomingMessage, res: ServerResponse, url: URL, rec: RequestRecord): Promise<void> {
    rec.kind = 'admin';
    const json = (status: number, v: unknown): void =>
      void res.writeHead(status, { 'content-type': 'application/json' }).end(`${JSON.stringify(v)}\n`);
    const filter = Object.fromEntries(
      ['os', 'channel', 'arch'].flatMap((k) => (url.searchParams.get(k) ? [[k, url.searchParams.get(k)]] : [])),
    ) as Partial<BundleId>;
    const route = `${req.method} ${url.pathname}`;
    if (route === 'POST /_admin/bump') return json(200, { bumped: this.catalog.bump(filter, url.searchParams.get('engine') === '1') });
    if (route === 'POST /_admin/withdraw') return json(200, { withdrawn: this.catalog.withdraw(filter) });
    if (route === 'GET /_admin/requests') return json(200, this.requests);
    if (route === 'DELETE /_admin/faults') return (this.faults.clear(), json(200, { cleared: true }));
    if (route === 'POST /_admin/faults') {
      let body = '';
      for await (const c of req) body += String(c);
      try {
        const f = JSON.parse(body) as Parameters<FaultPlan['add']>[0];
        this.faults.add(f);
        return json(200, { added: f });
      } catch (e) {
        return json(400, { error: (e as Error).message });
      }
    }
    json(404, {
      error: 'unknown admin route',
      routes: [
        'POST /_admin/bump?os=&channel=&arch=',
        'POST /_admin/withdraw?os=&channel=&arch=',
        'GET /_admin/requests',
        'POST /_admin/faults',
        'DELETE /_admin/faults',
      ],
    });
  }
}
