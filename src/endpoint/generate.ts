// Builds the endpoint configuration: mdatp_managed.json for Linux (and macOS as JSON), or a .mobileconfig
// configuration profile for the com.microsoft.wdav preference domain, as MDM tools expect.
import { v5 as uuidv5 } from 'uuid';
import { build } from 'plist';
import { DEFAULT_INTERVAL_SECONDS, PREFERENCE_DOMAIN, endpointLocation } from './schema.js';
import { verifySigDeprecated } from './releases.js';

export interface EndpointConfigRequest {
  readonly base: string;
  readonly os: 'linux' | 'mac';
  readonly channel: 'production' | 'preview';
  readonly fallbackToCloud: boolean;
  readonly intervalSeconds: number;
  /** Point at the staging tree (test devices) instead of the fleet's. */
  readonly staging: boolean;
  /** The endpoints' product version, when known: newer Linux releases no longer take the VerifySig key. */
  readonly endpointVersion?: string | undefined;
}

export interface ManagedSettings {
  readonly cloudService: { automaticDefinitionUpdateEnabled: boolean; definitionUpdatesInterval: number };
  readonly antivirusEngine: {
    offlineDefinitionUpdate: 'enabled';
    offlineDefinitionUpdateUrl: string;
    offlineDefinitionUpdateFallbackToCloud: boolean;
  };
  readonly features?: { offlineDefinitionUpdateVerifySig: 'enabled' };
}

function managedSettings(r: EndpointConfigRequest): ManagedSettings {
  return {
    cloudService: { automaticDefinitionUpdateEnabled: true, definitionUpdatesInterval: r.intervalSeconds },
    antivirusEngine: {
      offlineDefinitionUpdate: 'enabled',
      offlineDefinitionUpdateUrl: endpointLocation(r.base, r.os, r.channel, r.staging),
      offlineDefinitionUpdateFallbackToCloud: r.fallbackToCloud,
    },
    // Endpoints verify a bundle's signature before loading it; never generate a config that turns that off. Where the
    // key is deprecated (verification is always on), it is left out rather than shown as DEPRECATED by mdatp health.
    ...(verifySigDeprecated(r.os, r.endpointVersion) ? {} : { features: { offlineDefinitionUpdateVerifySig: 'enabled' as const } }),
  };
}

export const managedJson = (r: EndpointConfigRequest): string => `${JSON.stringify(managedSettings(r), null, 2)}\n`;

/** mdatp-mirror's own RFC 4122 namespace for profile UUIDs (fixed: changing it would duplicate profiles in MDMs). */
const PROFILE_NAMESPACE = '810d2c7a-e6c5-5bf7-a281-640d11540a66';

/** A stable name-based (v5) UUID, so regenerating a profile updates it in the MDM instead of adding another. */
const nameUuid = (name: string): string => uuidv5(name, PROFILE_NAMESPACE).toUpperCase();

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
