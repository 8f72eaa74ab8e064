// Serve benchmark (issues 6 and 16): `mdatp-mirror serve` vs nginx on the same folder, same machine, same run.
// 64 concurrent clients each download a 128 MB updates.zip over loopback; then 304 and HEAD request rates
// (autocannon). Installs nginx from Debian's packages when missing. Usage: npm run bench:serve [-- --size 128MB --clients 64]
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureBundle } from '../dist/simulate/bundle-factory.js';
import { Catalog } from '../dist/simulate/catalog.js';
import { parseSize } from '../dist/util/size.js';
import autocannon from 'autocannon';
import { Pool } from 'undici';
import { BIN } from './measure.mjs';
import { SERVE_NODE_OPTIONS } from '../dist/serve/node-options.js';

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '128MB' },
    clients: { type: 'string', default: '64' },
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '5' },
    work: { type: 'string', default: '.bench-tmp' },
    workers: { type: 'string', default: '' },
    // V8 options for our server's node: by default what `serve install` runs it with; --node-options= for none.
    'node-options': { type: 'string', default: SERVE_NODE_OPTIONS.join(' ') },
  },
});
const SIZE = parseSize(args.size);
const CLIENTS = Number(args.clients);
const WORK = join(process.cwd(), args.work, 'serve');

const log = (...a) => console.error('[bench:serve]', ...a);
const has = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

for (const [cmd, pkg] of [
  ['nginx', 'nginx'],
  ['curl', 'curl'],
  ['/usr/bin/time', 'time'],
]) {
  if (!has(cmd) && !existsSync(cmd.startsWith('/') ? cmd : '/nonexistent')) {
    log(`installing ${pkg} from Debian's packages`);
    execFileSync('sh', ['-c', `apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ${pkg}`], { stdio: 'inherit' });
  }
}
const nginxBin = has('nginx') ? 'nginx' : '/usr/sbin/nginx';

// The folder both servers serve: one bundle, as a mirror has it.
rmSync(WORK, { recursive: true, force: true });
const root = join(WORK, 'mirror');
const live = join(root, 'linux/production/arch_x86_64');
mkdirSync(live, { recursive: true });
const id = { os: 'linux', channel: 'production', arch: 'x86_64' };
const bundle = await ensureBundle(join(process.cwd(), args.work, 'upstream'), id, new Catalog().get(id), SIZE, { shape: 'realistic' });
copyFileSync(bundle, join(live, 'updates.zip'));
const FILE_SIZE = statSync(join(live, 'updates.zip')).size;
writeFileSync(
  join(live, 'manifest.json'),
  JSON.stringify({ EngineVersion: '1.1.24030.4', DefinitionVersion: '1.421.100.0', size: FILE_SIZE }),
);
const settings = join(WORK, 'settings.json');
writeFileSync(
  settings,
  JSON.stringify({ downloadFolder: root, downloadLinuxUpdates: true, architectures: ['x86_64'], logFilePath: join(WORK, 'serve.log') }),
);

const PATH = '/linux/production/arch_x86_64/updates.zip';
const NGINX_PORT = 18080;
const OURS_PORT = 18081;
mkdirSync(join(WORK, 'nginx/logs'), { recursive: true });
writeFileSync(
  join(WORK, 'nginx/nginx.conf'),
  `worker_processes auto;\ndaemon off;\npid ${join(WORK, 'nginx/nginx.pid')};\nerror_log ${join(WORK, 'nginx/logs/error.log')};\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  sendfile on;\n  tcp_nopush on;\n  keepalive_timeout 65;\n  types { application/zip zip; application/json json; }\n  server {\n    listen 127.0.0.1:${NGINX_PORT};\n    root ${root};\n  }\n}\n`,
);

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    try {
      execFileSync('curl', ['-s', '-o', '/dev/null', `http://127.0.0.1:${port}/`]);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`nothing listening on ${port}`);
}

const nginx = spawn(nginxBin, ['-c', join(WORK, 'nginx/nginx.conf'), '-p', join(WORK, 'nginx')], { stdio: 'ignore' });
// A bench that fails half-way must not leave nginx holding its port: the next run's nginx could not bind it, and the
// old one (with its own settings) would answer in its place.
process.on('exit', () => nginx.kill('SIGQUIT'));
let nginxExited = false;
nginx.on('exit', () => (nginxExited = true));
const ours = spawn(
  '/usr/bin/time',
  [
    '-f',
    '@@RSS %M',
    process.execPath,
    ...args['node-options'].split(' ').filter(Boolean),
    BIN,
    'serve',
    '--host',
    '127.0.0.1',
    '--port',
    String(OURS_PORT),
    '--no-access-log',
    ...(args.workers ? ['--workers', args.workers] : []),
    '--settings',
    settings,
  ],
  { stdio: ['ignore', 'ignore', 'pipe'] },
);
let oursErr = '';
ours.stderr.on('data', (c) => (oursErr += c));
// Whatever happens below, neither server outlives the benchmark.
process.on('exit', () => {
  nginx.kill('SIGKILL');
  try {
    process.kill(
      Number(
        execFileSync('pgrep', ['-P', String(ours.pid)])
          .toString()
          .trim(),
      ),
      'SIGKILL',
    );
  } catch {
    // already gone
  }
});
await waitForPort(NGINX_PORT);
await waitForPort(OURS_PORT);

