// Another mdatp-mirror tree as the source of a download (upstreamMirror): its signed index.json says which release
// each bundle is and vouches for its size and SHA-256; only bundles it vouches for are ever published downstream.
import { join } from 'node:path';
import { bundleKey, bundleLabel, type BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import { indexedPairs, MAX_INDEX_BYTES, type IndexedPair } from '../signed-index/document.js';
import { verifyIndex } from '../signed-index/signature.js';
import type { PublicKey } from '../signing/minisign.js';
import { INDEX_FILE, INDEX_SIGNATURE_FILE, relativePairDir, BUNDLE_FILE } from '../store/layout.js';
import type { HttpClient } from '../upstream/http-client.js';
import { statusError } from '../upstream/http-errors.js';
import { readSmallBody } from '../upstream/small-body.js';
import { openOverHttp } from '../upstream/http-bytes.js';
import type { BundleBytes, BundleSource, OpenRequest } from '../upstream/source.js';
import { displayUrl } from '../upstream/urls.js';
import type { VersionInfo } from '../upstream/version-info.js';
import { isHttpUrl } from '../util/location.js';
import { openInFolder, readFolderFile } from './folder-bytes.js';

/** Bytes still buffered when a connection drops are lost to resume, so this stays well below a bundle's size. */
const BODY_BUFFER_BYTES = 256 * 1024;

interface LoadedIndex {
  readonly pairs: Map<string, IndexedPair>;
  readonly url: string;
}

export class MirrorSource implements BundleSource {
  /** Read once per run, and kept only once it verified: a failed read is tried again by the next caller. */
  private loading: Promise<LoadedIndex> | undefined;
  private loaded: LoadedIndex | undefined;

  constructor(
    private readonly base: string,
    private readonly http: HttpClient,
    private readonly keys: readonly PublicKey[],
  ) {}

  get location(): string {
    return isHttpUrl(this.base) ? displayUrl(this.base) : this.base;
  }

  private fileUrl(relative: string): string {
    return isHttpUrl(this.base) ? new URL(relative, `${this.base}/`).toString() : join(this.base, ...relative.split('/'));
  }

  private get(where: string, headers: Record<string, string>, signal: AbortSignal | undefined) {
    return this.http.get(new URL(where), { headers, signal, highWaterMark: BODY_BUFFER_BYTES });
  }

  /** index.json or its signature, read whole (bounded), from the folder or over HTTP. */
  private async small(relative: string, signal: AbortSignal | undefined): Promise<Buffer> {
    const where = this.fileUrl(relative);
    const missing = (): MirrorError =>
      new MirrorError(
        'INDEX_INVALID',
        `upstreamMirror ${this.location} has no ${relative}: is it an mdatp-mirror tree with "signingKey" set (only then does it sign an index)?`,
      );
    const tooLarge = (): MirrorError =>
      new MirrorError('INDEX_INVALID', `upstreamMirror ${this.location}: ${relative} is larger than ${MAX_INDEX_BYTES} bytes`);
    if (!isHttpUrl(where)) {
      const bytes = await readFolderFile(where, MAX_INDEX_BYTES);
      if (bytes === 'missing') throw missing();
      if (bytes === 'too-large') throw tooLarge();
      return bytes;
    }
    const res = await this.get(where, {}, signal);
    if (res.statusCode === 404) {
      await res.body.dump();
      throw missing();
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw statusError(res.statusCode, res.headers, res.finalUrl);
    }
    return readSmallBody(res, MAX_INDEX_BYTES, tooLarge);
  }

  private async load(signal: AbortSignal | undefined): Promise<LoadedIndex> {
    // The signature is fetched after the index: the upstream mirror writes it last, so the pair read here is at
    // worst one whose signature does not match yet, which fails and is retried.
    const index = await this.small(INDEX_FILE, signal);
    const signature = await this.small(INDEX_SIGNATURE_FILE, signal);
    try {
      const { index: doc } = verifyIndex(index, signature.toString('utf8'), this.keys, `upstreamMirror ${this.location}`);
      const pairs = new Map(
        indexedPairs(doc)
          .filter((p) => p.role === 'live')
          .map((p) => [bundleKey(p.id), p] as const),
      );
      return { pairs, url: this.fileUrl(INDEX_FILE) };
    } catch (e) {
      if (e instanceof MirrorError && e.code === 'SIGNATURE_INVALID') {
        throw new MirrorError(e.code, e.message, { retryable: true });
      }
      throw e;
    }
  }

  private async index(signal: AbortSignal | undefined): Promise<LoadedIndex> {
    if (this.loaded) return this.loaded;
    this.loading ??= this.load(signal).finally(() => (this.loading = undefined));
    this.loaded = await this.loading;
    return this.loaded;
  }

  private async pair(id: BundleId, signal: AbortSignal | undefined): Promise<IndexedPair> {
    const { pairs } = await this.index(signal);
    const pair = pairs.get(bundleKey(id));
    if (!pair) {
      throw new MirrorError(
        'BUNDLE_NOT_VOUCHED',
        `upstreamMirror ${this.location} does not carry ${bundleLabel(id)} (its signed index lists ${[...pairs.values()].map((p) => bundleLabel(p.id)).join(', ') || 'no bundle'})`,
      );
    }
    return pair;
  }

  async versionInfo(id: BundleId, signal?: AbortSignal): Promise<VersionInfo & { finalUrl: string }> {
    const pair = await this.pair(id, signal);
    return { ...pair.versions, finalUrl: (await this.index(signal)).url };
  }

  async open(id: BundleId, req: OpenRequest, signal?: AbortSignal): Promise<BundleBytes> {
    await this.pair(id, signal);
    const where = this.fileUrl(`${relativePairDir(id, 'live')}/${BUNDLE_FILE}`);
    if (isHttpUrl(where)) return openOverHttp((headers) => this.get(where, headers, signal), req);
    const bytes = await openInFolder(where, req);
    if (!bytes)
      throw new MirrorError(
        'UPSTREAM_HTTP_STATUS',
        `upstreamMirror ${this.location}: ${where} is missing, though its signed index lists it`,
        {
          retryable: true,
        },
      );
    return bytes;
  }

  vouchedFor(id: BundleId): { size: number; sha256: string } {
    const pair = this.loaded?.pairs.get(bundleKey(id));
    if (!pair)
      throw new MirrorError('BUNDLE_NOT_VOUCHED', `upstreamMirror ${this.location}: no signed index vouches for ${bundleLabel(id)}`);
    return { size: pair.bundle.size, sha256: pair.bundle.sha256 };
  }
}
