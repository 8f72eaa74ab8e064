// The upstream client every command builds the same way from settings (proxy, CA, timeouts, User-Agent).
import type { Settings } from '../settings/load.js';
import { USER_AGENT } from '../util/user-agent.js';
import { HttpClient } from './http-client.js';

export function httpClientFor(settings: Settings): HttpClient {
  return HttpClient.create({
    timeouts: settings.timeouts,
    proxy: settings.proxy,
    caFile: settings.caFile,
    userAgent: USER_AGENT,
    allowInsecure: settings.allowInsecureUpstream,
  });
}
