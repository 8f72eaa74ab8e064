// Reproducible benchmark (issue 4): mdatp-mirror download vs. sequential `curl -L -o` (the sample scripts' method),
// WAN-like and on loopback, peak RSS for two bundle sizes, and a no-op run. Linux; needs curl and GNU time.
// Usage: npm run bench [-- --size 128MB --big 512MB --rate 25 --latency 40 --repeat 3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SimulatedUpstream } from '../dist/simulate/server.js';
import { ALL_BUNDLES } from '../dist/bundle/identity.js';
import { bundleUrl } from '../dist/upstream/urls.js';
import { parseSize } from '../dist/util/size.js';
import { BIN, median, timed } from './measure.mjs';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '128MB' },
    big: { type: 'string', default: '512MB' },
    rate: { type: 'string', default: '25' },
    latency: { type: 'string', default: '40' },
    repeat: { type: 'string', default: '3' },
    work: { type: 'string', default: '.bench-tmp' },
    'skip-big': { type: 'boolean', default: false },
    'skip-wan': { type: 'boolean', default: false },
  },
});
const SIZE = parseSize(args.size);
const BIG = parseSize(args.big);
const REPEAT = Number(args.repeat);
const WORK = join(process.cwd(), args.work);

for (const tool of ['curl', '/usr/bin/time']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(`bench needs ${tool}: apt-get install -y ${tool === 'curl' ? 'curl' : 'time'}`);
    process.exit(2);
  }
}

