// The endpoint keys that govern offline security-intelligence updates, spelled and placed as Microsoft's published
// schema has them (see README for sources). Other mdatp settings may share these sections; they are left alone.
import { treeAtEnd } from '../bundle/identity.js';
import { STAGING_DIR } from '../store/layout.js';
import { isHttpUrl } from '../util/location.js';

export type KeySpec =
  | { readonly type: 'boolean' }
  | { readonly type: 'enum'; readonly values: readonly string[] }
  | { readonly type: 'integer'; readonly min: number; readonly max: number }
  | { readonly type: 'location' };

export const SCHEMA = {
  cloudService: {
    automaticDefinitionUpdateEnabled: { type: 'boolean' },
    // Microsoft's preferences reference: 60 (1 minute) through 86400 (24 hours), default 28800 (8 hours).
    definitionUpdatesInterval: { type: 'integer', min: 60, max: 86_400 },
  },
  antivirusEngine: {
    offlineDefinitionUpdate: { type: 'enum', values: ['enabled', 'disabled'] },
    offlineDefinitionUpdateUrl: { type: 'location' },
    offlineDefinitionUpdateFallbackToCloud: { type: 'boolean' },
  },
  features: {
    offlineDefinitionUpdateVerifySig: { type: 'enum', values: ['enabled', 'disabled'] },
  },
} as const satisfies Record<string, Record<string, KeySpec>>;

export type Section = keyof typeof SCHEMA;
export const SECTIONS = Object.keys(SCHEMA) as Section[];
export const DEFAULT_INTERVAL_SECONDS = 28_800;
export const PREFERENCE_DOMAIN = 'com.microsoft.wdav';

/** Where a key belongs, whatever section it was found in. */
export function homeOf(key: string): Section | undefined {
  return SECTIONS.find((s) => key in SCHEMA[s]);
}

/**
 * The form the docs and an endpoint expect: the mirror location up to and including "<os>/<channel>/" (a URL keeps
 * its trailing slash; a directory path is written without one, as Microsoft's example is). Accepts a server root or
 * a location that already names the tree, and puts "staging/" in front of "<os>/" for test devices.
 */
export function endpointLocation(base: string, os: string, channel: string, staging = false): string {
  const isUrl = isHttpUrl(base);
  let root = base.replace(/\/+$/, '');
  const named = treeAtEnd(root);
  if (named) root = root.slice(0, root.length - `/${named.os}/${named.channel}`.length);
  root = root.replace(new RegExp(`/${STAGING_DIR}$`), '');
  const location = `${root}${staging ? `/${STAGING_DIR}` : ''}/${os}/${channel}`;
  return isUrl ? `${location}/` : location;
}
