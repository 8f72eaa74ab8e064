// Bounds what clients can hold: a cap on open connections that sheds the longest-idle one first (a keep-alive
// connection between requests, or one that never sent a request) and refuses a new one only when every connection is
// busy, and nginx-like timeouts so idle sockets do not pile up until the file descriptors run out.
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface ConnectionLimits {
  readonly maxConnections: number;
  /** Keep-alive idle time, time to send the request head, and the longest a client may stall a response. */
  readonly idleTimeoutMs: number;
}

interface Tracked {
  busy: number;
  idleSince: number;
}

export class ConnectionGuard {
  private readonly sockets = new Map<Socket, Tracked>();
  /** Idle connections closed to make room for new ones. */
  shed = 0;
  /** New connections closed at once because every open one was busy. */
  refused = 0;

  constructor(private readonly limits: ConnectionLimits) {}

  get open(): number {
    return this.sockets.size;
  }

  /** For createServer: the header and request timeouts are enforced on this tick (a tenth of them, 0.1–1 s). */
  get serverOptions(): { connectionsCheckingInterval: number } {
    return { connectionsCheckingInterval: Math.min(1000, Math.max(100, this.limits.idleTimeoutMs / 10)) };
  }

  attach(server: Server, tls: boolean): void {
    const t = this.limits.idleTimeoutMs;
    server.keepAliveTimeout = t;
    server.headersTimeout = t;
    server.requestTimeout = t;
    server.timeout = t;
    // A TLS socket is tracked once its handshake is done; requests arrive on that socket, not the raw one.
    server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => this.admit(socket));
    server.on('request', (req: { socket: Socket }, res: { once(e: 'close', f: () => void): void }) => {
      const tracked = this.sockets.get(req.socket);
      if (!tracked) return;
      tracked.busy++;
      res.once('close', () => {
        tracked.busy--;
        tracked.idleSince = performance.now();
      });
    });
  }

  private admit(socket: Socket): void {
    if (this.sockets.size >= this.limits.maxConnections) {
      const idle = this.longestIdle();
      if (!idle) {
        this.refused++;
        socket.destroy();
        return;
      }
      this.shed++;
      idle.destroy();
      this.sockets.delete(idle);
    }
    this.sockets.set(socket, { busy: 0, idleSince: performance.now() });
    socket.once('close', () => this.sockets.delete(socket));
  }

  private longestIdle(): Socket | undefined {
    let found: [Socket, number] | undefined;
    for (const [socket, t] of this.sockets) {
      if (t.busy === 0 && (!found || t.idleSince < found[1])) found = [socket, t.idleSince];
    }
    return found?.[0];
  }
}
