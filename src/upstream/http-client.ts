// The upstream HTTP client: one shared connection pool (direct, env proxy or configured proxy, custom CA), and
// redirect following done here rather than by undici's interceptor so that every hop and the final URL can be logged.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { MirrorError, settingsError } from '../errors/catalogue.js';
import { addressRange } from '../util/address-range.js';
import { isLoopbackHost } from '../util/loopback.js';
import { decodeText } from '../util/text-file.js';
import { envProxies } from './env-proxy.js';
import { networkError } from './http-errors.js';
import { keepParserOnBaselineTier } from './parser-tier.js';
import { displayUrl } from './urls.js';

const MAX_REDIRECTS = 5;
const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

export interface HttpClientOptions {
  readonly timeouts: { readonly connect: number; readonly headers: number; readonly bodyIdle: number };
  readonly proxy?: string | undefined;
  readonly caFile?: string | undefined;
  readonly userAgent: string;
  /** Allow a redirect from https:// to plain http:// on a non-loopback host. */
  readonly allowInsecure?: boolean;
}

export interface UpstreamResponse {
  readonly statusCode: number;
  readonly headers: Dispatcher.ResponseData['headers'];
  readonly body: Dispatcher.ResponseData['body'];
  readonly finalUrl: URL;
  readonly hops: number;
}

function createDispatcher(o: HttpClientOptions): Dispatcher {
  // A corporate CA must reach both direct TLS (connect) and TLS tunnelled through a proxy (requestTls). It is added
  // to Node's public roots, not put in their place, so hosts outside the inspection still verify.
  const ca = o.caFile ? [...rootCertificates, readCaFile(o.caFile)] : undefined;
  const tls = ca ? { ca } : {};
  const common = {
    headersTimeout: o.timeouts.headers,
    bodyTimeout: o.timeouts.bodyIdle,
    connect: { timeout: o.timeouts.connect, ...tls },
  };
  if (o.proxy) {
    return new ProxyAgent({ uri: o.proxy, ...common, requestTls: { timeout: o.timeouts.connect, ...tls }, proxyTls: tls });
  }
  const { httpProxy, httpsProxy } = envProxies(process.env);
  return new EnvHttpProxyAgent({ ...common, httpProxy, httpsProxy, requestTls: { timeout: o.timeouts.connect, ...tls } });
}

/**
 * A redirect may not lead into loopback, private or link-local addresses (a cloud's metadata service) unless the URL
 * first asked for is in that same range: a hostile or hijacked upstream must not turn the mirror against its own LAN.
 */
function refuseInwardRedirect(first: URL, next: URL): void {
  const to = addressRange(next.hostname);
  if (to === 'public' || to === addressRange(first.hostname)) return;
  throw new MirrorError(
    'UPSTREAM_REDIRECTS',
    `refusing redirect from ${displayUrl(first)} into a ${to} address (${displayUrl(next)}): the configured upstream is not in that range, so this is not where its bundles live. If your upstream really is there, set baseUpdateUrl (or upstreamMirror) to that address itself`,
  );
}

/** The PEM certificate blocks in a file's text. */
export const pemCertificates = (pem: string): string[] => pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];

/** The caFile's certificates, read once: a missing, unreadable or non-PEM file is a settings mistake named here. */
function readCaFile(path: string): string {
  let pem: string;
  try {
    pem = decodeText(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is a folder' : `cannot be read (${code})`;
    throw settingsError(
      'SETTINGS_INVALID',
      `caFile ${path} ${why}: give the path of your CA's certificate in PEM format, or remove caFile`,
    );
  }
  const blocks = pemCertificates(pem);
  const bad = blocks.findIndex((b) => !parses(b));
  if (blocks.length === 0 || bad >= 0) {
    throw settingsError(
      'SETTINGS_INVALID',
      `caFile ${path} ${blocks.length === 0 ? 'holds no PEM certificate ("-----BEGIN CERTIFICATE-----")' : `holds a certificate that does not parse (number ${bad + 1})`}: export the CA certificate as PEM (openssl x509 -inform der -in ca.cer -out ca.pem)`,
    );
  }
  return pem;
}

function parses(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

export class HttpClient {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly options: Pick<HttpClientOptions, 'userAgent' | 'allowInsecure'>,
  ) {}

  static create(o: HttpClientOptions): HttpClient {
    keepParserOnBaselineTier();
    return new HttpClient(createDispatcher(o), o);
  }

  /** GET, following at most MAX_REDIRECTS redirects (absolute or relative Location). The caller consumes the body. */
  async get(
    url: URL,
    opts: { headers?: Record<string, string>; signal?: AbortSignal | undefined; highWaterMark?: number } = {},
  ): Promise<UpstreamResponse> {
    let current = url;
    for (let hop = 0; ; hop++) {
      let res: Dispatcher.ResponseData;
      try {
        res = await request(current, {
          dispatcher: this.dispatcher,
          method: 'GET',
          headers: { 'user-agent': this.options.userAgent, ...opts.headers },
          signal: opts.signal,
          ...(opts.highWaterMark ? { highWaterMark: opts.highWaterMark } : {}),
        });
      } catch (e) {
        throw networkError(e, current);
      }
      if (!REDIRECT_STATUS.has(res.statusCode)) return { ...res, finalUrl: current, hops: hop };

      await res.body.dump();
      const location = res.headers.location;
      if (typeof location !== 'string' || location === '') {
        throw new MirrorError('UPSTREAM_REDIRECTS', `HTTP ${res.statusCode} without a Location header from ${displayUrl(current)}`, {
          retryable: true,
        });
      }
      if (hop >= MAX_REDIRECTS) {
        throw new MirrorError('UPSTREAM_REDIRECTS', `more than ${MAX_REDIRECTS} redirects starting at ${displayUrl(url)}`);
      }
      const next = new URL(location, current);
      if (next.protocol !== 'https:' && next.protocol !== 'http:') {
        throw new MirrorError('UPSTREAM_REDIRECTS', `redirect to unsupported scheme ${next.protocol} from ${displayUrl(current)}`);
      }
      if (current.protocol === 'https:' && next.protocol === 'http:' && !isLoopbackHost(next.hostname) && !this.options.allowInsecure) {
        throw new MirrorError(
          'UPSTREAM_REDIRECTS',
          `refusing redirect from https:// to plain http:// (${displayUrl(next)}); set "allowInsecureUpstream": true to allow it`,
        );
      }
      refuseInwardRedirect(url, next);
      current = next;
    }
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}
