// `serve` through the real CLI: HTTP semantics, the traversal table, TLS, replacement during a download,
// /healthz, /metrics, access log and graceful shutdown.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { request, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SimulatedUpstream } from '../src/simulate/server.js';
import { runCli } from './helpers/cli.js';
import { removeDir, startUpstream, tempDir, writeSettings } from './helpers/mirror.js';
import { pausedDownload, rawRequest, startServe, type RunningServe } from './helpers/serve.js';
import { makeCertificates } from './helpers/tls.js';

let upstream: SimulatedUpstream;
let dir: string;
let mirror: string;
let serve: RunningServe | undefined;
const BUNDLE = '/linux/production/arch_x86_64/updates.zip';
const SECRET = 'TOP-SECRET-OUTSIDE-THE-ROOT';

beforeAll(async () => {
  upstream = await startUpstream({ bundleSize: 4 * 1024 * 1024 });
});
afterAll(async () => upstream.stop());
beforeEach(async () => {
  dir = await tempDir();
  mirror = join(dir, 'mirror');
  await writeSettings(dir, upstream, { architectures: ['x86_64'] });
  await writeFile(join(dir, 'secret.txt'), SECRET);
  expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(0);
});
afterEach(async () => {
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGTERM');
    await serve.child.result;
  }
  serve = undefined;
  await removeDir(dir);
});

const settingsArgs = () => ['--settings', join(dir, 'settings.json')];

