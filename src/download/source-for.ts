// The one choice of source every command makes from settings: another mirror (upstreamMirror), or Microsoft's service.
import { MirrorSource } from '../mirror-source/mirror-source.js';
import type { Settings } from '../settings/load.js';
import { loadTrustedKeys } from '../signing/keys.js';
import type { HttpClient } from '../upstream/http-client.js';
import type { BundleSource } from '../upstream/source.js';
import { Upstream } from '../upstream/upstream.js';

export async function sourceFor(settings: Settings, http: HttpClient): Promise<BundleSource> {
  if (settings.upstreamMirror) return new MirrorSource(settings.upstreamMirror, http, await loadTrustedKeys(settings.trustedKeys));
  return new Upstream(settings.baseUpdateUrl, http);
}
