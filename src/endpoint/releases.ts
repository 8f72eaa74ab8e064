// Endpoint releases that change what the managed settings should say (Microsoft's release notes, checked 2026-11).
import { compareVersionStrings } from '../bundle/versions.js';

type EndpointOs = 'linux' | 'mac';

/** The first releases that take offline security-intelligence updates at all. */
export const OFFLINE_UPDATES_SINCE: Record<EndpointOs, string> = { linux: '101.24022.0001', mac: '101.25012.0003' };

/**
 * From this Linux release engine signatures are verified by default, and `mdatp health` shows
 * features.offlineDefinitionUpdateVerifySig as "DEPRECATED": the key no longer does anything there.
 */
export const VERIFY_SIG_DEPRECATED_SINCE_LINUX = '101.26062.0005';

/** A product version as `mdatp version` prints it: 101.26062.0005. */
export const isEndpointVersion = (v: string): boolean => /^\d+\.\d+\.\d+(?:\.\d+)?$/.test(v);

export const atLeast = (version: string, since: string): boolean => compareVersionStrings(version, since) >= 0;

/** Whether features.offlineDefinitionUpdateVerifySig is deprecated on this endpoint (unknown version: not assumed). */
export const verifySigDeprecated = (os: EndpointOs, version: string | undefined): boolean =>
  os === 'linux' && version !== undefined && atLeast(version, VERIFY_SIG_DEPRECATED_SINCE_LINUX);
