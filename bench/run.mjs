// The download benchmark (issue 16), each pair measured side by side in one run against the simulated upstream:
// WAN-like against aria2c -j8 (equal parallelism) and sequential curl (the sample scripts' method), loopback one bundle
// at a time against curl (wall and CPU per GB), peak RSS with large bundles, and a run with nothing to do against
// `node -e 0`. Linux; needs curl, aria2c (Debian package aria2) and GNU time.
// Bundles shaped like Microsoft's (deflated, several entries) first, against curl followed by the same checks by hand.
// Usage: npm run bench [-- --size 128MB --realistic-size 128MB --wan-size 32MB --big 512MB --rate 25 --latency 40
//                          --repeat 3 --skip-big --skip-wan --skip-stored]
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { crc32 } from 'node:zlib';
import { SimulatedUpstream } from '../dist/simulate/server.js';
import { ALL_BUNDLES } from '../dist/bundle/identity.js';
import { bundleUrl } from '../dist/upstream/urls.js';
import { parseSize } from '../dist/util/size.js';
import { BIN, median, settleDisk, timed } from './measure.mjs';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '128MB' },
    'wan-size': { type: 'string', default: '32MB' },
    big: { type: 'string', default: '512MB' },
    rate: { type: 'string', default: '25' },
    latency: { type: 'string', default: '40' },
    repeat: { type: 'string', default: '3' },
    work: { type: 'string', default: '.bench-tmp' },
    'skip-big': { type: 'boolean', default: false },
    'skip-wan': { type: 'boolean', default: false },
    'skip-stored': { type: 'boolean', default: false },
    'realistic-size': { type: 'string', default: '128MB' },
  },
});
const REPEAT = Number(args.repeat);
const WORK = join(process.cwd(), args.work);

for (const [tool, pkg] of [
  ['curl', 'curl'],
  ['aria2c', 'aria2'],
  ['/usr/bin/time', 'time'],
]) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.error(`bench needs ${tool}: apt-get install -y ${pkg}`);
    process.exit(2);
  }
}

