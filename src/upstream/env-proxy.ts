// The proxies a shell's environment names, read in one place for the HTTP client and for `check`: lowercase before
// uppercase (as undici and curl read them), and a value without a scheme ("proxy.corp:8080", common in
// /etc/environment) taken as an HTTP proxy, as curl, wget and Python's requests take it. undici refuses such a value
// with an error that would read as our bug.
import { settingsError } from '../errors/catalogue.js';
import { hasUrlScheme } from '../util/location.js';
import { displayUrl } from './urls.js';

export interface EnvProxies {
  /** For http:// URLs; '' when none. */
  readonly httpProxy: string;
  /** For https:// URLs; '' when none (undici then uses httpProxy). */
  readonly httpsProxy: string;
  readonly noProxy: string | undefined;
}

function proxyFrom(env: NodeJS.ProcessEnv, lower: string, upper: string): string {
  const name = env[lower] !== undefined ? lower : upper;
  const value = env[name]?.trim() ?? '';
  if (value === '') return '';
  const uri = hasUrlScheme(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // The value is not shown: it may hold a password.
    throw settingsError(
      'SETTINGS_INVALID',
      `${name} in the environment is not a proxy address: set it to http://host:port (a user and password as http://user:password@host:port, with @ : / in them percent-encoded), or unset it for mdatp-mirror.`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw settingsError(
      'SETTINGS_INVALID',
      `${name}=${displayUrl(url)} in the environment: only http:// and https:// proxies are supported, not ${url.protocol.slice(0, -1)}://. Set it to an HTTP proxy, or unset it for mdatp-mirror (the proxy setting in settings.json takes precedence over it).`,
    );
  }
  return uri;
}

/** The environment's proxies, ready for undici's EnvHttpProxyAgent; throws a settings error (exit 2) for one it cannot use. */
export function envProxies(env: NodeJS.ProcessEnv): EnvProxies {
  return {
    httpProxy: proxyFrom(env, 'http_proxy', 'HTTP_PROXY'),
    httpsProxy: proxyFrom(env, 'https_proxy', 'HTTPS_PROXY'),
    noProxy: env['no_proxy'] ?? env['NO_PROXY'],
  };
}