/** CLIENTS parallel curl downloads of the bundle; returns aggregate MB/s. */
async function throughput(port) {
  const started = performance.now();
  const runs = Array.from({ length: CLIENTS }, () => {
    const c = spawn('curl', ['-s', '-f', '-o', '/dev/null', '-w', '%{size_download}', `http://127.0.0.1:${port}${PATH}`]);
    let out = '';
    c.stdout.on('data', (d) => (out += d));
    return once(c, 'close').then(([code]) => {
      if (code !== 0 || Number(out) !== FILE_SIZE) throw new Error(`client failed on port ${port}: exit ${code}, ${out} bytes`);
    });
  });
  await Promise.all(runs);
  const secs = (performance.now() - started) / 1000;
  return (CLIENTS * FILE_SIZE) / 1e6 / secs;
}

/** Requests per second for 304 (If-None-Match) or HEAD, with 64 connections (autocannon: wrk mishandles HEAD). */
async function rate(port, kind) {
  const url = `http://127.0.0.1:${port}${PATH}`;
  if (kind === 'head') return headRate(url);
  const etag = execFileSync('curl', ['-sI', url])
    .toString()
    .match(/etag: (.*)\r/i)[1];
  const result = await autocannon({
    url,
    connections: 64,
    duration: Number(args.seconds),
    method: kind === 'head' ? 'HEAD' : 'GET',
    headers: kind === '304' ? { 'if-none-match': etag } : {},
  });
  const expected = kind === '304' ? 304 : 200;
  const total = Object.values(result.statusCodeStats).reduce((n, s) => n + s.count, 0);
  // A socket error or two in hundreds of thousands of requests (a connection cut as the run ends) is the client's
  // doing, not the server's; any wrong status, or more errors than that, fails the bench.
  if ((result.statusCodeStats[expected]?.count ?? 0) !== total || result.errors > total / 10000)
    throw new Error(`unexpected answers on ${port}: ${JSON.stringify(result.statusCodeStats)}, ${result.errors} errors`);
  if (result.errors > 0) log(`${port}: ${result.errors} socket error(s) in ${total} requests (tolerated: under 1 in 10,000)`);
  return result.requests.average;
}

/** HEAD requests per second over 64 kept-alive connections (undici: wrk and autocannon both stall on HEAD). */
async function headRate(url) {
  const pool = new Pool(new URL(url).origin, { connections: 64 });
  const until = performance.now() + Number(args.seconds) * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < until) {
        const r = await pool.request({ path: PATH, method: 'HEAD' });
        await r.body.dump();
        if (r.statusCode !== 200) throw new Error(`HEAD answered ${r.statusCode}`);
        done++;
      }
    }),
  );
  await pool.close();
  return done / Number(args.seconds);
}

/** The process and all its descendants (a cluster's workers are grandchildren of GNU time). */
function tree(pid) {
  const children = execFileSync('sh', ['-c', `pgrep -P ${pid} || true`])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  return [pid, ...children.flatMap(tree)];
}

