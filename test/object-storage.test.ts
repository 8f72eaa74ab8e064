// Publishing to object storage, against real emulators on 127.0.0.1 (s3rver for S3, Azurite for Azure Blob Storage)
// behind a recording proxy: what lands in the bucket, in which order, what a second run sends (nothing), what a
// release re-sends, a target that is down, a damaged upload, foreign objects, secrets, and `verify` on the URL.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import {
  AZURITE_ACCOUNT,
  AZURITE_KEY,
  S3_CREDENTIALS,
  azuriteConnectionString,
  expectReplicaMatches,
  startAzurite,
  startRecordingProxy,
  startS3,
  type Emulator,
  type RecordingProxy,
} from './helpers/object-stores.js';
import { expectConsistentMirror, removeDir, tempDir, writeSettings } from './helpers/mirror.js';

const f = useMirrorFixture();
const X86 = { os: 'linux', channel: 'production', arch: 'x86_64' } as const;
const BUCKET = 'fleet-mirror';
const CONTAINER = 'mirror';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

const puts = (p: RecordingProxy): string[] =>
  p.seen
    .filter((s) => s.startsWith('PUT ') && !s.includes('uploadId=') && !s.includes('comp=block&'))
    .map((s) => s.split(' ')[1]!.split('?')[0]!);

