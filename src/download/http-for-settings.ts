// The upstream client every command builds the same way from settings (proxy, CA, timeouts, User-Agent).
import * as z from 'zod/mini';
import type { Settings } from '../settings/load.js';
import { timeoutsSchema } from '../settings/schema.js';
import { USER_AGENT } from '../util/user-agent.js';
import { HttpClient } from '../upstream/http-client.js';

/** Without settings (verify on an endpoint or in CI): the settings' own default timeouts, not a second copy of them. */
export function httpClientFor(settings: Settings | undefined): HttpClient {
  if (!settings) return HttpClient.create({ timeouts: z.parse(timeoutsSchema, {}), userAgent: USER_AGENT });
  return HttpClient.create({
    timeouts: settings.timeouts,
    proxy: settings.proxy,
    caFile: settings.caFile,
    userAgent: USER_AGENT,
    allowInsecure: settings.allowInsecureUpstream,
  });
}
