// The settings.json schema: the old scripts' six fields unchanged, plus additive optional fields.
import { z } from 'zod';
import { ARCHES } from '../bundle/identity.js';
import { DEFAULT_MAX_BUNDLE_SIZE, DEFAULT_MAX_UNPACKED_SIZE } from '../bundle/limits.js';
import { parseDuration } from '../util/duration.js';
import { parseSize } from '../util/size.js';
import { OFFICIAL_BASE_URL } from './defaults.js';
import { publishSchema } from './publish-targets.js';

/**
 * A duration bounded to a sane range: 0s would disable a timeout (a stall then hangs for ever), and an absurd value
 * ("99999999d") overflows Node's timers. Every duration setting says its range.
 */
const duration = (fallback: string, min: string, max: string) => {
  const [lo, hi] = [parseDuration(min)!, parseDuration(max)!];
  return z
    .string()
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration; write it like 90s, 30m, 4h or 2d` });
        return z.NEVER;
      }
      if (ms < lo || ms > hi) {
        ctx.addIssue({ code: 'custom', message: `"${text}" is outside the allowed range ${min} to ${max}` });
        return z.NEVER;
      }
      return ms;
    })
    .prefault(fallback);
};

const byteSize = (fallback: string) =>
  z
    .union([z.int().min(0), z.string()])
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : parseSize(v);
      if (n === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${String(v)}" is not a size; write it like 64MB, 2GB or a number of bytes` });
        return z.NEVER;
      }
      return n;
    })
    .prefault(fallback);

/** A path as written in settings: not blank, and no NUL (which the OS would cut the path at). */
const pathSetting = z
  .string()
  .refine((p) => p.trim() !== '', { message: 'is blank: give a path' })
  .refine((p) => !p.includes('\0'), { message: 'contains a NUL character' });

const httpUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  },
  { message: 'must be an http:// or https:// URL' },
);

const rolloutSchema = z
  .discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('immediate') }),
    z.strictObject({ mode: z.literal('manual') }),
    z.strictObject({ mode: z.literal('delayed'), delay: duration('24h', '1m', '90d') }),
  ])
  .prefault({ mode: 'immediate' });

export const timeoutsSchema = z.strictObject({
  connect: duration('30s', '100ms', '10m'),
  headers: duration('60s', '100ms', '1h'),
  bodyIdle: duration('2m', '100ms', '1h'),
  /** As curl's --speed-limit/--speed-time: an attempt slower than lowSpeedLimit bytes/s for lowSpeedTime is cut. */
  lowSpeedLimit: byteSize('1KB'),
  lowSpeedTime: duration('60s', '1s', '1h'),
});

/** Optional fields are absent in the official file; `undefined` defaults are filled in by the loader. */
export const settingsSchema = z.strictObject({
  downloadFolder: pathSetting.optional(),
  downloadLinuxUpdates: z.boolean().default(false),
  downloadMacUpdates: z.boolean().default(false),
  downloadPreviewUpdates: z.boolean().default(false),
  backupPreviousUpdates: z.boolean().default(false),
  logFilePath: pathSetting.optional(),

  baseUpdateUrl: httpUrl.default(OFFICIAL_BASE_URL),
  architectures: z
    .array(z.enum(ARCHES))
    .min(1)
    .refine((a) => new Set(a).size === a.length, { message: 'lists an architecture twice' })
    .default([...ARCHES]),
  concurrency: z.int().min(1).max(16).default(4),
  // aria2c's --split: a large bundle over this many ranges at once, where the server accepts ranges (bench/).
  connectionsPerBundle: z.int().min(1).max(8).default(2),
  retries: z.int().min(1).max(20).default(4),
  retryInitialDelay: duration('1s', '1ms', '10m'),
  retryMaxDelay: duration('2m', '1ms', '1d'),
  timeouts: timeoutsSchema.prefault({}),
  proxy: httpUrl.optional(),
  caFile: z.string().min(1).optional(),
  allowInsecureUpstream: z.boolean().default(false),
  logMaxBytes: z
    .int()
    .min(10_000)
    .default(10 * 1024 * 1024),
  logFiles: z.int().min(1).max(100).default(5),
  // Below minutes, a second run could take over a live run's lock while it is still working.
  lockStaleAfter: duration('6h', '5m', '7d'),
  minFreeSpace: byteSize('64MB'),
  maxBundleSize: byteSize(DEFAULT_MAX_BUNDLE_SIZE),
  maxUnpackedSize: byteSize(DEFAULT_MAX_UNPACKED_SIZE),
  keepVersions: z.int().min(1).max(50).default(1),
  rollout: rolloutSchema,
  /** Secret key (minisign format, unencrypted) that signs the tree's index.json and exported archives. */
  signingKey: pathSetting.optional(),
  /** Public keys (minisign format) whose signatures import and upstreamMirror accept. */
  trustedKeys: z.array(pathSetting).min(1).optional(),
  /** Another mdatp-mirror tree (http(s) URL or folder) to download from instead of Microsoft's service. */
  upstreamMirror: pathSetting.optional(),
  /** The name this mirror puts in its signed index (default: the host name). */
  mirrorName: z
    .string()
    .min(1)
    .max(100)
    .refine((n) => !/[\r\n\t]/.test(n), { message: 'must be one line' })
    .optional(),
  /** Object-storage replicas of the served tree, each published after every change (and by `publish`). */
  publish: publishSchema,
});

export type SettingsFile = z.output<typeof settingsSchema>;
export const KNOWN_KEYS: readonly string[] = Object.keys(settingsSchema.shape);