/** One settings file, rewritten for each run (runs are one after another): nothing piles up in the work folder. */
function settingsFor(sim, folder, extra = {}) {
  const file = join(WORK, 'settings.json');
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

const fresh = (name) => {
  const folder = join(WORK, name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  return folder;
};

function ours(sim, extra = {}) {
  const folder = join(WORK, 'mirror');
  rmSync(folder, { recursive: true, force: true });
  return timed(process.execPath, [BIN, 'download', '--quiet', '--settings', settingsFor(sim, folder, extra)]);
}

function curlSequential(sim) {
  const folder = fresh('curl');
  const script = ALL_BUNDLES.map((id, i) => `curl -sS -f -L -o ${join(folder, `${i}.zip`)} '${bundleUrl(sim.baseUrl, id)}'`).join(' && ');
  return timed('sh', ['-c', script]);
}

/** aria2c fetching the same bundles (all 8 unless told), `jobs` at once, `split` connections each. */
function aria2(sim, jobs, split = 1, ids = ALL_BUNDLES) {
  const folder = fresh('aria2');
  const list = join(WORK, 'aria2-input.txt');
  writeFileSync(list, ids.map((id, i) => `${bundleUrl(sim.baseUrl, id)}\n  out=${i}.zip`).join('\n') + '\n');
  return timed('aria2c', [
    '-q',
    `-j${jobs}`,
    `-x${split}`,
    `-s${split}`,
    '--min-split-size=8M',
    '--file-allocation=none',
    '-d',
    folder,
    '-i',
    list,
  ]);
}

async function startSim(size, dir, extra = {}) {
  const sim = await new SimulatedUpstream({ dir: join(WORK, dir), bundleSize: parseSize(size), ...extra }).start();
  await sim.prepare(ALL_BUNDLES);
  return sim;
}

const LINUX = ALL_BUNDLES.filter((id) => id.os === 'linux');

/** The Linux bundles shaped like Microsoft's (bundle-factory.ts "realistic"), cached across runs and links. */
async function startRealistic(size, link = {}) {
  const sim = await new SimulatedUpstream({
    dir: join(WORK, `upstream-${size}-realistic`),
    bundleSize: parseSize(size),
    bundleShape: 'realistic',
    ...link,
  }).start();
  await sim.prepare(LINUX);
  return sim;
}

/** Our run of the Linux bundles, its last-byte-to-verified median pushed into `verified`. */
async function oursVerified(sim, verified, extra = {}) {
  rmSync(join(WORK, 'bench.log'), { force: true });
  const r = await ours(sim, { downloadMacUpdates: false, ...extra });
  verified.push(lastByteToPublished());
  return r;
}

/** What an admin does by hand without the tool: curl each bundle, then the same checks (zip, hash, flush), in turn. */
function curlThenChecks(sim, check) {
  const folder = fresh('curl');
  const script = LINUX.map((id, i) => {
    const file = join(folder, `${i}.zip`);
    const fetch = `curl -sS -f -L -o ${file} '${bundleUrl(sim.baseUrl, id)}'`;
    return check ? `${fetch} && unzip -tqq ${file} && sha256sum ${file} >/dev/null` : fetch;
  }).join(' && ');
  return timed('sh', ['-c', check ? `${script} && sync` : script]);
}

/** From each bundle's last byte to its publication (the log's lastByteToPublishedMs), the median over the run's bundles. */
function lastByteToPublished() {
  const lines = readFileSync(join(WORK, 'bench.log'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const ms = lines
    .filter((l) => l.decision === 'downloaded' && typeof l.lastByteToPublishedMs === 'number')
    .map((l) => l.lastByteToPublishedMs);
  return ms.length === 0 ? NaN : median(ms);
}

/** The median wall (and the largest RSS) of `rounds` runs of each contender, interleaved so drift hits all alike. */
async function side(rounds, contenders) {
  const runs = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (let i = 0; i < rounds; i++) {
    for (const [k, run] of Object.entries(contenders)) {
      await settleDisk();
      runs[k].push(await run());
    }
  }
  return Object.fromEntries(
    Object.entries(runs).map(([k, rs]) => [
      k,
      { wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)), rssMiB: Math.max(...rs.map((r) => r.rssMiB)) },
    ]),
  );
}

const results = {};
const log = (...a) => console.error('[bench]', ...a);
const started = performance.now();
mkdirSync(WORK, { recursive: true });

{
  // Bundles shaped like Microsoft's (bundle-factory.ts "realistic"): the figures the README quotes.
  const size = args['realistic-size'];
  log(`realistic: 4 x ${size} deflated multi-entry bundles (Linux), loopback (cached in ${WORK}/upstream-${size}-realistic)`);
  const sim = await startRealistic(size);
  const verified = { default: [], c1: [] };
  results.realistic = await side(REPEAT, {
    curl: () => curlThenChecks(sim, false),
    curlChecks: () => curlThenChecks(sim, true),
    oursDefault: () => oursVerified(sim, verified.default),
    ours1: () => oursVerified(sim, verified.c1, { concurrency: 1 }),
  });
  results.realistic.lastByteToPublishedMs = { default: median(verified.default), c1: median(verified.c1) };
  log('realistic', results.realistic);
  await sim.stop();
}

if (!args['skip-wan']) {
  // The same bundles where the network, not the CPU, is the limit: what is left to check after the last byte.
  const size = args['realistic-size'];
  log(`realistic over a WAN-like link: 4 x ${size}, ${args.rate} MB/s per connection, ${args.latency} ms latency`);
  const sim = await startRealistic(size, { rateBytesPerSec: Number(args.rate) * 1_000_000, latencyMs: Number(args.latency) });
  const verified = [];
  results.realisticWan = await side(REPEAT, {
    aria2: () => aria2(sim, 4, 2, LINUX),
    oursDefault: () => oursVerified(sim, verified),
  });
  results.realisticWan.lastByteToPublishedMs = median(verified);
  log('realistic WAN-like', results.realisticWan);
  await sim.stop();
}

let fast;
if (!args['skip-stored']) {
  log(`loopback: 8 x ${args.size} simulated bundles, stored (cached in ${WORK}/upstream-${args.size})`);
  fast = await startSim(args.size, `upstream-${args.size}`);
  results.loopback = await side(REPEAT, { curl: () => curlSequential(fast), ours: () => ours(fast, { concurrency: 1 }) });
  log('loopback', results.loopback);
}

// Floors on this machine for any mirror that verifies and flushes what it publishes, which curl does not: SHA-256 and
// CRC-32 of every byte (in memory, no I/O), and writing the same bytes with a flush to disk at the end.
if (fast) {
  const bytes = 8 * parseSize(args.size);
  const piece = randomBytes(1024 * 1024);
  const cpuBefore = process.cpuUsage();
  const hash = createHash('sha256');
  let crc = 0;
  for (let done = 0; done < bytes; done += piece.length) {
    hash.update(piece);
    crc = crc32(piece, crc);
  }
  hash.digest();
  const used = process.cpuUsage(cpuBefore);
  const flushed = await timed('dd', [
    'if=/dev/zero',
    `of=${join(WORK, 'floor.bin')}`,
    'bs=1M',
    `count=${Math.round(bytes / 1024 / 1024)}`,
    'conv=fdatasync',
  ]);
  rmSync(join(WORK, 'floor.bin'), { force: true });
  results.floor = { verifyCpu: (used.user + used.system) / 1e6, flushWall: flushed.wall };
  log('floor', results.floor);
}

// Nothing to do: everything current, only the version documents go out.
if (fast) {
  await ours(fast);
  const settings = settingsFor(fast, join(WORK, 'mirror'));
  const before = fast.requests.length;
  results.noop = await side(Math.max(5, REPEAT), {
    node: () => timed(process.execPath, ['-e', '0']),
    ours: () => timed(process.execPath, [BIN, 'download', '--quiet', '--settings', settings]),
  });
  const made = fast.requests.slice(before);
  results.noop.bundleRequests = made.filter((r) => r.kind === 'bundle').length;
  log('noop', results.noop);
}
await fast?.stop();

if (!args['skip-wan']) {
  log(`WAN-like: 8 x ${args['wan-size']}, ${args.rate} MB/s per connection, ${args.latency} ms latency`);
  const wan = await startSim(args['wan-size'], `upstream-${args['wan-size']}`, {
    rateBytesPerSec: Number(args.rate) * 1_000_000,
    latencyMs: Number(args.latency),
  });
  results.wan = await side(REPEAT, {
    aria2: () => aria2(wan, 8),
    aria2split: () => aria2(wan, 8, 2),
    ours8one: () => ours(wan, { concurrency: 8, connectionsPerBundle: 1 }),
    ours8: () => ours(wan, { concurrency: 8 }),
    oursDefault: () => ours(wan),
  });
  results.wan.curl = (await curlSequential(wan)).wall;
  log('wan', results.wan);
  await wan.stop();
}

if (!args['skip-big']) {
  log(`peak RSS: 8 x ${args.big} simulated bundles (cached in ${WORK}/upstream-${args.big})`);
  const big = await startSim(args.big, `upstream-${args.big}`);
  results.rss = { c4: (await ours(big, { concurrency: 4 })).rssMiB, c8: (await ours(big, { concurrency: 8 })).rssMiB };
  log('rss', results.rss);
  await big.stop();
}

for (const name of ['mirror', 'curl', 'aria2']) rmSync(join(WORK, name), { recursive: true, force: true });

const f = (n, d = 2) => n.toFixed(d);
const x = (a, b) => `${f(a / b)}x`;
const verdict = (ok) => (ok ? 'met' : '**not met**');
const gb = (8 * parseSize(args.size)) / 1024 ** 3;
const rows = [['measure', 'mdatp-mirror', 'peer', 'ratio', 'target']];
if (results.wan) {
  const w = results.wan;
  const where = `8 x ${args['wan-size']}, ${args.rate} MB/s per connection, ${args.latency} ms`;
  rows.push(
    [
      `WAN-like, ${where}, concurrency 8, 1 connection each`,
      `${f(w.ours8one.wall)} s`,
      `aria2c -j8: ${f(w.aria2.wall)} s`,
      x(w.ours8one.wall, w.aria2.wall),
      `<= 1.0x: ${verdict(w.ours8one.wall <= w.aria2.wall)}`,
    ],
    [
      `WAN-like, concurrency 8, connectionsPerBundle 2 (default)`,
      `${f(w.ours8.wall)} s`,
      `aria2c -j8 -x2 -s2: ${f(w.aria2split.wall)} s`,
      x(w.ours8.wall, w.aria2split.wall),
      '',
    ],
    [
      `WAN-like, default settings (concurrency 4, 2 connections)`,
      `${f(w.oursDefault.wall)} s`,
      `sequential curl: ${f(w.curl)} s`,
      x(w.oursDefault.wall, w.curl),
      `<= 0.25x: ${verdict(w.oursDefault.wall <= 0.25 * w.curl)}`,
    ],
  );
}
{
  const r = results.realistic;
  const size = args['realistic-size'];
  rows.push(
    [
      `realistic, 4 x ${size} deflated, loopback, default settings`,
      `${f(r.oursDefault.wall)} s`,
      `curl then unzip -t, sha256sum, sync: ${f(r.curlChecks.wall)} s (curl alone ${f(r.curl.wall)} s)`,
      x(r.oursDefault.wall, r.curlChecks.wall),
      `<= 0.5x: ${verdict(r.oursDefault.wall <= 0.5 * r.curlChecks.wall)}`,
    ],
    [`realistic, concurrency 1`, `${f(r.ours1.wall)} s`, '', x(r.ours1.wall, r.curlChecks.wall), ''],
    [
      `realistic, last byte to published, per ${size} bundle (median)`,
      `${f(r.lastByteToPublishedMs.default, 0)} ms (concurrency 1: ${f(r.lastByteToPublishedMs.c1, 0)} ms)`,
      '',
      '',
      `<= 150 ms: ${verdict(r.lastByteToPublishedMs.default <= 150)}`,
    ],
    [`realistic, peak RSS, default settings`, `${f(r.oursDefault.rssMiB, 0)} MiB`, `curl: ${f(r.curl.rssMiB, 0)} MiB`, '', ''],
  );
}
if (results.realisticWan) {
  const r = results.realisticWan;
  rows.push(
    [
      `realistic, 4 x ${args['realistic-size']}, WAN-like (${args.rate} MB/s per connection, ${args.latency} ms), default settings`,
      `${f(r.oursDefault.wall)} s`,
      `aria2c -j4 -x2 -s2 (no checks): ${f(r.aria2.wall)} s`,
      x(r.oursDefault.wall, r.aria2.wall),
      '',
    ],
    [
      `realistic WAN-like, last byte to published, per bundle (median)`,
      `${f(r.lastByteToPublishedMs, 0)} ms`,
      '',
      '',
      `<= 150 ms: ${verdict(r.lastByteToPublishedMs <= 150)}`,
    ],
  );
}
if (results.loopback) {
  const l = results.loopback;
  rows.push(
    [
      `loopback, 8 x ${args.size}, concurrency 1`,
      `${f(l.ours.wall)} s`,
      `sequential curl: ${f(l.curl.wall)} s`,
      x(l.ours.wall, l.curl.wall),
      `<= 1.5x: ${verdict(l.ours.wall <= 1.5 * l.curl.wall)}`,
    ],
    [
      'CPU seconds per GB, loopback',
      `${f(l.ours.cpu / gb)} s`,
      `curl: ${f(l.curl.cpu / gb)} s`,
      x(l.ours.cpu, l.curl.cpu),
      `<= 2x: ${verdict(l.ours.cpu <= 2 * l.curl.cpu)}`,
    ],
    [`peak RSS, 8 x ${args.size}, concurrency 1`, `${f(l.ours.rssMiB, 0)} MiB`, `curl: ${f(l.curl.rssMiB, 0)} MiB`, '', ''],
  );
}
if (results.rss) {
  rows.push(
    [`peak RSS, 8 x ${args.big}, concurrency 4`, `${f(results.rss.c4, 0)} MiB`, '', '', `<= 100 MiB: ${verdict(results.rss.c4 <= 100)}`],
    [`peak RSS, 8 x ${args.big}, concurrency 8`, `${f(results.rss.c8, 0)} MiB`, '', '', `<= 120 MiB: ${verdict(results.rss.c8 <= 120)}`],
  );
}
if (results.noop) {
  const n = results.noop;
  rows.push(
    [
      'no-op run (all current), wall',
      `${f(n.ours.wall)} s`,
      `node -e 0: ${f(n.node.wall)} s`,
      `+${f((n.ours.wall - n.node.wall) * 1000, 0)} ms`,
      `<= +150 ms: ${verdict(n.ours.wall - n.node.wall <= 0.15)}`,
    ],
    [
      'no-op run, peak RSS',
      `${f(n.ours.rssMiB, 0)} MiB`,
      `node -e 0: ${f(n.node.rssMiB, 0)} MiB`,
      '',
      `<= 70 MiB: ${verdict(n.ours.rssMiB <= 70)}`,
    ],
    ['no-op run, bundle requests', String(n.bundleRequests), '', '', '0'],
  );
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
const table = rows
  .map(
    (r, i) =>
      `| ${r.map((c, j) => String(c).padEnd(widths[j])).join(' | ')} |${i === 0 ? `\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|` : ''}`,
  )
  .join('\n');
const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Linux ${release()}, Node ${process.versions.node}`;
const floors = !results.floor
  ? ''
  : `Floors in the same run, for any mirror that checks and flushes what it publishes (curl does neither): SHA-256 and ` +
    `CRC-32 of every byte, in memory, ${f(results.floor.verifyCpu / gb)} CPU s per GB (curl's whole download: ` +
    `${f(results.loopback.curl.cpu / gb)} s); writing the same ${f(gb)} GiB with a flush at the end (dd conv=fdatasync) ` +
    `${f(results.floor.flushWall)} s (curl, without a flush: ${f(results.loopback.curl.wall)} s).`;
console.log(`Machine: ${machine}\nBench time: ${f((performance.now() - started) / 1000, 0)} s\n\n${table}\n\n${floors}\n`);
writeFileSync(join(WORK, 'results.json'), JSON.stringify({ machine, args, results }, null, 2));
