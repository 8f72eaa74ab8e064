// Where bundles come from, as the download pipeline sees it: a version document and a (resumable) bundle response per
// bundle. Microsoft's service (upstream.ts) is one implementation; another mirror (mirror-source/) is another.
import type { Readable } from 'node:stream';
import type { BundleId } from '../bundle/identity.js';
import type { VersionInfo } from './version-info.js';

/** A bundle response: undici's for HTTP, a file stream for a mirror reached as a folder. */
export interface SourceResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Readable & { dump(): Promise<void> };
  readonly finalUrl: URL;
}

export interface BundleSource {
  /** Shown in logs and errors: where this source is, credentials removed. */
  readonly location: string;
  versionInfo(id: BundleId, signal?: AbortSignal): Promise<VersionInfo & { finalUrl: string }>;
  /** The raw bundle response (200, or 206 to a Range request); the caller checks the status and consumes the body. */
  bundle(id: BundleId, headers: Record<string, string>, signal?: AbortSignal): Promise<SourceResponse>;
  /** Sources with a signed index: the size and SHA-256 it vouches for (throws when it vouches for nothing). */
  vouchedFor?(id: BundleId): { readonly size: number; readonly sha256: string };
}
