// Builds the redirector URLs for a bundle and its version document, as the service expects them.
import type { BundleId } from '../bundle/identity.js';
import { hasUrlScheme } from '../util/location.js';

export const LINK_IDS = { linux: '2144709', mac: '2120136' } as const;

export function bundleUrl(base: string, id: BundleId): URL {
  const url = new URL(base);
  url.searchParams.set('linkid', LINK_IDS[id.os]);
  // x86_64 is the service's default; only arm64 is named.
  if (id.arch === 'arm64') url.searchParams.set('arch', 'arm64');
  if (id.channel === 'preview') {
    url.searchParams.set('engRing', '3');
    url.searchParams.set('sigRing', '1');
  }
  return url;
}

export function versionInfoUrl(base: string, id: BundleId): URL {
  const url = bundleUrl(base, id);
  url.searchParams.set('action', 'info');
  return url;
}

/** A URL safe to print: credentials and query secrets (CDN signatures) are not shown. */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    for (const key of [...u.searchParams.keys()]) {
      if (/^(sig|signature|se|sv|token|x-amz-.*|x-goog-.*|key)$/i.test(key)) u.searchParams.set(key, 'REDACTED');
    }
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Microsoft's redirector, the default baseUpdateUrl (as the old scripts have it). */
export const OFFICIAL_BASE_URL = 'https://go.microsoft.com/fwlink/';

/** Where something is, safe to print: a URL as displayUrl shows it; a path or a name ("archive …") as it is. */
export function displayLocation(where: string | URL): string {
  return typeof where !== 'string' || hasUrlScheme(where) ? displayUrl(where) : where;
}