function settingsFor(sim, folder, extra = {}) {
  const file = join(WORK, `settings-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      downloadFolder: folder,
      downloadLinuxUpdates: true,
      downloadMacUpdates: true,
      downloadPreviewUpdates: true,
      backupPreviousUpdates: true,
      logFilePath: join(WORK, 'bench.log'),
      baseUpdateUrl: sim.baseUrl,
      ...extra,
    }),
  );
  return file;
}

async function ours(sim, extra = {}) {
  const folder = join(WORK, 'mirror');
  rmSync(folder, { recursive: true, force: true });
  return timed(process.execPath, [BIN, 'download', '--quiet', '--settings', settingsFor(sim, folder, extra)]);
}

async function curlSequential(sim) {
  const folder = join(WORK, 'curl');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const script = ALL_BUNDLES.map((id, i) => `curl -sS -f -L -o ${join(folder, `${i}.zip`)} '${bundleUrl(sim.baseUrl, id)}'`).join(' && ');
  return timed('sh', ['-c', script]);
}

async function startSim(size, extra = {}) {
  const sim = await new SimulatedUpstream({ dir: join(WORK, 'upstream'), bundleSize: size, ...extra }).start();
  await sim.prepare(ALL_BUNDLES);
  return sim;
}

const results = {};
const log = (...a) => console.error('[bench]', ...a);
rmSync(join(WORK, 'mirror'), { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

log(`generating 8 x ${args.size} simulated bundles (cached in ${WORK}/upstream)`);
const fast = await startSim(SIZE);

// Loopback, unthrottled, one bundle at a time: our per-byte cost (hash + verify) against curl's.
{
  const o = [];
  const c = [];
  for (let i = 0; i < REPEAT; i++) {
    c.push(await curlSequential(fast));
    o.push(await ours(fast, { concurrency: 1 }));
  }
  const gb = (8 * SIZE) / 1024 ** 3;
  results.loopback = {
    curl: median(c.map((r) => r.wall)),
    ours: median(o.map((r) => r.wall)),
    cpuPerGB: median(o.map((r) => r.cpu)) / gb,
    curlCpuPerGB: median(c.map((r) => r.cpu)) / gb,
    rssMiB: Math.max(...o.map((r) => r.rssMiB)),
  };
  results.loopback.ratio = results.loopback.ours / results.loopback.curl;
  log('loopback', results.loopback);
}

// Default concurrency on loopback, for the peak RSS at this size.
{
  const r = await ours(fast);
  results.rss = { [args.size]: r.rssMiB };
  log('rss', args.size, r.rssMiB);
}

// No-op: everything current; only version requests should go out.
{
  await ours(fast);
  const settings = settingsFor(fast, join(WORK, 'mirror'));
  const walls = [];
  let requests;
  for (let i = 0; i < REPEAT; i++) {
    const before = fast.requests.length;
    walls.push((await timed(process.execPath, [BIN, 'download', '--quiet', '--settings', settings])).wall);
    const made = fast.requests.slice(before);
    requests = {
      total: made.length,
      info: made.filter((r) => r.kind === 'info').length,
      bundle: made.filter((r) => r.kind === 'bundle').length,
      redirects: made.filter((r) => r.kind === 'fwlink' || r.kind === 'redirect').length,
    };
  }
  const nodeStart = median(
    await Promise.all([0, 1, 2].map(() => timed(process.execPath, ['-e', '0']))).then((rs) => rs.map((r) => r.wall)),
  );
  results.noop = { wall: median(walls), nodeStart, budget: nodeStart + 0.3, requests };
  log('noop', results.noop);
}
await fast.stop();

if (!args['skip-wan']) {
  const wan = await startSim(SIZE, { rateBytesPerSec: Number(args.rate) * 1_000_000, latencyMs: Number(args.latency) });
  const c = await curlSequential(wan);
  const o = await ours(wan);
  results.wan = { curl: c.wall, ours: o.wall, ratio: o.wall / c.wall, rateMBps: Number(args.rate), latencyMs: Number(args.latency) };
  log('wan', results.wan);
  await wan.stop();
}

if (!args['skip-big']) {
  log(`generating 8 x ${args.big} simulated bundles`);
  const big = await startSim(BIG);
  const r = await ours(big);
  results.rss[args.big] = r.rssMiB;
  log('rss', args.big, r.rssMiB);
  await big.stop();
}

rmSync(join(WORK, 'mirror'), { recursive: true, force: true });
rmSync(join(WORK, 'curl'), { recursive: true, force: true });

const f = (n, d = 2) => n.toFixed(d);
const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Linux ${release()}, Node ${process.versions.node}`;
const rows = [
  ['measure', 'mdatp-mirror', 'curl (sequential)', 'ratio', 'target'],
  results.wan && [
    `WAN-like cold sync, 8 x ${args.size} (${args.rate} MB/s per connection, ${args.latency} ms latency)`,
    `${f(results.wan.ours, 1)} s`,
    `${f(results.wan.curl, 1)} s`,
    `${f(results.wan.ratio)}x`,
    '<= 0.35x',
  ],
  [
    `loopback cold sync, 8 x ${args.size}, concurrency 1`,
    `${f(results.loopback.ours)} s`,
    `${f(results.loopback.curl)} s`,
    `${f(results.loopback.ratio)}x`,
    '<= 1.5x',
  ],
  ['CPU seconds per GB (loopback, concurrency 1)', `${f(results.loopback.cpuPerGB)} s`, `${f(results.loopback.curlCpuPerGB)} s`, '', ''],
  ...Object.entries(results.rss).map(([size, mib]) => [`peak RSS, 8 x ${size}, concurrency 4`, `${f(mib, 0)} MiB`, '', '', '<= 120 MiB']),
  results.rss[args.big] !== undefined && [
    'peak RSS growth, ' + args.big + ' vs ' + args.size,
    `${f((100 * (results.rss[args.big] - results.rss[args.size])) / results.rss[args.size], 1)} %`,
    '',
    '',
    '<= 10 %',
  ],
  [
    'no-op run (all current): wall time',
    `${f(results.noop.wall)} s`,
    `node -e 0: ${f(results.noop.nodeStart)} s`,
    '',
    `<= ${f(results.noop.budget)} s`,
  ],
  [
    'no-op run: requests',
    `${results.noop.requests.info} version docs (+${results.noop.requests.redirects} redirects), ${results.noop.requests.bundle} bundles`,
    '',
    '',
    '8 version docs, 0 bundles',
  ],
].filter(Boolean);
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const table = rows
  .map(
    (r, i) =>
      `| ${r.map((c, j) => String(c).padEnd(widths[j])).join(' | ')} |${i === 0 ? `\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : ''}`,
  )
  .join('\n');
console.log(`Machine: ${machine}\n\n${table}\n`);
writeFileSync(join(WORK, 'results.json'), JSON.stringify({ machine, args, results }, null, 2));
