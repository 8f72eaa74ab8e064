// Which request paths exist: only the mirror tree endpoints pull from (an allowlist), never the tool's state, temp,
// lock or log files, and never anything outside the root however the path is spelled.
import { SEGMENT_PATTERN } from '../bundle/identity.js';
import { BoundedCache } from '../util/bounded-cache.js';
import { BUNDLE_FILE, INDEX_FILE, INDEX_SIGNATURE_FILE, MANIFEST_FILE, STAGING_DIR } from '../store/layout.js';
import { hasUrlScheme } from '../util/location.js';

export type PathDecision =
  | { readonly kind: 'file'; readonly rel: string }
  | { readonly kind: 'dir'; readonly rel: string; readonly canonical: string }
  | { readonly kind: 'special'; readonly name: (typeof SPECIAL)[number] }
  | { readonly kind: 'reject'; readonly status: 400 | 404; readonly reason: string };

const { os, channel, arch } = SEGMENT_PATTERN;
/** serve's own answers, beside the tree (none of them can be a tree path). */
const SPECIAL = ['healthz', 'metrics', 'status', 'status.json'] as const;
const isSpecial = (rel: string): rel is (typeof SPECIAL)[number] => (SPECIAL as readonly string[]).includes(rel);
const escaped = (name: string): string => name.replace(/\./g, '\\.');
const STAGING = `(?:${STAGING_DIR}/)?`;
const TREE = `${STAGING}${os}(?:/${channel}(?:_back)?(?:/arch_${arch})?)?`;
const FILE = new RegExp(`^${STAGING}${os}/${channel}(?:_back)?/arch_${arch}/(?:${escaped(BUNDLE_FILE)}|${escaped(MANIFEST_FILE)})$`);
/** The live tree's signed index (signingKey), for mirrors fed from this one and for checking by hand. */
const INDEX = new RegExp(`^(?:${escaped(INDEX_FILE)}|${escaped(INDEX_SIGNATURE_FILE)})$`);
const DIR = new RegExp(`^(?:|${STAGING_DIR}|${TREE})$`);

/**
 * Decisions by request target: a mirror's clients ask for the same few dozen paths over and over, and deciding again
 * (decoding, splitting, matching) was a tenth of a 304's cost (bench:serve). Decisions are immutable.
 */
const decided = new BoundedCache<string, PathDecision>(512);

export function decidePath(rawUrl: string): PathDecision {
  return decided.get(rawUrl) ?? decided.remember(rawUrl, decide(rawUrl));
}

function decide(rawUrl: string): PathDecision {
  // Absolute-form request targets (sent to proxies) carry a scheme and host; only the path matters here.
  let raw = rawUrl;
  if (hasUrlScheme(raw)) {
    try {
      raw = new URL(raw).pathname;
    } catch {
      return { kind: 'reject', status: 400, reason: 'malformed URL' };
    }
  }
  const pathname = raw.split('?')[0]!.split('#')[0]!;
  if (!pathname.startsWith('/')) return { kind: 'reject', status: 400, reason: 'path must start with /' };
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return { kind: 'reject', status: 400, reason: 'malformed percent-encoding' };
  }
  if (/[\0\\]/.test(decoded) || /%5c|%00/i.test(pathname)) return { kind: 'reject', status: 400, reason: 'NUL or backslash in path' };
  if (decoded.startsWith('//')) return { kind: 'reject', status: 400, reason: 'empty path segment' };
  const segments = decoded.slice(1).split('/');
  if (segments.some((s) => s === '..' || s === '.')) return { kind: 'reject', status: 400, reason: 'dot segment in path' };
  if (segments.some((s) => s.startsWith('.'))) return { kind: 'reject', status: 404, reason: 'hidden path' };

  const rel = decoded.slice(1);
  if (isSpecial(rel)) return { kind: 'special', name: rel };
  if (FILE.test(rel) || INDEX.test(rel)) return { kind: 'file', rel };
  const dir = rel.endsWith('/') ? rel.slice(0, -1) : rel;
  if (DIR.test(dir)) return { kind: 'dir', rel: dir, canonical: dir === '' ? '/' : `/${dir}/` };
  return { kind: 'reject', status: 404, reason: 'not part of the mirror tree' };
}
