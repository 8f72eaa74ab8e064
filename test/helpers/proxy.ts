// A minimal local HTTP proxy (CONNECT tunnels and absolute-form forwarding) that records what went through it.
import { once } from 'node:events';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';

export interface TestProxy {
  readonly url: string;
  readonly port: number;
  /** host:port of every CONNECT, and absolute URL of every forwarded request. */
  readonly seen: string[];
  /** Proxy-Authorization headers received. */
  readonly auth: string[];
  close(): Promise<void>;
}

export async function startProxy(
  opts: { requireAuth?: string; refuseConnect?: { status: number; times: number } } = {},
): Promise<TestProxy> {
  let refusals = opts.refuseConnect?.times ?? 0;
  const seen: string[] = [];
  const auth: string[] = [];
  const expected = opts.requireAuth ? `Basic ${Buffer.from(opts.requireAuth).toString('base64')}` : undefined;
  const server: Server = createServer((req, res) => {
    seen.push(req.url ?? '');
    const a = req.headers['proxy-authorization'];
    if (a) auth.push(a);
    if (expected && a !== expected) return void res.writeHead(407, { 'proxy-authenticate': 'Basic' }).end();
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = request(target, { method: req.method, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(req.url ?? '');
    const a = req.headers['proxy-authorization'];
    if (a) auth.push(a);
    if (expected && a !== expected)
      return void socket.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n\r\n');
    if (refusals > 0) {
      refusals--;
      return void socket.end(`HTTP/1.1 ${opts.refuseConnect!.status} Refused\r\nContent-Length: 0\r\n\r\n`);
    }
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    auth,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
