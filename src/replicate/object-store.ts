// What a replica in object storage is to the rest of the tool: a flat key space under a prefix that can be listed,
// written whole and deleted. S3 and Azure Blob Storage are implementations beside each other (s3-store, azure-store).
import { BUNDLE_FILE, INDEX_FILE, INDEX_SIGNATURE_FILE, STAGING_DIR, parseTreePath } from '../store/layout.js';

/** A file of the local served tree, keyed as it is in the replica (relative to the target's prefix, "/"-separated). */
export interface LocalObject {
  readonly key: string;
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

export interface RemoteObject {
  readonly key: string;
  readonly size: number;
  /** From the object's metadata; undefined when the object was not written by this tool. */
  readonly sha256: string | undefined;
  /** Written by this tool (its metadata marker): only such objects are ever deleted. */
  readonly ours: boolean;
}

export interface ObjectStore {
  /** For messages: s3://bucket/prefix, or the container's URL. Never holds a secret. */
  readonly location: string;
  /** The objects under the prefix that have the served tree's shape (anything else is not ours to look at). */
  list(): Promise<RemoteObject[]>;
  /** Writes one object whole (one PUT or block-list commit), refusing to commit bytes that do not hash to sha256. */
  upload(object: LocalObject, signal?: AbortSignal): Promise<void>;
  remove(key: string): Promise<void>;
  close(): void;
}

/** Metadata every object this tool writes carries (lower case, letters only: valid for S3 and Azure alike). */
export const METADATA = { sha256: 'sha256', writer: 'writer' } as const;
export const WRITER_MARK = 'mdatp-mirror';

/**
 * Bytes per S3 part / Azure block (S3's smallest, as rclone's default), and parts in flight per upload: each part in
 * flight holds one buffer of PART_BYTES (file-parts.ts), so these two are most of publish's peak. 3 in flight was
 * slower than rclone (1.06x, bench/publish.mjs). S3's 10,000 parts still allow objects of 48 GiB.
 */
export const PART_BYTES = 5 * 1024 * 1024;
export const PARTS_IN_FLIGHT = 4;

/** Whether a key (relative to the prefix) is one the served tree can hold: a pair file, or the signed index. */
export function isTreeKey(key: string): boolean {
  const rest = key.startsWith(`${STAGING_DIR}/`) ? key.slice(STAGING_DIR.length + 1) : key;
  return rest === INDEX_FILE || rest === INDEX_SIGNATURE_FILE || parseTreePath(rest) !== undefined;
}

export function contentType(key: string): string {
  if (key.endsWith(BUNDLE_FILE)) return 'application/zip';
  if (key.endsWith('.json')) return 'application/json';
  return 'text/plain; charset=utf-8';
}

/**
 * Every key is rewritten in place at each release (updates.zip, manifest.json): a CDN must revalidate each time
 * (a cheap conditional request) or it would pair a cached bundle with a newer manifest.
 */
export const CACHE_CONTROL = 'no-cache';
