// An S3 (or S3-compatible: MinIO, Ceph, other clouds) replica. Loaded only when a target is configured: the SDK is
// large. Credentials come from the SDK's standard chain (environment, profile, instance or task role).
import { DeleteObjectCommand, HeadObjectCommand, S3Client, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import pLimit from 'p-limit';
import type { S3Target } from '../settings/publish-targets.js';
import { partsDone } from '../util/dead-buffers.js';
import { CACHE_CONTROL, METADATA, PART_BYTES, PARTS_IN_FLIGHT, READ_BYTES, WRITER_MARK, contentType, isTreeKey } from './object-store.js';
import type { LocalObject, ObjectStore, RemoteObject } from './object-store.js';
import { verifiedRead } from './verified-read.js';

export class S3Store implements ObjectStore {
  readonly location: string;
  private readonly client: S3Client;

  constructor(
    private readonly target: S3Target,
    private readonly mirrorName: string,
  ) {
    this.location = `s3://${target.bucket}/${target.prefix}`;
    this.client = new S3Client({
      // A custom endpoint (an S3-compatible store) rarely has regions; AWS itself needs one (setting or AWS_REGION).
      region: target.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? (target.endpoint ? 'us-east-1' : undefined),
      ...(target.endpoint ? { endpoint: target.endpoint } : {}),
      ...(target.forcePathStyle === undefined ? {} : { forcePathStyle: target.forcePathStyle }),
    });
  }

  async list(): Promise<RemoteObject[]> {
    const found: { key: string; size: number }[] = [];
    for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.target.bucket, Prefix: this.target.prefix })) {
      for (const o of page.Contents ?? []) {
        const key = (o.Key ?? '').slice(this.target.prefix.length);
        if (isTreeKey(key)) found.push({ key, size: o.Size ?? 0 });
      }
    }
    // Listings carry no metadata: ask for it per object, only for the few keys the tree can hold.
    const limit = pLimit(8);
    return Promise.all(
      found.map((o) =>
        limit(async () => {
          const head = await this.client.send(new HeadObjectCommand({ Bucket: this.target.bucket, Key: this.target.prefix + o.key }));
          const meta = head.Metadata ?? {};
          const ours = meta[METADATA.writer] === WRITER_MARK;
          return { key: o.key, size: o.size, sha256: ours ? meta[METADATA.sha256] : undefined, ours };
        }),
      ),
    );
  }

  async upload(object: LocalObject, signal?: AbortSignal): Promise<void> {
    const upload = new Upload({
      client: this.client,
      partSize: PART_BYTES,
      queueSize: PARTS_IN_FLIGHT,
      params: {
        Bucket: this.target.bucket,
        Key: this.target.prefix + object.key,
        Body: verifiedRead(object, READ_BYTES),
        ContentLength: object.size,
        ContentType: contentType(object.key),
        CacheControl: CACHE_CONTROL,
        // The service checks each request's SHA-256 on arrival: a corrupted part is rejected, never committed.
        ChecksumAlgorithm: 'SHA256',
        Metadata: { [METADATA.sha256]: object.sha256, [METADATA.writer]: WRITER_MARK, mirror: encodeURIComponent(this.mirrorName) },
      },
    });
    // lib-storage reports each finished part with the bytes sent so far: what partsDone counts is the difference.
    let sent = 0;
    upload.on('httpUploadProgress', (p) => {
      const loaded = p.loaded ?? sent;
      partsDone(loaded - sent);
      sent = loaded;
    });
    const abort = () => void upload.abort();
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.target.prefix + key }));
  }

  close(): void {
    this.client.destroy();
  }
}
