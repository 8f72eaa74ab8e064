// Where bundles come from, as the download pipeline sees it: a version document and a (resumable) bundle response per
// bundle. Microsoft's service (upstream.ts) is one implementation; another mirror is the next, beside it.
import type { BundleId } from '../bundle/identity.js';
import type { UpstreamResponse } from './http-client.js';
import type { VersionInfo } from './version-info.js';

export interface BundleSource {
  /** Shown in logs and errors: where this source is, credentials removed. */
  readonly location: string;
  versionInfo(id: BundleId, signal?: AbortSignal): Promise<VersionInfo & { finalUrl: string }>;
  /** The raw bundle response (200, or 206 to a Range request); the caller checks the status and consumes the body. */
  bundle(id: BundleId, headers: Record<string, string>, signal?: AbortSignal): Promise<UpstreamResponse>;
}
