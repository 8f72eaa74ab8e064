// An S3 (or S3-compatible: MinIO, Ceph, other clouds) replica. Loaded only when a target is configured: the SDK is
// large. Credentials come from the SDK's standard chain (environment, profile, instance or task role).
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  paginateListObjectsV2,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { S3Target } from '../settings/publish-targets.js';
import { partCount, sendInParts } from './file-parts.js';
import { CACHE_CONTROL, METADATA, WRITER_MARK, contentType, isTreeKey } from './object-store.js';
import type { LocalObject, ObjectStore, RemoteObject } from './object-store.js';

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
    const key = { Bucket: this.target.bucket, Key: this.target.prefix + object.key };
    const described = {
      ...key,
      ContentType: contentType(object.key),
      CacheControl: CACHE_CONTROL,
      // The service checks each request's SHA-256 on arrival: a corrupted part is rejected, never committed.
      ChecksumAlgorithm: 'SHA256' as const,
      Metadata: { [METADATA.sha256]: object.sha256, [METADATA.writer]: WRITER_MARK, mirror: encodeURIComponent(this.mirrorName) },
    };
    const options = { abortSignal: signal };
    if (partCount(object.size) === 1) {
      await sendInParts(
        object,
        async ({ bytes }) => {
          await this.client.send(new PutObjectCommand({ ...described, Body: bytes, ContentLength: bytes.length }), options);
        },
        signal,
      );
      return;
    }
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(described), options);
    const parts: CompletedPart[] = [];
    try {
      await sendInParts(
        object,
        async ({ number, bytes }) => {
          const sent = await this.client.send(
            new UploadPartCommand({
              ...key,
              UploadId,
              PartNumber: number,
              Body: bytes,
              ContentLength: bytes.length,
              ChecksumAlgorithm: 'SHA256',
            }),
            options,
          );
          // Without its ETag a part cannot be committed (a proxy or a CORS rule that hides the header).
          if (sent.ETag === undefined) throw new Error(`part ${number} of ${key.Key} came back without an ETag`);
          parts.push({ PartNumber: number, ETag: sent.ETag, ...(sent.ChecksumSHA256 ? { ChecksumSHA256: sent.ChecksumSHA256 } : {}) });
        },
        signal,
      );
      parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
      await this.client.send(new CompleteMultipartUploadCommand({ ...key, UploadId, MultipartUpload: { Parts: parts } }), options);
    } catch (e) {
      // Parts never completed are billed storage until aborted (or a lifecycle rule removes them).
      await this.client.send(new AbortMultipartUploadCommand({ ...key, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async remove(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.target.bucket, Key: this.target.prefix + key }));
  }

  close(): void {
    this.client.destroy();
  }
}
