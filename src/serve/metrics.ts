// /metrics in Prometheus text format: what was served, and the bundle, run and fleet metrics (status-metrics.ts).
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { defineStatusMetrics, type StatusSnapshot } from '../status/status-metrics.js';

/** What the server counts about its clients, read at scrape time. */
export interface ServingCounts {
  readonly openConnections: () => number;
  readonly shedConnections: () => number;
  readonly refusedConnections: () => number;
  readonly accessLogDropped: () => number;
}

export class MirrorMetrics {
  readonly registry = new Registry();
  /** Requests and body bytes by method and status, since the server started. */
  private readonly served = new Map<string, { readonly method: string; readonly status: number; requests: number; bytes: number }>();

  constructor(snapshot: () => Promise<StatusSnapshot>, serving: ServingCounts) {
    collectDefaultMetrics({ register: this.registry, prefix: 'mdatp_mirror_' });
    const reading = (name: string, help: string, read: () => number, type: 'gauge' | 'counter'): void => {
      // Read at scrape time from the server's own counts; summed across a cluster's workers.
      const Metric = type === 'gauge' ? Gauge : Counter;
      new Metric({
        name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    reading('mdatp_mirror_open_connections', 'Client connections open now', serving.openConnections, 'gauge');
    reading(
      'mdatp_mirror_connections_shed_total',
      'Idle connections closed to make room (--max-connections)',
      serving.shedConnections,
      'counter',
    );
    reading(
      'mdatp_mirror_connections_refused_total',
      'New connections refused because all were busy',
      serving.refusedConnections,
      'counter',
    );
    reading(
      'mdatp_mirror_access_log_dropped_total',
      'Access log lines dropped because stdout could not keep up',
      serving.accessLogDropped,
      'counter',
    );
    // Counted in a plain map per request and handed to prom-client at scrape time: its inc() with labels hashes a
    // label object on every call, a measurable share of a 304's cost (bench:serve).
    const served = this.served;
    new Counter({
      name: 'mdatp_mirror_http_requests_total',
      help: 'HTTP requests served, by status',
      labelNames: ['status', 'method'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of served.values()) this.inc({ status: String(c.status), method: c.method }, c.requests);
      },
    });
    new Counter({
      name: 'mdatp_mirror_http_response_bytes_total',
      help: 'Body bytes sent, by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of served.values()) if (c.bytes > 0) this.inc({ status: String(c.status) }, c.bytes);
      },
    });
    // prom-client collects all metrics concurrently: each gauge reads the same snapshot of the tree.
    let cached: { at: number; snapshot: Promise<StatusSnapshot> } | undefined;
    defineStatusMetrics(this.registry, () => {
      if (!cached || Date.now() - cached.at > 1000) cached = { at: Date.now(), snapshot: snapshot() };
      return cached.snapshot;
    });
  }

  record(method: string, status: number, bytes: number): void {
    const key = `${method} ${status}`;
    let c = this.served.get(key);
    if (!c) {
      c = { method, status, requests: 0, bytes: 0 };
      this.served.set(key, c);
    }
    c.requests++;
    c.bytes += bytes;
  }
}