function fetchRaw(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ res: IncomingMessage; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** A client that reads one chunk and stops reading: the server is held mid-file by backpressure. */
describe('serve: HTTP', () => {
  it('serves GET and HEAD with Content-Type, Content-Length, ETag and Last-Modified, on a kept-alive connection', async () => {
    serve = await startServe(settingsArgs());
    const file = await readFile(join(mirror, BUNDLE));
    const { res, body } = await fetchRaw(serve.base + BUNDLE);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    expect(Number(res.headers['content-length'])).toBe(file.length);
    expect(res.headers.etag).toMatch(/^"[0-9a-f-]+"$/);
    expect(res.headers['last-modified']).toBeTruthy();
    expect(res.headers.connection).toBe('keep-alive');
    expect(sha(body)).toBe(sha(file));
    const head = await fetchRaw(serve.base + BUNDLE, {}, 'HEAD');
    expect(head.res.statusCode).toBe(200);
    expect(Number(head.res.headers['content-length'])).toBe(file.length);
    expect(head.body.length).toBe(0);
    const manifest = await fetchRaw(serve.base + '/linux/production/arch_x86_64/manifest.json');
    expect(manifest.res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(manifest.body.toString())).toHaveProperty('DefinitionVersion');
  });

  it('answers single Range requests with 206, unsatisfiable ones with 416, and honours If-Range', async () => {
    serve = await startServe(settingsArgs());
    const file = await readFile(join(mirror, BUNDLE));
    const first = await fetchRaw(serve.base + BUNDLE, { range: 'bytes=0-99' });
    expect(first.res.statusCode).toBe(206);
    expect(first.res.headers['content-range']).toBe(`bytes 0-99/${file.length}`);
    expect(first.body.equals(file.subarray(0, 100))).toBe(true);
    const suffix = await fetchRaw(serve.base + BUNDLE, { range: 'bytes=-10' });
    expect(suffix.body.equals(file.subarray(file.length - 10))).toBe(true);
    const beyond = await fetchRaw(serve.base + BUNDLE, { range: `bytes=${file.length + 5}-` });
    expect(beyond.res.statusCode).toBe(416);
    expect(beyond.res.headers['content-range']).toBe(`bytes */${file.length}`);
    const stale = await fetchRaw(serve.base + BUNDLE, { range: 'bytes=0-99', 'if-range': '"not-the-etag"' });
    expect(stale.res.statusCode).toBe(200);
    expect(stale.body.length).toBe(file.length);
  });

  it('answers If-None-Match and If-Modified-Since with 304', async () => {
    serve = await startServe(settingsArgs());
    const { res } = await fetchRaw(serve.base + BUNDLE, {}, 'HEAD');
    expect((await fetchRaw(serve.base + BUNDLE, { 'if-none-match': res.headers.etag! })).res.statusCode).toBe(304);
    expect((await fetchRaw(serve.base + BUNDLE, { 'if-modified-since': res.headers['last-modified']! })).res.statusCode).toBe(304);
    expect((await fetchRaw(serve.base + BUNDLE, { 'if-none-match': '"other"' })).res.statusCode).toBe(200);
  });

  it('answers other methods with 405 and an Allow header', async () => {
    serve = await startServe(settingsArgs());
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const { res } = await fetchRaw(serve.base + BUNDLE, {}, method);
      expect(res.statusCode, method).toBe(405);
      expect(res.headers.allow).toBe('GET, HEAD');
    }
  });

  it('never serves a byte from outside the mirror tree, however the path is spelled', async () => {
    // A symlink inside the tree that leads out of it.
    await mkdir(join(mirror, 'linux/production/arch_arm64'), { recursive: true });
    await symlink(join(dir, 'secret.txt'), join(mirror, 'linux/production/arch_arm64/updates.zip'));
    await writeFile(join(mirror, 'mirror.log'), SECRET);
    serve = await startServe(settingsArgs());
    const attempts = [
      '/../secret.txt',
      '/linux/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E/%2E%2E/secret.txt',
      '/linux/%2e%2e/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/..%5csecret.txt',
      '/linux\\..\\..\\secret.txt',
      `${BUNDLE}%00.txt`,
      '//secret.txt',
      '/.mdatp-mirror/state.json',
      '/.mdatp-mirror/lock',
      '/.mdatp-mirror/tmp/',
      '/mirror.log',
      '/../settings.json',
      '/linux/production/arch_arm64/updates.zip',
      'http://127.0.0.1/../secret.txt',
      `${dir}/secret.txt`,
      '/linux/production/arch_x86_64/../../../../secret.txt',
    ];
    for (const path of attempts) {
      const raw = await rawRequest(serve.port, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1]);
      expect([400, 403, 404], `${path} -> ${raw.slice(0, 40)}`).toContain(status);
      expect(raw, path).not.toContain(SECRET);
    }
  });

  it('refuses a symlink planted after the real file was served, a symlinked folder, and does not stall on a FIFO', async () => {
    serve = await startServe(settingsArgs());
    const get = async (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; raw: string }> => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`);
      const raw = await rawRequest(serve!.port, `${method} ${path} HTTP/1.1\r\nHost: x\r\n${extra.join('')}Connection: close\r\n\r\n`);
      return { status: Number(/^HTTP\/1\.1 (\d+)/.exec(raw)?.[1]), raw };
    };
    // Served once (its real path checked and remembered), then replaced by a symlink leading out of the tree.
    const first = await get(BUNDLE);
    expect(first.status).toBe(200);
    const etag = /etag: (.*)\r/i.exec(first.raw)![1]!;
    const bundle = join(mirror, BUNDLE);
    await rm(bundle);
    await symlink(join(dir, 'secret.txt'), bundle);
    const variants: Record<string, string>[] = [{}, { 'if-none-match': etag }];
    for (const headers of variants) {
      const again = await get(BUNDLE, headers);
      expect(again.status, JSON.stringify(headers)).toBe(404);
      expect(again.raw).not.toContain(SECRET);
    }
    // Nor does a HEAD tell the outside file's size.
    expect((await get(BUNDLE, {}, 'HEAD')).status).toBe(404);
    // A folder of the tree replaced by a symlink to a folder outside that holds a file of the served name.
    await mkdir(join(dir, 'outside'), { recursive: true });
    await writeFile(join(dir, 'outside/manifest.json'), SECRET);
    await rm(join(mirror, 'linux/production/arch_x86_64'), { recursive: true });
    await symlink(join(dir, 'outside'), join(mirror, 'linux/production/arch_x86_64'));
    const viaFolder = await get('/linux/production/arch_x86_64/manifest.json');
    expect(viaFolder.status).toBe(404);
    expect(viaFolder.raw).not.toContain(SECRET);
    // A FIFO under a served name: opened without waiting for a writer, refused, and the server still answers.
    if (process.platform !== 'win32') {
      await mkdir(join(mirror, 'mac/production/arch_x86_64'), { recursive: true });
      execFileSync('mkfifo', [join(mirror, 'mac/production/arch_x86_64/updates.zip')]);
      expect((await get('/mac/production/arch_x86_64/updates.zip')).status).toBe(404);
      expect((await get('/healthz')).status).not.toBe(0);
    }
  });

  it('exits 2 naming the file when --tls-cert and --tls-key are swapped or hold the wrong thing', async () => {
    const certs = makeCertificates(dir);
    await writeFile(join(dir, 'server.crt'), certs.cert);
    await writeFile(join(dir, 'server.keypem'), certs.key);
    const serveWith = (cert: string, key: string) =>
      runCli(['serve', ...settingsArgs(), '--tls-cert', join(dir, cert), '--tls-key', join(dir, key)]);
    const swapped = await serveWith('server.keypem', 'server.crt');
    expect(swapped.code).toBe(2);
    expect(swapped.stderr).toContain(`--tls-cert ${join(dir, 'server.keypem')} holds a private key`);
    expect(swapped.stderr).toContain('swap the two');
    const notCert = await serveWith('settings.json', 'server.keypem');
    expect(notCert.code).toBe(2);
    expect(notCert.stderr).toContain(`--tls-cert ${join(dir, 'settings.json')} holds no PEM certificate`);
    expect(notCert.stderr).not.toMatch(/\n\s+at /);
  });

  it('serves HTTPS with the given certificate', async () => {
    const certs = makeCertificates(dir);
    await writeFile(join(dir, 'server.crt'), certs.cert);
    await writeFile(join(dir, 'server.keypem'), certs.key);
    serve = await startServe([...settingsArgs(), '--tls-cert', join(dir, 'server.crt'), '--tls-key', join(dir, 'server.keypem')], 'https');
    const agent = new Agent({ connect: { ca: await readFile(certs.caFile) } });
    const res = await undiciRequest(serve.base + BUNDLE, { dispatcher: agent, method: 'HEAD' });
    expect(res.statusCode).toBe(200);
    await res.body.dump();
    await agent.close();
  });
});

describe('serve: a bundle replaced while a client downloads it', () => {
  it('the slow client gets the whole old file, the next request the new one', async () => {
    serve = await startServe(settingsArgs());
    const old = await readFile(join(mirror, BUNDLE));
    const client = await pausedDownload(serve.base + BUNDLE);
    // The file is now known to the server: HEADs and 304s about it are answered from the path's stat.
    const oldTag = (await fetchRaw(serve.base + BUNDLE, {}, 'HEAD')).res.headers.etag!;
    expect((await fetchRaw(serve.base + BUNDLE, { 'if-none-match': oldTag })).res.statusCode).toBe(304);

    upstream.catalog.bump({ os: 'linux' });
    expect((await runCli(['download', '--settings', join(dir, 'settings.json')])).code).toBe(0);
    const replaced = await readFile(join(mirror, BUNDLE));
    expect(sha(replaced)).not.toBe(sha(old));

    expect(sha(await client.finish())).toBe(sha(old));
    // An endpoint holding the old bundle's tag gets the new bundle, not a 304.
    const next = await fetchRaw(serve.base + BUNDLE, { 'if-none-match': oldTag });
    expect(next.res.statusCode).toBe(200);
    expect(next.res.headers.etag).not.toBe(oldTag);
    expect(sha(next.body)).toBe(sha(replaced));
    const head = await fetchRaw(serve.base + BUNDLE, {}, 'HEAD');
    expect(head.res.headers.etag).toBe(next.res.headers.etag);
    expect(Number(head.res.headers['content-length'])).toBe(replaced.length);
  });
});

describe('serve: operations', () => {
  it('/healthz is 200 on a good tree and 503 when a bundle is missing', async () => {
    serve = await startServe(settingsArgs());
    const ok = await fetchRaw(`${serve.base}/healthz`);
    expect(ok.res.statusCode).toBe(200);
    expect(JSON.parse(ok.body.toString())).toMatchObject({ status: 'ok' });
    await rm(join(mirror, BUNDLE));
    const bad = await fetchRaw(`${serve.base}/healthz`);
    expect(bad.res.statusCode).toBe(503);
    expect(JSON.parse(bad.body.toString())).toMatchObject({
      status: 'unhealthy',
      bundles: expect.arrayContaining([
        expect.objectContaining({ tree: 'live', bundle: 'linux/production/arch_x86_64', state: 'missing' }),
      ]),
    });
  });

  it('/metrics is Prometheus text with bundle versions, ages and served requests (2 workers, aggregated)', async () => {
    serve = await startServe([...settingsArgs(), '--workers', '2']);
    await fetchRaw(serve.base + BUNDLE);
    await fetchRaw(`${serve.base}/nope`);
    const { res, body } = await fetchRaw(`${serve.base}/metrics`);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = body.toString();
    for (const line of text
      .trim()
      .split('\n')
      .filter((l) => l !== '')) {
      expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[\d.e+-]+|\w+(\{[^}]*\})? (NaN|[+-]Inf))$/);
    }
    const live = JSON.parse((await readFile(join(mirror, 'linux/production/arch_x86_64/manifest.json'))).toString()) as {
      DefinitionVersion: string;
    };
    expect(text).toContain(`mdatp_mirror_bundle_info{tree="live",bundle="linux/production/arch_x86_64",engine=`);
    expect(text).toContain(`signatures="${live.DefinitionVersion}"} 1`);
    expect(text).toMatch(/mdatp_mirror_bundle_age_seconds\{tree="live",bundle="linux\/production\/arch_x86_64"\} \d+/);
    expect(text).toMatch(/mdatp_mirror_http_requests_total\{status="200",method="GET"\} 1\n/);
    // Counted once across the workers, not once per worker.
    expect(text.match(/mdatp_mirror_bundle_info\{tree="live"/g)).toHaveLength(1);
    expect(text).toMatch(/mdatp_mirror_http_requests_total\{status="404",method="GET"\} 1/);
    expect(text).toMatch(/mdatp_mirror_http_response_bytes_total\{status="200"\} 4\d{6}/);
  });

  it('writes an access log line per request (JSON) and, on SIGTERM, lets a running transfer finish', async () => {
    serve = await startServe(settingsArgs());
    const old = await readFile(join(mirror, BUNDLE));
    const client = await pausedDownload(serve.base + BUNDLE);
    serve.child.kill('SIGTERM');
    expect(sha(await client.finish())).toBe(sha(old));
    const r = await serve.child.result;
    expect(r.code).toBe(0);
    const lines = serve
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.at(-1)).toMatchObject({ event: 'access', method: 'GET', path: BUNDLE, status: 200, bytes: old.length, complete: true });
  });
});