/** CPU seconds (user + system) used so far by a process tree, from /proc (Linux). */
function cpuSeconds(pid) {
  let ticks = 0;
  for (const p of tree(pid)) {
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name. A process that ended since it was
    // listed has nothing left to count.
    let stat;
    try {
      stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.replace(/^.*\) /, '').split(' ');
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / 100;
}

const results = { nginx: [], ours: [] };
const cpu = { nginx: 0, ours: 0 };
const servedGB = (CLIENTS * FILE_SIZE) / 1e9;
for (let r = 0; r < Number(args.rounds); r++) {
  let before = cpuSeconds(nginx.pid);
  results.nginx.push(await throughput(NGINX_PORT));
  cpu.nginx += cpuSeconds(nginx.pid) - before;
  before = cpuSeconds(ours.pid);
  results.ours.push(await throughput(OURS_PORT));
  cpu.ours += cpuSeconds(ours.pid) - before;
  log(`round ${r + 1}: nginx ${results.nginx.at(-1).toFixed(0)} MB/s, ours ${results.ours.at(-1).toFixed(0)} MB/s`);
}
const rates = {
  nginx304: await rate(NGINX_PORT, '304'),
  ours304: await rate(OURS_PORT, '304'),
  nginxHead: await rate(NGINX_PORT, 'head'),
  oursHead: await rate(OURS_PORT, 'head'),
};

// The ceiling for any server on Node here: Node's own HTTP server answering the same 304, with no file, path or
// validator work at all, under the same V8 options and load.
const BARE_PORT = 18082;
const BARE_SERVER = `
const headers = ['Accept-Ranges', 'bytes', 'ETag', '"bare"', 'Last-Modified', new Date(0).toUTCString(), 'Cache-Control', 'no-cache', 'Content-Type', 'application/zip'];
require('node:http').createServer((req, res) => {
  res.writeHead(req.headers['if-none-match'] === '"bare"' ? 304 : 200, req.headers['if-none-match'] ? headers : [...headers, 'Content-Length', '0']);
  res.end();
}).listen(${BARE_PORT}, '127.0.0.1');`;
const bare = spawn(process.execPath, [...args['node-options'].split(' ').filter(Boolean), '-e', BARE_SERVER], { stdio: 'ignore' });
await waitForPort(BARE_PORT);
rates.bare304 = await rate(BARE_PORT, '304');
bare.kill();
await once(bare, 'close');

const oursNode = execFileSync('pgrep', ['-P', String(ours.pid)])
  .toString()
  .trim();
// The peak of each of the server's processes (one, or a cluster's primary and workers), added up, read before it stops.
const hwm =
  tree(Number(oursNode)).reduce((sum, p) => sum + Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))[1]), 0) / 1024;
process.kill(Number(oursNode), 'SIGTERM');
await once(ours, 'close');
const rss = Number(/@@RSS (\d+)/.exec(oursErr)[1]) / 1024;
log(`peak RSS: ${hwm.toFixed(0)} MiB (/proc VmHWM, all processes), ${rss.toFixed(0)} MiB (GNU time)`);
if (nginxExited) throw new Error(`nginx exited during the bench (is port ${NGINX_PORT} taken?)`);
nginx.kill('SIGQUIT');
await once(nginx, 'close');

const best = (xs) => Math.max(...xs);
const n = best(results.nginx);
const o = best(results.ours);
const machine = `${cpus().length} x ${cpus()[0]?.model.trim()}, ${Math.round(totalmem() / 1024 ** 3)} GiB RAM, Linux ${release()}, Node ${process.versions.node}, ${execFileSync(
  'sh',
  ['-c', `${nginxBin} -v 2>&1`],
)
  .toString()
  .trim()}`;
console.log(`Machine: ${machine}
| measure (${CLIENTS} clients, ${args.size} updates.zip, loopback) | mdatp-mirror serve${args.workers ? ` --workers ${args.workers}` : ''}${args['node-options'] ? ` (node ${args['node-options']})` : ''} | nginx (sendfile) | ratio | target |
|---|---|---|---|---|
| aggregate download throughput (best of ${args.rounds}) | ${o.toFixed(0)} MB/s | ${n.toFixed(0)} MB/s | ${(o / n).toFixed(2)}x | >= 0.6x: ${o / n >= 0.6 ? 'met' : '**not met**'} |
| CPU seconds per GB served | ${(cpu.ours / (servedGB * Number(args.rounds))).toFixed(2)} s | ${(cpu.nginx / (servedGB * Number(args.rounds))).toFixed(2)} s | ${(cpu.ours / cpu.nginx).toFixed(2)}x | |
| 304 Not Modified (If-None-Match), requests/s | ${rates.ours304.toFixed(0)} | ${rates.nginx304.toFixed(0)} | ${(rates.ours304 / rates.nginx304).toFixed(2)}x | >= 0.5x: ${rates.ours304 / rates.nginx304 >= 0.5 ? 'met' : '**not met**'} |
| 304 from Node's own HTTP server, no file access (the ceiling for Node) | ${rates.bare304.toFixed(0)} | ${rates.nginx304.toFixed(0)} | ${(rates.bare304 / rates.nginx304).toFixed(2)}x | |
| HEAD, requests/s | ${rates.oursHead.toFixed(0)} | ${rates.nginxHead.toFixed(0)} | ${(rates.oursHead / rates.nginxHead).toFixed(2)}x | |
| peak RSS of the server | ${rss.toFixed(0)} MiB | | | <= 150 MiB: ${rss <= 150 ? 'met' : '**not met**'} |
`);
rmSync(join(WORK, 'mirror'), { recursive: true, force: true });
