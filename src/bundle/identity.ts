// Bundle identity: one bundle per (os, channel, arch), its names, and the path patterns built from those lists.

export const OSES = ['linux', 'mac'] as const;
export const CHANNELS = ['production', 'preview'] as const;
export const ARCHES = ['x86_64', 'arm64'] as const;

export type Os = (typeof OSES)[number];
export type Channel = (typeof CHANNELS)[number];
export type Arch = (typeof ARCHES)[number];

export interface BundleId {
  readonly os: Os;
  readonly channel: Channel;
  readonly arch: Arch;
}

/** Every bundle the service publishes, whatever settings select. */
export const ALL_BUNDLES: readonly BundleId[] = OSES.flatMap((os) =>
  CHANNELS.flatMap((channel) => ARCHES.map((arch) => ({ os, channel, arch }))),
);

/** The path of a bundle's folder relative to a tree root, as endpoints address it. */
export function bundleKey(id: BundleId): string {
  return `${id.os}/${id.channel}/arch_${id.arch}`;
}

/** How people see a bundle in tables, progress rows and messages: linux/production/x86_64. */
export function bundleLabel(id: BundleId): string {
  return `${id.os}/${id.channel}/${id.arch}`;
}

export function matchesFilter(id: BundleId, filter: Partial<BundleId>): boolean {
  return (
    (filter.os === undefined || filter.os === id.os) &&
    (filter.channel === undefined || filter.channel === id.channel) &&
    (filter.arch === undefined || filter.arch === id.arch)
  );
}

const alternatives = (names: readonly string[]): string => `(?:${names.join('|')})`;

/** Regex sources for each path segment, built from the lists above (none of them holds a regex metacharacter). */
export const SEGMENT_PATTERN = {
  os: alternatives(OSES),
  channel: alternatives(CHANNELS),
  arch: alternatives(ARCHES),
} as const;

/** A location (URL or path, "/" or "\\" separated) that ends at "<os>/<channel>", with or without a trailing separator. */
const TREE_AT_END = new RegExp(`(?:^|[\\\\/])(${SEGMENT_PATTERN.os})[\\\\/](${SEGMENT_PATTERN.channel})([\\\\/]?)$`);

/** The (os, channel) an endpoint location names, and whether it ends with a separator. */
export function treeAtEnd(location: string): (Pick<BundleId, 'os' | 'channel'> & { readonly trailingSeparator: boolean }) | undefined {
  const m = TREE_AT_END.exec(location);
  return m ? { os: m[1] as Os, channel: m[2] as Channel, trailingSeparator: m[3] !== '' } : undefined;
}

/** Where a location wrongly goes down to an arch folder (endpoints append arch_<arch>/ themselves). */
export const archSegmentIn = (location: string): RegExpExecArray | null => /[\\/]arch_[^\\/]*[\\/]?.*$/.exec(location);

const LABEL = new RegExp(`^(${SEGMENT_PATTERN.os})/(${SEGMENT_PATTERN.channel})/(?:arch_)?(${SEGMENT_PATTERN.arch})$`);

/** A bundle as a person names it on the command line ("linux/production/x86_64", or with "arch_" as in the tree). */
export function parseBundleLabel(label: string): BundleId | undefined {
  const m = LABEL.exec(label.trim());
  return m ? { os: m[1] as Os, channel: m[2] as Channel, arch: m[3] as Arch } : undefined;
}
