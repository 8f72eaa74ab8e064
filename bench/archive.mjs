// Benchmark (issue 14): export and import of 8 bundles, each against the disk's sequential copy rate measured in the
// same run on the same bytes (`cat` of the bundles into one file, then `sync` of that file, as export and import
// both end with an fsync), with peak RSS from GNU time. Linux; needs GNU time and coreutils.
// Usage: npm run bench:archive [-- --size 256MB --count 8 --repeat 3]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { SimulatedUpstream } from '../dist/simulate/server.js';
import { ALL_BUNDLES } from '../dist/bundle/identity.js';
import { BIN, benchOptions, median, timed } from './measure.mjs';

const { SIZE, REPEAT, WORK, keep } = benchOptions('archive');

const settings = (dir, extra) => {
  const file = join(dir, 'settings.json');
  writeFileSync(
    file,
    JSON.stringify({
      downloadFolder: 'mirror',
      downloadLinuxUpdates: true,
      downloadMacUpdates: true,
      downloadPreviewUpdates: true,
      backupPreviousUpdates: true,
      logFilePath: 'mirror.log',
      ...extra,
    }),
  );
  return file;
};

rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 'site'), { recursive: true });
const sim = await new SimulatedUpstream({ dir: join(WORK, '..', 'upstream-cache'), bundleSize: SIZE }).start();
await sim.prepare(ALL_BUNDLES);
execFileSync(process.execPath, [BIN, 'keygen', '--out', join(WORK, 'keys')]);
const central = settings(WORK, { baseUpdateUrl: sim.baseUrl, signingKey: 'keys/mdatp-mirror.key', concurrency: 8 });
// Not execFileSync: the simulator runs in this process and must keep answering.
await timed(process.execPath, [BIN, 'download', '--settings', central, '--quiet']);
await sim.stop();
const bundles = ALL_BUNDLES.map((id) => join(WORK, 'mirror', id.os, id.channel, `arch_${id.arch}`, 'updates.zip'));
const bytes = bundles.reduce((n, p) => n + statSync(p).size, 0);

const archive = join(WORK, 'bundles.tar');
const copy = join(WORK, 'copy.bin');
const rows = [];
for (let i = 0; i < REPEAT; i++) {
  rmSync(copy, { force: true });
  const cat = await timed('sh', ['-c', `cat ${bundles.map((b) => `'${b}'`).join(' ')} > '${copy}' && sync '${copy}'`]);
  rmSync(archive, { force: true });
  const ex = await timed(process.execPath, [BIN, 'export', '--out', archive, '--settings', central, '--quiet']);
  rmSync(join(WORK, 'site', 'mirror'), { recursive: true, force: true });
  const site = settings(join(WORK, 'site'), { trustedKeys: ['../keys/mdatp-mirror.pub'] });
  const im = await timed(process.execPath, [BIN, 'import', archive, '--settings', site, '--quiet']);
  rows.push({ cat, ex, im });
}
const rate = (s) => bytes / 1048576 / s;
const catRate = rate(median(rows.map((r) => r.cat.wall)));
const exRate = rate(median(rows.map((r) => r.ex.wall)));
const imRate = rate(median(rows.map((r) => r.im.wall)));
const result = {
  machine: { cpus: cpus().length, memMiB: Math.round(totalmem() / 1048576), kernel: release(), node: process.version },
  bundles: bundles.length,
  bytes,
  repeat: REPEAT,
  copyMiBs: Math.round(catRate),
  export: {
    MiBs: Math.round(exRate),
    ofCopy: +(exRate / catRate).toFixed(2),
    peakRssMiB: Math.round(Math.max(...rows.map((r) => r.ex.rssMiB))),
  },
  import: {
    MiBs: Math.round(imRate),
    ofCopy: +(imRate / catRate).toFixed(2),
    peakRssMiB: Math.round(Math.max(...rows.map((r) => r.im.rssMiB))),
  },
};
console.log(JSON.stringify(result, null, 2));
const ok = result.export.ofCopy >= 0.8 && result.import.ofCopy >= 0.8 && result.export.peakRssMiB <= 120 && result.import.peakRssMiB <= 120;
console.log(ok ? 'targets met (>= 0.8x copy rate, <= 120 MB RSS)' : 'TARGETS NOT MET (>= 0.8x copy rate, <= 120 MB RSS)');
if (!keep) rmSync(WORK, { recursive: true, force: true });
