// The unit of work: one bundle per (os, channel, arch), and the plan of bundles a settings file selects.

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

export interface PlanOptions {
  readonly linux: boolean;
  readonly mac: boolean;
  readonly preview: boolean;
  readonly architectures: readonly Arch[];
}

/** Production is always mirrored; preview only when asked for (as the old scripts did). */
export function planBundles(opts: PlanOptions): BundleId[] {
  const oses = OSES.filter((os) => (os === 'linux' ? opts.linux : opts.mac));
  const channels: Channel[] = opts.preview ? ['production', 'preview'] : ['production'];
  const plan: BundleId[] = [];
  for (const os of oses) for (const channel of channels) for (const arch of opts.architectures) plan.push({ os, channel, arch });
  return plan;
}

/** The path of a bundle's folder relative to a tree root, as endpoints address it. */
export function bundleKey(id: BundleId): string {
  return `${id.os}/${id.channel}/arch_${id.arch}`;
}

/** How people see a bundle in tables and messages. */
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
