// How big a bundle may be, downloaded and unpacked: Defender's bundles are hundreds of MB, so these defaults leave room
// for growth while a hostile or broken upstream (an endless body, a zip bomb) fails in seconds instead of filling the
// disk or holding the lock for many minutes. Both are settings (maxBundleSize, maxUnpackedSize).
import { parseSize } from '../util/size.js';

export const DEFAULT_MAX_BUNDLE_SIZE = '1GB';
export const DEFAULT_MAX_UNPACKED_SIZE = '1.5GB';

/** The same default in bytes, for commands that run without a settings file (verify). */
export const DEFAULT_MAX_UNPACKED_BYTES = parseSize(DEFAULT_MAX_UNPACKED_SIZE)!;

/** The bounds one bundle's transfer and verification run under, from settings. */
export interface BundleLimits {
  /** Free space to leave on the download folder's volume, before and during the write (minFreeSpace). */
  readonly minFreeBytes: number;
  readonly maxBundleBytes: number;
  readonly maxUnpackedBytes: number;
  /** An attempt receiving fewer than lowSpeedBytesPerSec over lowSpeedMs is cut, then retried and resumed. */
  readonly lowSpeedBytesPerSec: number;
  readonly lowSpeedMs: number;
}

export const bundleLimitsFrom = (s: {
  readonly minFreeSpace: number;
  readonly maxBundleSize: number;
  readonly maxUnpackedSize: number;
  readonly timeouts: { readonly lowSpeedLimit: number; readonly lowSpeedTime: number };
}): BundleLimits => ({
  minFreeBytes: s.minFreeSpace,
  maxBundleBytes: s.maxBundleSize,
  maxUnpackedBytes: s.maxUnpackedSize,
  lowSpeedBytesPerSec: s.timeouts.lowSpeedLimit,
  lowSpeedMs: s.timeouts.lowSpeedTime,
});
