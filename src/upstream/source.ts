// Where bundles come from, as the download sees it: a version document, and a bundle's bytes from an offset. Microsoft's
// service (upstream.ts) and another mirror over HTTP (mirror-source/) answer through the HTTP adapter (http-bytes.ts);
// another mirror reached as a folder reads the file (mirror-source/folder-bytes.ts), and so does an import, from the
// archive's staged files (archive/archive-source.ts). No source pretends to be another.
import type { Readable } from 'node:stream';
import type { BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import type { VersionInfo } from './version-info.js';

export interface OpenRequest {
  /** Start here instead of at the first byte: a resume, or a range of a split download. */
  readonly offset?: number | undefined;
  /** Exclusive end of a range (a split download); absent: to the end of the file. */
  readonly end?: number | undefined;
  /** The validator of the file being resumed or split: a source whose file changed starts over at offset 0. */
  readonly validator?: string | undefined;
}

export interface BundleBytes {
  readonly body: Readable & { dump(): Promise<void> };
  /** Where the body starts in the file: the offset asked for, or 0 when the source starts over with a whole file. */
  readonly offset: number;
  /** The whole file's size, when the source knows it. */
  readonly total: number | undefined;
  /** A strong validator (an ETag or Last-Modified) to resume or split this same file with. */
  readonly validator: string | undefined;
  /** Whether this file may be fetched in ranges over several connections. */
  readonly ranges: boolean;
  /** Where the bytes come from, as shown in messages and recorded as the manifest's source (no credentials). */
  readonly from: string;
}

/**
 * A resume that the source answered from another offset than asked (its file is not the one being resumed, or it
 * misread the range): the caller starts the file over.
 */
export class StartOver extends MirrorError {
  constructor(message: string) {
    super('UPSTREAM_HTTP_STATUS', message, { retryable: true });
  }
}

export interface BundleSource {
  /** Shown in logs and errors: where this source is, credentials removed. */
  readonly location: string;
  versionInfo(id: BundleId, signal?: AbortSignal): Promise<VersionInfo & { finalUrl: string }>;
  /**
   * The bundle's bytes from req.offset (0 by default). A range (req.end) comes back exactly as asked or not at all
   * (MirrorError, retryable); a resume may come back whole from offset 0; StartOver when neither holds.
   */
  open(id: BundleId, req: OpenRequest, signal?: AbortSignal): Promise<BundleBytes>;
  /** Sources with a signed index: the size and SHA-256 it vouches for (throws when it vouches for nothing). */
  vouchedFor?(id: BundleId): { readonly size: number; readonly sha256: string };
  /**
   * Sources proven only as a whole (an archive still being read): nothing is published before this resolves, and its
   * refusal fails the bundle.
   */
  proven?(): Promise<void>;
  /**
   * Sources whose bytes are already a file on the tree's volume, hashed as they arrived (an archive's staged bundle):
   * the file is moved to `path` instead of copied and hashed again, and its size and SHA-256 come with it.
   */
  handOver?(id: BundleId, path: string): Promise<HandedOver>;
}

export interface HandedOver {
  readonly size: number;
  readonly sha256: string;
  readonly from: string;
}
