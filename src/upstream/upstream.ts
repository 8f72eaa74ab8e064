// The update service as the rest of the tool sees it: version documents and bundle responses for a BundleId.
import type { BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import type { HttpClient } from './http-client.js';
import { statusError } from './http-errors.js';
import { openOverHttp } from './http-bytes.js';
import type { BundleBytes, BundleSource, OpenRequest } from './source.js';
import { readSmallBody } from './small-body.js';
import { bundleUrl, displayUrl, OFFICIAL_BASE_URL, versionInfoUrl } from './urls.js';
import { parseVersionInfo, type VersionInfo } from './version-info.js';

const MAX_VERSION_DOCUMENT_BYTES = 1024 * 1024;
/** Bytes still buffered when a connection drops are lost to resume, so this stays well below a bundle's size. */
const BODY_BUFFER_BYTES = 256 * 1024;

/**
 * A 404 for a version document means the base URL is not the redirector (a mirror's folder, a CDN path, a typo): the
 * redirector answers every known linkid.
 */
function notTheRedirector(base: string, finalUrl: URL): MirrorError {
  return new MirrorError(
    'UPSTREAM_HTTP_STATUS',
    `HTTP 404 for the version document from ${displayUrl(finalUrl)}: baseUpdateUrl (or --base-url) ${displayUrl(base)} must be the redirector that answers ?linkid=…&action=info, such as ${OFFICIAL_BASE_URL} (its path ends in /fwlink/); to follow another mirror, set upstreamMirror instead`,
  );
}

/** Microsoft's update service, reached through its redirector. */
export class Upstream implements BundleSource {
  constructor(
    readonly baseUrl: string,
    private readonly http: HttpClient,
  ) {}

  get location(): string {
    return displayUrl(this.baseUrl);
  }

  async versionInfo(id: BundleId, signal?: AbortSignal): Promise<VersionInfo & { finalUrl: string }> {
    const res = await this.http.get(versionInfoUrl(this.baseUrl, id), { signal });
    if (res.statusCode !== 200) {
      await res.body.dump();
      if (res.statusCode === 404) throw notTheRedirector(this.baseUrl, res.finalUrl);
      throw statusError(res.statusCode, res.headers, res.finalUrl);
    }
    const body = await readSmallBody(
      res,
      MAX_VERSION_DOCUMENT_BYTES,
      () => new MirrorError('VERSION_DOCUMENT_INVALID', `version document from ${res.finalUrl.host} is larger than 1 MiB`),
    );
    // Decoded once, whole: a chunk boundary may fall inside a multi-byte character.
    const text = body.toString('utf8');
    return { ...parseVersionInfo(text, res.finalUrl.host), finalUrl: res.finalUrl.toString() };
  }

  open(id: BundleId, req: OpenRequest, signal?: AbortSignal): Promise<BundleBytes> {
    // A larger body buffer than undici's 64 KiB lets the socket keep filling while a chunk is hashed and written.
    return openOverHttp(
      (headers) => this.http.get(bundleUrl(this.baseUrl, id), { headers, signal, highWaterMark: BODY_BUFFER_BYTES }),
      req,
    );
  }
}
