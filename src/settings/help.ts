// What each setting means, for the generated reference (docs/reference/settings.md) and the JSON Schema an editor
// reads. Typed against the schema, so a new setting without a line here does not compile. `default` is given only
// where the loader fills one in at run time (it depends on the OS or the account); the others come from the schema.
import type { settingsSchema, timeoutsSchema } from './schema.js';

export interface SettingHelp {
  readonly meaning: string;
  readonly default?: string;
}

export const SETTING_HELP = {
  downloadFolder: {
    meaning: 'the tree endpoints pull from; never `/`, a drive root, or a system folder (`/etc`, `/usr`, `C:\\Windows`…)',
    default: '`$HOME/wdav-update` (`init` as root: `/var/lib/mdatp-mirror/wdav-update`)',
  },
  downloadLinuxUpdates: { meaning: 'mirror Linux bundles' },
  downloadMacUpdates: { meaning: 'mirror macOS bundles' },
  downloadPreviewUpdates: { meaning: 'also mirror the preview channel (production is always mirrored)' },
  backupPreviousUpdates: { meaning: 'keep the previous set in `<channel>_back/` (n-1)' },
  logFilePath: {
    meaning: 'JSON-lines log; never the settings file itself, nor inside the served tree',
    default: '`/tmp/mdatp_offline_updates.log` (Windows: `%TEMP%\\mdatp_offline_updates.log`)',
  },
  baseUpdateUrl: { meaning: 'the upstream redirector; `--base-url` overrides it' },
  architectures: { meaning: 'which architectures to mirror' },
  concurrency: { meaning: 'bundles downloaded at once (1 = one after another)' },
  connectionsPerBundle: { meaning: 'connections one bundle of 16 MB or more is fetched over, as Range requests (as `aria2c -x`)' },
  retries: { meaning: 'attempts per request, the first included' },
  retryInitialDelay: { meaning: 'first backoff; doubles each attempt, with full jitter' },
  retryMaxDelay: { meaning: "cap on the backoff and on a server's `Retry-After`" },
  timeouts: { meaning: 'the upstream timeouts, each below (`timeouts.connect`, …)' },
  proxy: {
    meaning: 'proxy for all upstream traffic; credentials in it never appear in logs or output',
    default: 'none (`HTTPS_PROXY`, `HTTP_PROXY` and `NO_PROXY` are honoured)',
  },
  caFile: { meaning: 'extra CA certificates (PEM), for TLS-inspecting corporate proxies' },
  allowInsecureUpstream: { meaning: 'allow a plain `http://` upstream on a non-loopback host' },
  logMaxBytes: { meaning: 'rotate the log when it reaches this size' },
  logFiles: { meaning: 'log files kept in all (`log`, `log.1` … )' },
  lockStaleAfter: { meaning: 'a lock held on another host (an NFS share) older than this is taken over; a live run on this host never is' },
  minFreeSpace: { meaning: "free space to keep beyond a bundle's size: a bundle that would not fit fails before downloading" },
  maxBundleSize: { meaning: 'the largest bundle accepted; a longer body is cut' },
  maxUnpackedSize: { meaning: 'the most a bundle may unpack to; bounds the zip check against zip bombs' },
  keepVersions: { meaning: 'previous versions kept; above 1, older ones go to `.mdatp-mirror/history/`' },
  rollout: { meaning: '`immediate`, `manual`, or `{ "mode": "delayed", "delay": "24h" }`: stage new bundles before endpoints see them' },
  signingKey: { meaning: 'minisign secret key (unencrypted: `mdatp-mirror keygen`) that signs `index.json` and exports' },
  trustedKeys: { meaning: 'minisign public keys whose signatures `import` and `upstreamMirror` accept' },
  upstreamMirror: { meaning: 'another mdatp-mirror tree (URL or folder) to download from instead, verified by its signed index' },
  mirrorName: { meaning: 'the name this mirror writes into its signed index', default: 'the host name' },
  metricsFile: {
    meaning:
      "a `*.prom` file every download, import, promote, rollback and publish rewrites (temp + rename) with the bundle and run metrics, for node_exporter's textfile collector",
    default: 'none',
  },
  publish: { meaning: 'object-storage replicas (S3, S3-compatible, Azure Blob) published after every change; no secrets here' },
} satisfies Record<keyof typeof settingsSchema.shape, SettingHelp>;

export const TIMEOUT_HELP = {
  connect: { meaning: 'TCP + TLS connect' },
  headers: { meaning: 'waiting for response headers' },
  bodyIdle: { meaning: 'longest silence in the middle of a body' },
  lowSpeedLimit: {
    meaning: 'with `lowSpeedTime`: an attempt slower than this many bytes per second over that long is cut and retried (0 turns it off)',
  },
  lowSpeedTime: { meaning: 'the window `lowSpeedLimit` is measured over' },
} satisfies Record<keyof typeof timeoutsSchema.shape, SettingHelp>;
