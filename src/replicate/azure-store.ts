// An Azure Blob Storage replica. Loaded only when a target is configured. Each block carries its MD5, which the
// service checks on arrival; the blob changes only when the block list is committed, after the whole file hashed
// to what the tree recorded, so readers get the old blob or the new one.
import { createHash, randomUUID } from 'node:crypto';
import { BlobServiceClient, ContainerClient, type BlockBlobClient } from '@azure/storage-blob';
import type { AzureTarget } from '../settings/publish-targets.js';
import { sendInParts } from './file-parts.js';
import { CACHE_CONTROL, METADATA, WRITER_MARK, contentType, isTreeKey } from './object-store.js';
import type { LocalObject, ObjectStore, RemoteObject } from './object-store.js';
import { containerFor } from './azure-credentials.js';

/** A block whose MD5 the service rejected was damaged on the way: sent again, a few times. */
const BLOCK_ATTEMPTS = 3;

export class AzureStore implements ObjectStore {
  readonly location: string;

  private constructor(
    private readonly target: AzureTarget,
    private readonly container: ContainerClient,
    private readonly mirrorName: string,
  ) {
    // The container URL without its query: a SAS never reaches output.
    this.location = `${container.url.split('?')[0]}/${target.prefix}`;
  }

  static async open(target: AzureTarget, mirrorName: string, env: NodeJS.ProcessEnv): Promise<AzureStore> {
    return new AzureStore(target, await containerFor(target, env, { BlobServiceClient, ContainerClient }), mirrorName);
  }

  async list(): Promise<RemoteObject[]> {
    const found: RemoteObject[] = [];
    for await (const blob of this.container.listBlobsFlat({ prefix: this.target.prefix, includeMetadata: true })) {
      const key = blob.name.slice(this.target.prefix.length);
      if (!isTreeKey(key)) continue;
      const meta = blob.metadata ?? {};
      const ours = meta[METADATA.writer] === WRITER_MARK;
      found.push({ key, size: blob.properties.contentLength ?? 0, sha256: ours ? meta[METADATA.sha256] : undefined, ours });
    }
    return found;
  }

  async upload(object: LocalObject, signal?: AbortSignal): Promise<void> {
    const blob = this.container.getBlockBlobClient(this.target.prefix + object.key);
    // Same-length ids (the service requires it), fresh per upload so two runs' uncommitted blocks never mix.
    const upload = randomUUID();
    const ids: string[] = [];
    const whole = createHash('md5');
    await sendInParts(
      object,
      async ({ number, bytes }) => {
        whole.update(bytes);
        if (bytes.length === 0) return; // an empty file is an empty block list
        const id = Buffer.from(`${upload}-${String(number - 1).padStart(6, '0')}`).toString('base64');
        ids.push(id);
        await stageBlock(blob, id, bytes, signal);
      },
      signal,
    );
    await blob.commitBlockList(ids, {
      abortSignal: signal,
      metadata: { [METADATA.sha256]: object.sha256, [METADATA.writer]: WRITER_MARK, mirror: encodeURIComponent(this.mirrorName) },
      blobHTTPHeaders: { blobContentType: contentType(object.key), blobCacheControl: CACHE_CONTROL, blobContentMD5: whole.digest() },
    });
  }

  async remove(key: string): Promise<void> {
    await this.container.getBlockBlobClient(this.target.prefix + key).deleteIfExists();
  }

  close(): void {
    // The SDK keeps no connection that would hold the process open.
  }
}

async function stageBlock(blob: BlockBlobClient, id: string, chunk: Buffer, signal: AbortSignal | undefined): Promise<void> {
  const md5 = createHash('md5').update(chunk).digest();
  for (let attempt = 1; ; attempt++) {
    try {
      await blob.stageBlock(id, chunk, chunk.length, { transactionalContentMD5: md5, abortSignal: signal });
      return;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (attempt >= BLOCK_ATTEMPTS || (code !== 'Md5Mismatch' && code !== 'Crc64Mismatch')) throw e;
    }
  }
}
