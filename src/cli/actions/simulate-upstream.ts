// `mdatp-mirror simulate-upstream`: run the emulated update service on loopback until stopped.
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { listenError, usageError } from '../../errors/catalogue.js';
import { SimulatedUpstream } from '../../simulate/server.js';
import { BUNDLE_SHAPES, CACHED_BUNDLES, type BundleShape } from '../../simulate/bundle-factory.js';
import { parseSize } from '../../util/size.js';
import type { CommandIo } from '../io.js';
import { stopRequested } from '../signals.js';

export interface SimulateOptions {
  readonly port: string;
  readonly host: string;
  readonly dir?: string;
  readonly bundleSize: string;
  readonly rate?: string;
  readonly latencyMs?: string;
  readonly fault?: string[];
  readonly bundleShape: string;
}

function number(flag: string, v: string, min: number): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw usageError(`${flag} ${v}: must be a number of at least ${min}.`);
  return n;
}

function bundleShape(v: string): BundleShape {
  const shape = BUNDLE_SHAPES.find((s) => s === v);
  if (!shape) throw usageError(`--bundle-shape ${v}: one of ${BUNDLE_SHAPES.join(', ')}.`);
  return shape;
}

export async function simulateUpstream(o: SimulateOptions, io: CommandIo): Promise<number> {
  const size = parseSize(o.bundleSize);
  if (size === undefined || size < 4096) throw usageError(`--bundle-size ${o.bundleSize}: write a size like 4MB or 128MiB (at least 4KB).`);
  const shape = bundleShape(o.bundleShape);
  const sim = new SimulatedUpstream({
    bundleShape: shape,
    dir: o.dir ? resolve(io.cwd, o.dir) : join(tmpdir(), 'mdatp-mirror-simulated-upstream'),
    bundleSize: size,
    keepBundles: CACHED_BUNDLES,
    host: o.host,
    port: number('--port', o.port, 0),
    rateBytesPerSec: o.rate === undefined ? undefined : number('--rate', o.rate, 0.01) * 1_000_000,
    latencyMs: o.latencyMs === undefined ? undefined : number('--latency-ms', o.latencyMs, 0),
  });
  for (const spec of o.fault ?? []) {
    try {
      sim.faults.add(JSON.parse(spec) as Parameters<typeof sim.faults.add>[0]);
    } catch (e) {
      throw usageError(
        `--fault ${spec}: not valid JSON (${(e as Error).message}). Example: '{"target":"bundle","action":{"type":"status","status":500},"times":2}'`,
      );
    }
  }
  await sim.start().catch((e: NodeJS.ErrnoException) => {
    // Another simulator (or anything) on the port is the user's situation, not a bug: say so, exit 2.
    throw listenError(
      e.code === 'EADDRINUSE'
        ? `--port ${o.port}: the port is already in use (another simulate-upstream?); pick another, or --port 0 for a free one.`
        : `cannot listen on port ${o.port}: ${e.message}`,
    );
  });
  io.stdout.write(
    `simulated upstream listening; use:\n  "baseUpdateUrl": "${sim.baseUrl}"\n  or: mdatp-mirror download --base-url ${sim.baseUrl}\n` +
      `admin: POST ${sim.baseUrl.replace('/fwlink/', '/_admin/bump')}?os=linux  (new release), GET .../_admin/requests\n`,
  );
  await stopRequested();
  await sim.stop();
  return 0;
}
