// The settings.json schema: the old scripts' six fields unchanged, plus additive optional fields.
import * as z from 'zod/mini';
import '../util/zod-english.js';
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
  const checked = z.string().check(
    z.refine((text) => parseDuration(text) !== undefined, {
      error: (issue) => `"${String(issue.input)}" is not a duration; write it like 90s, 30m, 4h or 2d`,
      abort: true,
    }),
    z.refine(
      (text) => {
        const ms = parseDuration(text)!;
        return ms >= lo && ms <= hi;
      },
      { error: (issue) => `"${String(issue.input)}" is outside the allowed range ${min} to ${max}` },
    ),
  );
  // The range also goes into the generated settings reference and JSON Schema.
  return z
    .prefault(
      z.pipe(
        checked,
        z.transform((text: string) => parseDuration(text)!),
      ),
      fallback,
    )
    .check(z.meta({ 'x-duration-range': [min, max] }));
};

const byteSize = (fallback: string) =>
  z
    .prefault(
      z.pipe(
        z.union([z.int().check(z.minimum(0)), z.string()]).check(
          z.refine((v) => typeof v === 'number' || parseSize(v) !== undefined, {
            error: (issue) => `"${String(issue.input)}" is not a size; write it like 64MB, 2GB or a number of bytes`,
          }),
        ),
        z.transform((v: number | string) => (typeof v === 'number' ? v : parseSize(v)!)),
      ),
      fallback,
    )
    .check(z.meta({ 'x-size': true }));

/** A path as written in settings: not blank, and no NUL (which the OS would cut the path at). */
const pathSetting = z.string().check(
  z.refine((p) => p.trim() !== '', { message: 'is blank: give a path' }),
  z.refine((p) => !p.includes('\0'), { message: 'contains a NUL character' }),
);

const httpUrl = z.string().check(
  z.refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'must be an http:// or https:// URL' },
  ),
);

const rolloutSchema = z.prefault(
  z.discriminatedUnion('mode', [
    z.strictObject({ mode: z.literal('immediate') }),
    z.strictObject({ mode: z.literal('manual') }),
    z.strictObject({ mode: z.literal('delayed'), delay: duration('24h', '1m', '90d') }),
  ]),
  { mode: 'immediate' },
);

const wholeNumber = (min: number, max: number, fallback: number) => z._default(z.int().check(z.minimum(min), z.maximum(max)), fallback);

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
  downloadFolder: z.optional(pathSetting),
  downloadLinuxUpdates: z._default(z.boolean(), false),
  downloadMacUpdates: z._default(z.boolean(), false),
  downloadPreviewUpdates: z._default(z.boolean(), false),
  backupPreviousUpdates: z._default(z.boolean(), false),
  logFilePath: z.optional(pathSetting),

  baseUpdateUrl: z._default(httpUrl, OFFICIAL_BASE_URL),
  architectures: z._default(
    z.array(z.enum(ARCHES)).check(
      z.minLength(1),
      z.refine((a) => new Set(a).size === a.length, { message: 'lists an architecture twice' }),
    ),
    [...ARCHES],
  ),
  concurrency: wholeNumber(1, 16, 4),
  // aria2c's --split: a large bundle over this many ranges at once, where the server accepts ranges (bench/).
  connectionsPerBundle: wholeNumber(1, 8, 2),
  retries: wholeNumber(1, 20, 4),
  retryInitialDelay: duration('1s', '1ms', '10m'),
  retryMaxDelay: duration('2m', '1ms', '1d'),
  timeouts: z.prefault(timeoutsSchema, {}),
  proxy: z.optional(httpUrl),
  caFile: z.optional(z.string().check(z.minLength(1))),
  allowInsecureUpstream: z._default(z.boolean(), false),
  logMaxBytes: z._default(z.int().check(z.minimum(10_000)), 10 * 1024 * 1024),
  logFiles: wholeNumber(1, 100, 5),
  // Below minutes, a second run could take over a live run's lock while it is still working.
  lockStaleAfter: duration('6h', '5m', '7d'),
  minFreeSpace: byteSize('64MB'),
  maxBundleSize: byteSize(DEFAULT_MAX_BUNDLE_SIZE),
  maxUnpackedSize: byteSize(DEFAULT_MAX_UNPACKED_SIZE),
  keepVersions: wholeNumber(1, 50, 1),
  rollout: rolloutSchema,
  /** Secret key (minisign format, unencrypted) that signs the tree's index.json and exported archives. */
  signingKey: z.optional(pathSetting),
  /** Public keys (minisign format) whose signatures import and upstreamMirror accept. */
  trustedKeys: z.optional(z.array(pathSetting).check(z.minLength(1))),
  /** Another mdatp-mirror tree (http(s) URL or folder) to download from instead of Microsoft's service. */
  upstreamMirror: z.optional(pathSetting),
  /** The name this mirror puts in its signed index (default: the host name). */
  mirrorName: z.optional(
    z.string().check(
      z.minLength(1),
      z.maxLength(100),
      z.refine((n) => !/[\r\n\t]/.test(n), { message: 'must be one line' }),
    ),
  ),
  /** A Prometheus text file every run rewrites, for node_exporter's textfile collector (mirrors without serve). */
  metricsFile: z.optional(
    pathSetting.check(
      z.refine((p) => p.endsWith('.prom'), { message: "must end in .prom (node_exporter's textfile collector reads only those)" }),
    ),
  ),
  /** Object-storage replicas of the served tree, each published after every change (and by `publish`). */
  publish: publishSchema,
});

export type SettingsFile = z.output<typeof settingsSchema>;
export const KNOWN_KEYS: readonly string[] = Object.keys(settingsSchema.shape);
