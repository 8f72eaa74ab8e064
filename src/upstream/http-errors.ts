// Maps HTTP statuses and undici/network failures to catalogue errors, deciding which are worth retrying.
import type { IncomingHttpHeaders } from 'node:http';
import { MirrorError } from '../errors/catalogue.js';
import { fileSystemError } from '../errors/file-system.js';
import { displayLocation, displayUrl } from './urls.js';

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EHOSTUNREACH',
  'EPIPE',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A proxy that refuses to open the tunnel: undici reports it as an aborted request, which would read as a stop
 * request. 407 means wrong or missing credentials (asking again cannot help); other statuses may pass.
 */
function proxyRefusal(e: unknown, url: string | URL): MirrorError | undefined {
  // Tunnelled (https) and forwarded (http) requests report a refusing proxy in different words.
  const status = /^Proxy (?:response|Authentication Required) \((\d{3})\)/.exec((e as Error)?.message ?? '')?.[1];
  if (!status) return undefined;
  if (status === '407') {
    return new MirrorError(
      'UPSTREAM_PROXY',
      `the proxy refused to connect to ${displayUrl(url)}: HTTP 407 Proxy Authentication Required. Check the user and password in the proxy setting (or HTTPS_PROXY); characters such as @ : / must be percent-encoded`,
      { cause: e },
    );
  }
  return new MirrorError(
    'UPSTREAM_PROXY',
    `the proxy answered HTTP ${status} instead of connecting to ${displayUrl(url)}; if it persists, check the proxy (its log names the reason) or the proxy setting`,
    {
      retryable: RETRYABLE_STATUS.has(Number(status)),
      cause: e,
    },
  );
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

export function statusError(status: number, headers: IncomingHttpHeaders, url: string | URL, now = Date.now()): MirrorError {
  const retryable = RETRYABLE_STATUS.has(status);
  return new MirrorError('UPSTREAM_HTTP_STATUS', `HTTP ${status} from ${displayUrl(url)}`, {
    retryable,
    retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(headers['retry-after'], now) : undefined,
  });
}

function errorCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 4; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Any failure while talking to the upstream, as a catalogue error. Mirror errors pass through unchanged, and a local
 * file error (writing the download, renaming it into place) is reported as the local problem it is.
 */
export function networkError(e: unknown, url: string | URL): MirrorError {
  if (e instanceof MirrorError) return e;
  const local = fileSystemError(e);
  if (local) return local;
  const proxy = proxyRefusal(e, url);
  if (proxy) return proxy;
  const name = (e as { name?: unknown })?.name;
  if (name === 'AbortError') return new MirrorError('INTERRUPTED', 'interrupted', { cause: e });
  const code = errorCode(e);
  const detail = `${(e as Error)?.message ?? String(e)}${code ? ` [${code}]` : ''}`;
  if (code && TIMEOUT_CODES.has(code)) {
    return new MirrorError('UPSTREAM_TIMEOUT', `timed out talking to ${displayLocation(url)}: ${detail}`, { retryable: true, cause: e });
  }
  if (code && TLS_CODES.has(code)) {
    return new MirrorError(
      'UPSTREAM_TLS',
      `the certificate of ${displayUrl(url)} is not trusted: ${detail.replace(/; if the root CA is installed locally.*?(?= \[|$)/, '')}. If a proxy inspects TLS or the server uses a private CA, put that CA's certificate (PEM) in caFile`,
      { cause: e },
    );
  }
  return new MirrorError('UPSTREAM_NETWORK', `network error talking to ${displayLocation(url)}: ${detail}`, {
    retryable: code === undefined || NETWORK_CODES.has(code),
    cause: e,
  });
}
