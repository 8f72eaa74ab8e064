// `serve` under abuse, through the real CLI on 127.0.0.1: a reader that never drains the access log, more idle
// connections than allowed, and bundle bytes changed behind the server's back. Bounded in count and time.
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import { flipByte, writeSettings } from './helpers/mirror.js';
import { startServe, type RunningServe } from './helpers/serve.js';

const f = useMirrorFixture({ bundleSize: 256 * 1024 });
const BUNDLE = '/linux/production/arch_x86_64/updates.zip';
const settings = () => join(f.dir, 'settings.json');
let serve: RunningServe | undefined;
let agent: Agent;

beforeEach(async () => {
  await writeSettings(f.dir, f.upstream, { architectures: ['x86_64'] });
  expect((await runCli(['download', '--settings', settings()])).code).toBe(0);
  agent = new Agent({ connections: 8 });
});
afterEach(async () => {
  await agent.close();
  if (serve && serve.child.exitCode === null) {
    serve.child.kill('SIGKILL');
    await serve.child.result;
  }
  serve = undefined;
});

async function get(path: string): Promise<{ status: number; body: string }> {
  const r = await request(serve!.base + path, { dispatcher: agent });
  return { status: r.statusCode, body: await r.body.text() };
}

/**
 * Waits for `p`, but fails after `ms` naming the step and what `state()` reports, so a rare stall on a busy CI machine
 * says where it stalled instead of running into the test's own timeout.
 */
async function within<T>(ms: number, step: string, p: Promise<T>, state: () => string = () => ''): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${step}: not done after ${ms} ms ${state()}`.trim())), ms);
  });
  try {
    return await Promise.race([p, stalled]);
  } finally {
    clearTimeout(timer);
  }
}

const metric = (text: string, name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1]);

describe('serve under abuse', () => {
  it('keeps answering, and stops on SIGTERM, when nobody reads its access log; /metrics counts the dropped lines', async () => {
    serve = await startServe(['--settings', settings()]);
    // `serve | stuck`: the pipe fills after a few dozen KB and is never read again.
    serve.child.stdout!.removeAllListeners('data');
    serve.child.stdout!.pause();
    const longPath = `/missing${'/x'.repeat(600)}`;
    let answered = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let i = 0; i < 250; i++) if ((await get(longPath)).status === 404) answered++;
      }),
    );
    expect(answered).toBe(2000);
    expect((await get('/healthz')).status).toBe(200);
    expect(metric((await get('/metrics')).body, 'mdatp_mirror_access_log_dropped_total')).toBeGreaterThan(0);
    const stopAt = performance.now();
    serve.child.kill('SIGTERM');
    expect((await serve.child.result).code).toBe(0);
    expect(performance.now() - stopAt).toBeLessThan(5_000);
  });

  it('caps connections at --max-connections by shedding the longest idle, and closes idle ones after --idle-timeout', async () => {
    serve = await startServe(['--settings', settings(), '--max-connections', '20', '--idle-timeout', '1s']);
    // 100 clients that connect and never send a request (slowloris, or a fleet's stale keep-alives).
    const idle: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const socket = connect(serve.port, '127.0.0.1');
      socket.on('error', () => undefined);
      // Read what the server may say before closing (Node's header timeout writes a 408 when it beats the idle timer):
      // bytes left unread would hold back the end of the stream, and with it 'close'. This was CI stop 23's failure.
      socket.resume();
      await within(10_000, `idle client ${i + 1} connecting`, once(socket, 'connect'));
      idle.push(socket);
    }
    const stillOpen = (): string => `(${idle.filter((s) => !s.destroyed).length} of 100 idle clients still open)`;
    const closes = idle.map((s) => new Promise<void>((resolve) => (s.destroyed ? resolve() : s.once('close', () => resolve()))));
    const bundle = await within(10_000, 'the bundle request', request(serve.base + BUNDLE, { dispatcher: agent }), stillOpen);
    expect(bundle.statusCode).toBe(200);
    expect((await within(10_000, 'the bundle body', bundle.body.arrayBuffer())).byteLength).toBe((await stat(join(f.mirror, BUNDLE))).size);
    const metrics = (await within(10_000, 'GET /metrics', get('/metrics'), stillOpen)).body;
    expect(metric(metrics, 'mdatp_mirror_open_connections')).toBeLessThanOrEqual(20);
    expect(metric(metrics, 'mdatp_mirror_connections_shed_total')).toBeGreaterThanOrEqual(80);
    const since = performance.now();
    await within(10_000, 'the server closing the idle clients', Promise.all(closes), stillOpen);
    expect(performance.now() - since).toBeLessThan(5_000);
    // Every access line names the client, even when it has gone by the time the line is written.
    serve.child.kill('SIGTERM');
    await within(10_000, 'serve stopping on SIGTERM', serve.child.result);
    const lines = serve
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line['remote']).toBe('127.0.0.1');
  });

  it('/healthz answers 503 when a bundle changed on disk with its size kept, hashing it once per change', async () => {
    serve = await startServe(['--settings', settings()]);
    expect((await get('/healthz')).status).toBe(200);
    await flipByte(join(f.mirror, BUNDLE));
    const h = await get('/healthz');
    expect(h.status).toBe(503);
    expect(h.body).toMatch(/SHA-256 does not match the manifest \(the bundle changed on disk\)/);
  });
});
