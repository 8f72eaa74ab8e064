// Real storage emulators on 127.0.0.1 for the publish tests: Azurite (Microsoft's Azure Storage emulator, run as
// its own process) and s3rver (an S3-compatible server), each behind a recording proxy that counts the requests
// the tool made, can damage a request body on its way, and can play a service that is down.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import S3rver from 's3rver';
import { expect } from 'vitest';
import { snapshot } from './mirror.js';

export interface Emulator {
  readonly port: number;
  stop(): Promise<void>;
}

/** Azurite's well-known development account: public by design, the same in every Azurite. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
export const azuriteConnectionString = (port: number): string =>
  `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:${port}/${AZURITE_ACCOUNT};`;

export async function startAzurite(location: string): Promise<Emulator> {
  const main = join(dirname(createRequire(import.meta.url).resolve('azurite/package.json')), 'dist', 'src', 'blob', 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', location, '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`azurite exited with ${code}: ${out}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill();
      await once(child, 'exit');
    },
  };
}

export const S3_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' } as const;

export async function startS3(directory: string, bucket: string): Promise<Emulator> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port } = await server.run();
  return { port, stop: () => server.close() };
}

export interface RecordingProxy {
  readonly url: string;
  /** "METHOD path?query" of every request forwarded. */
  readonly seen: string[];
  /** Damages one byte of the bodies of requests this picks (a corrupted upload). */
  corrupt: ((req: IncomingMessage) => boolean) | undefined;
  /** While down, every connection is cut at once (a service that is unreachable). */
  down: boolean;
  close(): Promise<void>;
}

export async function startRecordingProxy(targetPort: number): Promise<RecordingProxy> {
  const sockets = new Set<Socket>();
  const proxy: RecordingProxy = {
    url: '',
    seen: [],
    corrupt: undefined,
    down: false,
    close: async () => {
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, 'close');
    },
  };
  const server: Server = createServer((req, res) => {
    if (proxy.down) return void req.socket.destroy();
    proxy.seen.push(`${req.method} ${req.url}`);
    const damage = proxy.corrupt?.(req) ?? false;
    const up = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    let first = true;
    req.on('data', (chunk: Buffer) => {
      if (damage && first && chunk.length > 0) chunk[0] = (chunk[0] ?? 0) ^ 0xff;
      first = false;
      up.write(chunk);
    });
    req.on('end', () => up.end());
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return Object.assign(proxy, { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

/** Every served file of the local tree, fetched from the replica's public URL: same bytes, nothing missing. */
export async function expectReplicaMatches(mirror: string, baseUrl: string): Promise<void> {
  const local = await snapshot(mirror);
  expect(Object.keys(local).length).toBeGreaterThan(0);
  for (const [path, hash] of Object.entries(local)) {
    const r = await fetch(`${baseUrl}${path}`);
    expect(r.status, `${path} is published`).toBe(200);
    const bytes = Buffer.from(await r.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex'), `${path} has the local bytes`).toBe(hash);
  }
}
