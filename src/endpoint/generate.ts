// Builds the endpoint configuration: mdatp_managed.json for Linux (and macOS as JSON), or a .mobileconfig
// configuration profile for the com.microsoft.wdav preference domain, as MDM tools expect.
import { createHash } from 'node:crypto';
import { build } from 'plist';
import { DEFAULT_INTERVAL_SECONDS, PREFERENCE_DOMAIN, endpointLocation } from './schema.js';

export interface EndpointConfigRequest {
  readonly base: string;
  readonly os: 'linux' | 'mac';
  readonly channel: 'production' | 'preview';
  readonly fallbackToCloud: boolean;
  readonly intervalSeconds: number;
  /** Point at the staging tree (test devices) instead of the fleet's. */
  readonly staging: boolean;
}

export interface ManagedSettings {
  readonly cloudService: { automaticDefinitionUpdateEnabled: boolean; definitionUpdatesInterval: number };
  readonly antivirusEngine: {
    offlineDefinitionUpdate: 'enabled';
    offlineDefinitionUpdateUrl: string;
    offlineDefinitionUpdateFallbackToCloud: boolean;
  };
  readonly features: { offlineDefinitionUpdateVerifySig: 'enabled' };
}

export function managedSettings(r: EndpointConfigRequest): ManagedSettings {
  return {
    cloudService: { automaticDefinitionUpdateEnabled: true, definitionUpdatesInterval: r.intervalSeconds },
    antivirusEngine: {
      offlineDefinitionUpdate: 'enabled',
      offlineDefinitionUpdateUrl: endpointLocation(r.base, r.os, r.channel, r.staging),
      offlineDefinitionUpdateFallbackToCloud: r.fallbackToCloud,
    },
    // Endpoints verify a bundle's signature before loading it; never generate a config that turns that off.
    features: { offlineDefinitionUpdateVerifySig: 'enabled' },
  };
}

export const managedJson = (r: EndpointConfigRequest): string => `${JSON.stringify(managedSettings(r), null, 2)}\n`;

/** A stable UUID derived from a name, so regenerating a profile updates it in the MDM instead of adding another. */
function nameUuid(name: string): string {
  const h = createHash('sha1').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${h.slice(18, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export function mobileconfig(r: EndpointConfigRequest): string {
  const settings = managedSettings(r);
  const id = `com.mdatp-mirror.offline-updates.${r.channel}${r.staging ? '.staging' : ''}`;
  return build({
    PayloadContent: [
      {
        PayloadType: PREFERENCE_DOMAIN,
        PayloadIdentifier: `${id}.${PREFERENCE_DOMAIN}`,
        PayloadUUID: nameUuid(`${id}.${PREFERENCE_DOMAIN}`),
        PayloadVersion: 1,
        PayloadDisplayName: 'Microsoft Defender: offline security intelligence updates',
        PayloadEnabled: true,
        ...settings,
      },
    ],
    PayloadDisplayName: `Defender offline security intelligence (${r.channel}${r.staging ? ', test devices' : ''})`,
    PayloadDescription: `Endpoints pull security intelligence from ${settings.antivirusEngine.offlineDefinitionUpdateUrl}`,
    PayloadIdentifier: id,
    PayloadOrganization: 'mdatp-mirror',
    PayloadScope: 'System',
    PayloadType: 'Configuration',
    PayloadUUID: nameUuid(id),
    PayloadVersion: 1,
  });
}

export { DEFAULT_INTERVAL_SECONDS };