describe('publish to S3 (s3rver)', () => {
  let s3: Emulator;
  let proxy: RecordingProxy;
  let store: string;
  const env = { ...S3_CREDENTIALS };
  const cli = (...args: string[]) => runCli([...args, '--settings', join(f.dir, 'settings.json')], { env });
  const publicUrl = () => `http://127.0.0.1:${s3.port}/${BUCKET}/site-a/`;

  beforeAll(async () => {
    store = await tempDir('mdatp-mirror-s3-');
    s3 = await startS3(store, BUCKET);
  });
  afterAll(async () => {
    await s3.stop();
    await removeDir(store);
  });
  beforeEach(async () => {
    proxy = await startRecordingProxy(s3.port);
    await writeSettings(f.dir, f.upstream, {
      signingKey: 'keys/mdatp-mirror.key',
      publish: [{ name: 's3-eu', type: 's3', bucket: BUCKET, prefix: 'site-a', endpoint: proxy.url, forcePathStyle: true }],
    });
    expect((await runCli(['keygen', '--out', join(f.dir, 'keys')])).code).toBe(0);
    return () => proxy.close();
  });

  it('a download publishes every object with the right bytes, bundles before manifests and the signed index last; an unchanged run sends nothing', async () => {
    const first = await cli('download');
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/s3-eu: s3:\/\/fleet-mirror\/site-a\/: put \d+ object\(s\)/);
    await expectReplicaMatches(f.mirror, publicUrl());
    const order = puts(proxy);
    const lastBundle = Math.max(...order.map((k, i) => (k.endsWith('/updates.zip') ? i : -1)));
    const firstManifest = order.findIndex((k) => k.endsWith('/manifest.json'));
    expect(lastBundle).toBeLessThan(firstManifest);
    expect(order.slice(-2)).toEqual([`/${BUCKET}/site-a/index.json`, `/${BUCKET}/site-a/index.json.minisig`]);

    proxy.seen.length = 0;
    const again = await cli('download');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('s3-eu: s3://fleet-mirror/site-a/ already matches the local tree');
    expect(proxy.seen, 'an unchanged run makes no request to the target').toEqual([]);

    const check = await cli('publish');
    expect(check.code, check.stderr).toBe(0);
    expect(puts(proxy), 'publish compares and uploads nothing').toEqual([]);
    expect(check.stdout).toContain('already matches the local tree');
  });

  it('a new release re-uploads exactly that bundle, its backup and the index', async () => {
    expect((await cli('download')).code).toBe(0);
    f.upstream.catalog.bump(X86);
    proxy.seen.length = 0;
    const r = await cli('download');
    expect(r.code, r.stderr).toBe(0);
    expect(puts(proxy).sort()).toEqual(
      [
        'linux/production/arch_x86_64/manifest.json',
        'linux/production/arch_x86_64/updates.zip',
        'linux/production_back/arch_x86_64/manifest.json',
        'linux/production_back/arch_x86_64/updates.zip',
        'index.json',
        'index.json.minisig',
      ]
        .map((k) => `/${BUCKET}/site-a/${k}`)
        .sort(),
    );
    await expectReplicaMatches(f.mirror, publicUrl());
    const verify = await runCli(['verify', `${publicUrl()}linux/production/`]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a target that is down fails the run (exit 1) with the local tree correct; publish catches up when it is back', async () => {
    proxy.down = true;
    const r = await cli('download');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/s3-eu: FAILED: publish target "s3-eu" \(s3:\/\/fleet-mirror\/site-a\/\): cannot reach the service/);
    expect(r.stderr).toContain('the local tree is correct and still served');
    await expectConsistentMirror(f.mirror);
    expect(await cli('status').then((s) => s.stdout)).toMatch(/publish target s3-eu: PROBLEM: last publish FAILED/);

    proxy.down = false;
    const back = await cli('publish', '--target', 's3-eu');
    expect(back.code, back.stderr).toBe(0);
    await expectReplicaMatches(f.mirror, publicUrl());
    const s = await cli('status');
    expect(s.stdout).toMatch(/publish target s3-eu: in sync/);
  });

  it('deletes only the stale objects it wrote; foreign objects under the prefix survive; --dry-run changes nothing', async () => {
    expect((await cli('download')).code).toBe(0);
    f.upstream.catalog.bump(X86);
    expect((await cli('download')).code).toBe(0);
    for (const key of ['site-a/README.txt', 'site-a/linux/preview/arch_x86_64/manifest.json']) {
      const put = await fetch(`${proxy.url}/${BUCKET}/${key}`, { method: 'PUT', body: 'not ours' });
      expect(put.status).toBe(200);
    }
    // Retention took the backups away locally (here: by hand): their objects are stale now.
    await rm(join(f.mirror, 'linux', 'production_back'), { recursive: true, force: true });
    const dry = await cli('publish', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would delete');
    expect(dry.stdout).toContain('delete linux/production_back/arch_x86_64/manifest.json');
    expect((await fetch(`${publicUrl()}linux/production_back/arch_x86_64/updates.zip`)).status).toBe(200);

    const r = await cli('publish');
    expect(r.code, r.stderr).toBe(0);
    expect((await fetch(`${publicUrl()}linux/production_back/arch_x86_64/updates.zip`)).status).toBe(404);
    expect((await fetch(`${publicUrl()}README.txt`)).status).toBe(200);
    expect((await fetch(`${publicUrl()}linux/preview/arch_x86_64/manifest.json`)).status).toBe(200);
    await expectReplicaMatches(f.mirror, publicUrl());
  });

  it('never empties the bucket because the local folder is empty (a wrong downloadFolder)', async () => {
    expect((await cli('download')).code).toBe(0);
    await writeSettings(f.dir, f.upstream, {
      downloadFolder: 'elsewhere',
      publish: [{ name: 's3-eu', type: 's3', bucket: BUCKET, prefix: 'site-a', endpoint: proxy.url, forcePathStyle: true }],
    });
    const r = await cli('publish');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the local tree is empty, and publishing it would delete');
    await expectReplicaMatches(f.mirror, publicUrl());
  });

  it('keeps credentials out of output and log, and names a missing credential', async () => {
    const ok = await cli('download', '--json');
    expect(ok.code).toBe(0);
    const noCreds = await runCli(['publish', '--settings', join(f.dir, 'settings.json')], {
      env: {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SHARED_CREDENTIALS_FILE: join(f.dir, 'none'),
        AWS_CONFIG_FILE: join(f.dir, 'none'),
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    });
    expect(noCreds.code).toBe(1);
    expect(noCreds.stderr).toContain('no AWS credentials found');
    const log = await readFile(join(f.dir, 'mirror.log'), 'utf8');
    for (const text of [ok.stdout, ok.stderr, noCreds.stdout, noCreds.stderr, log])
      expect(text).not.toContain(S3_CREDENTIALS.AWS_SECRET_ACCESS_KEY);
  });
});

describe('publish to Azure Blob Storage (Azurite)', () => {
  let azurite: Emulator;
  let proxy: RecordingProxy;
  let store: string;
  const cli = (...args: string[]) =>
    runCli([...args, '--settings', join(f.dir, 'settings.json')], { env: { MIRROR_AZURE: azuriteConnectionString(proxyPort()) } });
  const proxyPort = () => Number(new URL(proxy.url).port);
  const publicUrl = () => `http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}/${CONTAINER}/`;

  beforeAll(async () => {
    store = await tempDir('mdatp-mirror-azurite-');
    azurite = await startAzurite(store);
    const { BlobServiceClient } = await import('@azure/storage-blob');
    await BlobServiceClient.fromConnectionString(azuriteConnectionString(azurite.port))
      .getContainerClient(CONTAINER)
      .createIfNotExists({ access: 'blob' });
  });
  afterAll(async () => {
    await azurite.stop();
    await removeDir(store);
  });
  beforeEach(async () => {
    proxy = await startRecordingProxy(azurite.port);
    await writeSettings(f.dir, f.upstream, {
      publish: [{ name: 'azure', type: 'azure-blob', container: CONTAINER, connectionStringEnv: 'MIRROR_AZURE' }],
    });
    return () => proxy.close();
  });

  it('publishes every object with the right bytes, sends nothing the second time, and verify passes on its URL', async () => {
    const first = await cli('download');
    expect(first.code, first.stderr).toBe(0);
    await expectReplicaMatches(f.mirror, publicUrl());
    const blockPuts = proxy.seen.filter((s) => s.includes('comp=block'));
    expect(blockPuts.length).toBeGreaterThan(0);

    proxy.seen.length = 0;
    const again = await cli('publish');
    expect(again.code).toBe(0);
    expect(
      proxy.seen.filter((s) => s.startsWith('PUT ')),
      'nothing re-uploaded',
    ).toEqual([]);
    const verify = await runCli(['verify', `${publicUrl()}linux/production/`]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
  });

  it('a block damaged on the way is rejected by the service and sent again; one that stays damaged is never committed', async () => {
    let damaged = 0;
    proxy.corrupt = (req) => req.method === 'PUT' && (req.url ?? '').includes('comp=block&') && damaged++ === 0;
    const once = await cli('download');
    expect(once.code, once.stderr).toBe(0);
    expect(damaged).toBeGreaterThan(1);
    await expectReplicaMatches(f.mirror, publicUrl());

    f.upstream.catalog.bump(X86);
    proxy.corrupt = (req) => req.method === 'PUT' && (req.url ?? '').includes('comp=block&');
    const before = await fetch(`${publicUrl()}linux/production/arch_x86_64/updates.zip`).then(async (r) =>
      sha256(Buffer.from(await r.arrayBuffer())),
    );
    const bad = await cli('download');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/azure: FAILED: .*Md5Mismatch/);
    await expectConsistentMirror(f.mirror);
    const after = await fetch(`${publicUrl()}linux/production/arch_x86_64/updates.zip`).then(async (r) =>
      sha256(Buffer.from(await r.arrayBuffer())),
    );
    expect(after, 'the published bundle is still the old, whole one').toBe(before);

    proxy.corrupt = undefined;
    expect((await cli('publish')).code).toBe(0);
    await expectReplicaMatches(f.mirror, publicUrl());
  });

  it('never prints or logs the account key, even when the service refuses', async () => {
    await writeSettings(f.dir, f.upstream, {
      publish: [{ name: 'azure', type: 'azure-blob', container: 'no-such-container', connectionStringEnv: 'MIRROR_AZURE' }],
    });
    const r = await cli('download');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('container "no-such-container" does not exist');
    const log = await readFile(join(f.dir, 'mirror.log'), 'utf8');
    for (const text of [r.stdout, r.stderr, log]) expect(text).not.toContain(AZURITE_KEY.slice(0, 20));

    const unset = await runCli(['publish', '--settings', join(f.dir, 'settings.json')]);
    expect(unset.code).toBe(1);
    expect(unset.stderr).toContain('the environment variable MIRROR_AZURE (named by "connectionStringEnv") is not set');
  });
});

describe('publish settings', () => {
  it('refuses a secret in settings.json and names the field', async () => {
    await writeSettings(f.dir, f.upstream, {
      publish: [{ name: 'x', type: 's3', bucket: BUCKET, secretAccessKey: 'hunter2' }],
    });
    const r = await runCli(['publish', '--settings', join(f.dir, 'settings.json')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('field "publish[0].secretAccessKey" would keep a secret in settings.json');
    expect(existsSync(f.mirror)).toBe(false);
  });
});
