// Benchmark (issue 15): `publish` of 8 bundles to a local S3 emulator (s3rver) and to Azurite, against `rclone copy`
// of the same files to the same S3 emulator in the same run with the same concurrency (one file at a time, as many
// parts of the same size in flight as publish uses), with peak RSS from GNU time. Linux; needs GNU time and rclone
// (Debian package `rclone`).
// Usage: npm run bench:publish [-- --size 256MB --repeat 3]
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';
import { BlobServiceClient } from '@azure/storage-blob';
import { SimulatedUpstream } from '../dist/simulate/server.js';
import { ALL_BUNDLES } from '../dist/bundle/identity.js';
import { PART_BYTES, PARTS_IN_FLIGHT } from '../dist/replicate/object-store.js';
import { BIN, benchOptions, median, timed } from './measure.mjs';

const { SIZE, REPEAT, WORK, keep } = benchOptions('publish');
const BUCKET = 'bench';
const CREDS = { AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER' };
const AZ_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function startAzurite(location) {
  const main = join(import.meta.dirname, '..', 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js');
  const child = spawn(
    process.execPath,
    [main, '--blobHost', '127.0.0.1', '--blobPort', '0', '--location', location, '--silent', '--disableTelemetry', '--skipApiVersionCheck'],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  const port = await new Promise((resolve) =>
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    }),
  );
  // Also when the bench fails half-way: no emulator is left running.
  process.on('exit', () => child.kill());
  // Waits for it to exit: it writes its database on the way out, which a removal of WORK must not race.
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    port,
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(join(WORK, 's3'), { recursive: true });
mkdirSync(join(WORK, 'azurite'), { recursive: true });
const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(WORK, 's3'), configureBuckets: [{ name: BUCKET }] });
const { port: s3Port } = await s3.run();
const azurite = await startAzurite(join(WORK, 'azurite'));
const azureConnection = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZ_KEY};BlobEndpoint=http://127.0.0.1:${azurite.port}/devstoreaccount1;`;
await BlobServiceClient.fromConnectionString(azureConnection).getContainerClient(BUCKET).createIfNotExists();

const ids = ALL_BUNDLES.slice(0, 8);
const sim = await new SimulatedUpstream({ dir: join(WORK, '..', 'upstream-cache'), bundleSize: SIZE }).start();
await sim.prepare(ALL_BUNDLES);
const settingsFile = join(WORK, 'settings.json');
const writeSettings = (publish) =>
  writeFileSync(
    settingsFile,
    JSON.stringify({
      downloadFolder: 'mirror',
      downloadLinuxUpdates: true,
      downloadMacUpdates: true,
      downloadPreviewUpdates: true,
      backupPreviousUpdates: false,
      logFilePath: 'mirror.log',
      baseUpdateUrl: sim.baseUrl,
      concurrency: 8,
      publish,
    }),
  );
writeSettings([]);
await timed(process.execPath, [BIN, 'download', '--settings', settingsFile, '--quiet']);
await sim.stop();
const bytes = ids.reduce((n, id) => n + statSync(join(WORK, 'mirror', id.os, id.channel, `arch_${id.arch}`, 'updates.zip')).size, 0);

const rows = [];
for (let i = 0; i < REPEAT; i++) {
  // A fresh prefix per round: every round uploads everything.
  writeSettings([
    { name: 's3', type: 's3', bucket: BUCKET, prefix: `tool-${i}`, endpoint: `http://127.0.0.1:${s3Port}`, forcePathStyle: true },
    { name: 'azure', type: 'azure-blob', container: BUCKET, prefix: `tool-${i}`, connectionStringEnv: 'BENCH_AZURE' },
  ]);
  const rclone = await timed(
    'rclone',
    [
      'copy',
      join(WORK, 'mirror'),
      `:s3:${BUCKET}/rclone-${i}`,
      '--exclude',
      '.mdatp-mirror/**',
      '--transfers',
      '1',
      '--s3-upload-concurrency',
      String(PARTS_IN_FLIGHT),
      '--s3-chunk-size',
      `${PART_BYTES / 1024 / 1024}M`,
      '--s3-provider',
      'Other',
      '--s3-endpoint',
      `http://127.0.0.1:${s3Port}`,
      '--s3-access-key-id',
      'S3RVER',
      '--s3-secret-access-key',
      'S3RVER',
      '--s3-force-path-style=true',
    ],
    // rclone 1.60 cannot load a CA bundle into its transport and refuses to start when this is set.
    { AWS_CA_BUNDLE: undefined },
  );
  const toS3 = await timed(process.execPath, [BIN, 'publish', '--target', 's3', '--settings', settingsFile, '--quiet'], CREDS);
  const toAzure = await timed(process.execPath, [BIN, 'publish', '--target', 'azure', '--settings', settingsFile, '--quiet'], {
    BENCH_AZURE: azureConnection,
  });
  rows.push({ rclone, toS3, toAzure });
}
await s3.close();
await azurite.stop();

const rate = (s) => Math.round(bytes / 1048576 / s);
const t = (k) => median(rows.map((r) => r[k].wall));
const result = {
  machine: { cpus: cpus().length, memMiB: Math.round(totalmem() / 1048576), kernel: release(), node: process.version },
  bundles: ids.length,
  bytes,
  repeat: REPEAT,
  rcloneS3: { seconds: t('rclone'), MiBs: rate(t('rclone')), peakRssMiB: Math.round(Math.max(...rows.map((r) => r.rclone.rssMiB))) },
  publishS3: {
    seconds: t('toS3'),
    MiBs: rate(t('toS3')),
    ofRcloneTime: +(t('toS3') / t('rclone')).toFixed(2),
    peakRssMiB: Math.round(Math.max(...rows.map((r) => r.toS3.rssMiB))),
  },
  publishAzurite: {
    seconds: t('toAzure'),
    MiBs: rate(t('toAzure')),
    peakRssMiB: Math.round(Math.max(...rows.map((r) => r.toAzure.rssMiB))),
  },
};
console.log(JSON.stringify(result, null, 2));
const ok = result.publishS3.ofRcloneTime <= 1 && result.publishS3.peakRssMiB <= 150 && result.publishAzurite.peakRssMiB <= 150;
console.log(ok ? 'targets met (<= 1.0x rclone time, <= 150 MB RSS)' : 'TARGETS NOT MET (<= 1.0x rclone time, <= 150 MB RSS)');
if (!keep) rmSync(WORK, { recursive: true, force: true });
