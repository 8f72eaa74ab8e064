// Publishing bundles larger than one part (PART_BYTES) to real emulators on 127.0.0.1 behind a recording proxy: each
// goes in parts (S3 multipart upload, Azure blocks) and arrives whole; a bundle that changed on disk after it was
// verified is refused before anything of it is committed, and an S3 multipart upload it began is aborted.
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PART_BYTES } from '../src/replicate/object-store.js';
import { runCli } from './helpers/cli.js';
import { useMirrorFixture } from './helpers/fixture.js';
import {
  AZURITE_ACCOUNT,
  S3_CREDENTIALS,
  azuriteConnectionString,
  expectReplicaMatches,
  startAzurite,
  startRecordingProxy,
  startS3,
  type Emulator,
  type RecordingProxy,
} from './helpers/object-stores.js';
import { removeDir, tempDir, writeSettings } from './helpers/mirror.js';

// Two whole parts and a short last one.
const f = useMirrorFixture({ bundleSize: 2 * PART_BYTES + 1024 * 1024 });
const BUNDLE = 'linux/production/arch_x86_64/updates.zip';

/** Flips one byte in the second part of the served bundle: same size, same manifest, different bytes. */
async function rotOnDisk(): Promise<void> {
  const file = await open(join(f.mirror, ...BUNDLE.split('/')), 'r+');
  const byte = Buffer.alloc(1);
  await file.read(byte, 0, 1, PART_BYTES + 10);
  byte[0]! ^= 0xff;
  await file.write(byte, 0, 1, PART_BYTES + 10);
  await file.close();
}

describe('bundles larger than a part', () => {
  let s3: Emulator;
  let azurite: Emulator;
  let stores: string;
  let proxy: RecordingProxy;
  let azureProxy: RecordingProxy;

  beforeAll(async () => {
    stores = await tempDir('mdatp-mirror-parts-');
    s3 = await startS3(join(stores, 's3'), 'fleet');
    azurite = await startAzurite(join(stores, 'azurite'));
    const { BlobServiceClient } = await import('@azure/storage-blob');
    await BlobServiceClient.fromConnectionString(azuriteConnectionString(azurite.port))
      .getContainerClient('mirror')
      .createIfNotExists({ access: 'blob' });
    proxy = await startRecordingProxy(s3.port);
    azureProxy = await startRecordingProxy(azurite.port);
  });
  afterAll(async () => {
    await Promise.all([proxy.close(), azureProxy.close()]);
    await Promise.all([s3.stop(), azurite.stop()]);
    await removeDir(stores);
  });

  const publishTo = (prefix: string) => [
    { name: 's3', type: 's3', bucket: 'fleet', prefix, endpoint: proxy.url, forcePathStyle: true },
    { name: 'azure', type: 'azure-blob', container: 'mirror', prefix, connectionStringEnv: 'MIRROR_AZURE' },
  ];
  const cli = (...args: string[]) =>
    runCli([...args, '--settings', join(f.dir, 'settings.json')], {
      env: { ...S3_CREDENTIALS, MIRROR_AZURE: azuriteConnectionString(Number(new URL(azureProxy.url).port)) },
    });
  const s3Url = (prefix: string) => `http://127.0.0.1:${s3.port}/fleet/${prefix}/`;
  const azureUrl = (prefix: string) => `http://127.0.0.1:${azurite.port}/${AZURITE_ACCOUNT}/mirror/${prefix}/`;

  it('each bundle goes in three parts and arrives whole; one that rotted on disk is committed nowhere', async () => {
    await writeSettings(f.dir, f.upstream, { publish: publishTo('site-a') });
    const first = await cli('download');
    expect(first.code, first.stderr).toBe(0);
    const parts = proxy.seen.filter((s) => s.startsWith(`PUT /fleet/site-a/${BUNDLE}?`) && s.includes('uploadId='));
    expect(parts.map((s) => /partNumber=(\d+)/.exec(s)?.[1]).sort()).toEqual(['1', '2', '3']);
    expect(proxy.seen.filter((s) => s.startsWith(`POST /fleet/site-a/${BUNDLE}?uploadId=`))).toHaveLength(1);
    const blocks = azureProxy.seen.filter(
      (s) => s.startsWith(`PUT /${AZURITE_ACCOUNT}/mirror/site-a/${BUNDLE}?`) && s.includes('comp=block&'),
    );
    expect(blocks).toHaveLength(3);
    await expectReplicaMatches(f.mirror, s3Url('site-a'));
    await expectReplicaMatches(f.mirror, azureUrl('site-a'));

    await rotOnDisk();
    await writeSettings(f.dir, f.upstream, { publish: publishTo('site-b') });
    proxy.seen.length = 0;
    const rotten = await cli('publish');
    expect(rotten.code).toBe(1);
    for (const target of ['s3', 'azure']) {
      expect(rotten.stderr).toMatch(new RegExp(`${target}: FAILED: .*updates\\.zip no longer matches what the tree recorded`));
    }
    expect(rotten.stderr).toContain('Run `mdatp-mirror status --verify` and download again');
    expect((await fetch(`${s3Url('site-b')}${BUNDLE}`)).status, 'not in the bucket').toBe(404);
    expect((await fetch(`${azureUrl('site-b')}${BUNDLE}`)).status, 'not in the container').toBe(404);
    expect(
      proxy.seen.filter((s) => s.startsWith(`DELETE /fleet/site-b/${BUNDLE}?uploadId=`)),
      'the multipart upload is aborted',
    ).toHaveLength(1);
  });
});
