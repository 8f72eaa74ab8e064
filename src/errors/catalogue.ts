// One catalogue of the tool's errors: each has a stable code, a message that names the fix, and an exit code.

/** Exit codes are part of the interface: scripts and monitoring depend on them. Documented in docs/reference/errors.md (generated from this file). */
export const ExitCode = {
  ok: 0,
  /** download: at least one bundle failed; the others went on, and failed ones still serve their previous pair. */
  bundleFailed: 1,
  /** status, verify, lint: the check ran and found problems. */
  problemsFound: 1,
  /** promote, rollback: the request was refused (or not possible), and nothing was changed for it. */
  refused: 1,
  /** An error the tool did not expect: a bug, reported with what to send (EX_SOFTWARE, as sysexits.h has it). */
  unexpected: 70,
  usage: 2,
  locked: 3,
  /** status --check-upstream: the upstream could not be asked, and nothing else is wrong (Nagios UNKNOWN). */
  unknown: 3,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

interface ErrorEntry {
  /** The exit code when the place that raises it gives none (a few codes exit differently where noted). */
  readonly exitCode: ExitCodeValue;
  /** What happened, in one line, for the reference (docs/reference/errors.md) and a person reading a log. */
  readonly cause: string;
  /** What to do about it, in one line. */
  readonly fix: string;
}

/**
 * Every error code the tool prints, with its exit code, cause and fix: the generated reference reads this table, so a
 * code seen in a log (`"code":"UPSTREAM_TLS"`) finds its page. A new code is one row here.
 */
export const ERROR_CODES = {
  SETTINGS_NOT_FOUND: {
    exitCode: ExitCode.usage,
    cause: 'The settings file named by --settings, $MDATP_MIRROR_SETTINGS or ./settings.json does not exist.',
    fix: 'Run `mdatp-mirror init` to write one, or point --settings at the file.',
  },
  SETTINGS_UNREADABLE: {
    exitCode: ExitCode.usage,
    cause: 'The settings file exists but cannot be read (permissions, a folder in its place, too large to be settings).',
    fix: 'Check the path and its permissions for the user the job runs as.',
  },
  SETTINGS_INVALID_JSON: {
    exitCode: ExitCode.usage,
    cause: 'The settings file is not valid JSON; the message gives the line and column.',
    fix: 'Correct the syntax at the position shown (`mdatp-mirror check` shows every problem at once).',
  },
  SETTINGS_INVALID: {
    exitCode: ExitCode.usage,
    cause: 'A setting has the wrong type, an unknown name, a value out of bounds or a path that cannot work.',
    fix: 'Correct the field the message names; see docs/reference/settings.md for types, defaults and bounds.',
  },
  USAGE: {
    exitCode: ExitCode.usage,
    cause: 'The command line is wrong: an unknown option, a missing value, or options that exclude each other.',
    fix: 'Run the command with --help; the message names the option.',
  },
  UPSTREAM_HTTP_STATUS: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The upstream (or upstreamMirror) answered with an HTTP error status or a reply that does not fit the request.',
    fix: '5xx and 429 are retried; a 403/404 usually means a wrong baseUrl or upstreamMirror, or a proxy refusing the request.',
  },
  UPSTREAM_REDIRECTS: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The upstream redirected too often, without a Location, or to a scheme other than http/https.',
    fix: 'Check baseUrl; a captive portal or proxy rewriting the redirect shows up here.',
  },
  UPSTREAM_NETWORK: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The connection failed: name resolution, refused, reset or unreachable.',
    fix: 'Check that this machine reaches the host (DNS, firewall); set proxy if it must go through one.',
  },
  UPSTREAM_TIMEOUT: {
    exitCode: ExitCode.bundleFailed,
    cause: 'No answer or no bytes within the configured timeouts.',
    fix: 'Check the network path; raise the timeouts in settings.json (timeouts.*) for a slow link.',
  },
  UPSTREAM_TOO_SLOW: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The transfer went on but slower than the minimum speed allowed for too long.',
    fix: 'Check the link; lower timeouts.lowSpeedLimit (or raise timeouts.lowSpeedTime) for a slow line.',
  },
  UPSTREAM_PROXY: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The proxy refused the connection or the proxy setting cannot be used.',
    fix: 'Check the proxy setting (or https_proxy) and that the proxy allows the upstream host.',
  },
  UPSTREAM_TLS: {
    exitCode: ExitCode.bundleFailed,
    cause:
      'The TLS handshake failed: an unknown certificate authority (often a TLS-inspecting proxy), a wrong host name or an expired certificate.',
    fix: "Give the inspecting proxy's CA certificate in caFile; never turn verification off.",
  },
  BUNDLE_TOO_LARGE: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The upstream announced or sent more bytes than a bundle may have.',
    fix: 'Usually a wrong URL serving something else; check baseUrl or upstreamMirror.',
  },
  VERSION_DOCUMENT_INVALID: {
    exitCode: ExitCode.bundleFailed,
    cause: "The version information (action=info XML, or a mirror's manifest.json) could not be read as one.",
    fix: 'Retried; if it persists the URL serves something else (a proxy error page): check baseUrl.',
  },
  VERSION_DOCUMENT_REFUSED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The version information parsed but names versions that cannot be right (missing, malformed).',
    fix: 'Nothing is published; check the upstream; report it if the official service sends it.',
  },
  VERSION_CHANGED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'A new release appeared upstream during every download attempt, so the bytes could not be tied to one version.',
    fix: 'The next run picks the new release up; nothing was published.',
  },
  BUNDLE_LENGTH_MISMATCH: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The transfer ended before (or after) the announced size: a cut connection or a proxy truncating.',
    fix: 'Retried and resumed; if it persists, check proxies with size limits.',
  },
  BUNDLE_NOT_ZIP: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The bytes are not a complete, well-formed zip archive (an error page, a truncated or damaged file).',
    fix: 'Retried; nothing was published and the previous pair is still served.',
  },
  BUNDLE_CRC_MISMATCH: {
    exitCode: ExitCode.bundleFailed,
    cause: 'A file inside the bundle does not match its CRC-32: the bytes were corrupted on the way.',
    fix: 'Retried; nothing was published. Persistent corruption points at a proxy or bad memory/disk.',
  },
  DISK_FULL: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The volume of downloadFolder ran out of space, or free space fell below minFreeSpace.',
    fix: 'Free space, or move downloadFolder to a larger volume; lower keepVersions to keep fewer old pairs.',
  },
  LISTEN_FAILED: {
    exitCode: ExitCode.usage,
    cause:
      'serve or simulate-upstream cannot listen: the port is in use, privileged (below 1024) for this user, or the address is not on this machine.',
    fix: 'The message names the port and the way out: another --port, --port 0 for a free one, or the capability to bind low ports.',
  },
  LOCAL_FILE: {
    exitCode: ExitCode.bundleFailed,
    cause: 'A file or folder the tool needs could not be used: permissions, a file where a folder belongs, a read-only volume.',
    fix: 'The message names the path and what is wrong; fix its ownership or type (the exit code is 2 where a setting names the path).',
  },
  LOCK_HELD: {
    exitCode: ExitCode.locked,
    cause: 'Another run holds the lock on this download folder.',
    fix: 'Wait for it (or use --wait); a lock left by a dead process is taken over automatically.',
  },
  INTERRUPTED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The run was stopped by SIGINT or SIGTERM (exit 130 or 143) before it finished.',
    fix: 'Nothing partial was published; run again.',
  },
  PUBLISH_FAILED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'A verified bundle could not be renamed into the served tree.',
    fix: 'See the message for the path; on Windows another program (antivirus, indexer) may hold the file open.',
  },
  KEY_INVALID: {
    exitCode: ExitCode.usage,
    cause: 'signingKey or a trustedKeys file is not a minisign key this tool can use (encrypted, wrong format).',
    fix: 'Make a key with `mdatp-mirror keygen`, or `minisign -G -W` (no password).',
  },
  KEY_EXISTS: {
    exitCode: ExitCode.usage,
    cause: 'keygen would overwrite an existing key.',
    fix: 'Choose another --out folder, or move the old key away first.',
  },
  INDEX_INVALID: {
    exitCode: ExitCode.bundleFailed,
    cause: 'A signed index (index.json) is malformed, too large, or does not describe the files beside it.',
    fix: 'On the serving side run `mdatp-mirror verify`; a download with signingKey rewrites it.',
  },
  SIGNATURE_INVALID: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The minisign signature does not verify with any trusted key, or is missing.',
    fix: "Check that trustedKeys holds the sender's public key and that the files were not changed on the way.",
  },
  ARCHIVE_INVALID: {
    exitCode: ExitCode.bundleFailed,
    cause: 'An export archive is not one this tool wrote, or its contents disagree with its signed index.',
    fix: 'Export again on the connected side and carry the file unchanged.',
  },
  ARCHIVE_TRUNCATED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The export archive ends early: a copy that did not finish.',
    fix: "Copy the archive again and compare its SHA-256 with the sender's.",
  },
  BUNDLE_NOT_VOUCHED: {
    exitCode: ExitCode.bundleFailed,
    cause: "With trustedKeys set, the upstream mirror's signed index does not list this bundle with its size and SHA-256.",
    fix: 'Let the upstream mirror finish its run (it signs after publishing), or check that it signs with the trusted key.',
  },
  EXPORT_FAILED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'The export could not be written or the pair changed while it was read.',
    fix: 'Run again after the download finishes; check space at the export path.',
  },
  REPLICA_FAILED: {
    exitCode: ExitCode.bundleFailed,
    cause: 'Copying to a publish target (object storage) failed: credentials, permissions, the network, or the bucket.',
    fix: 'The message names the target and the cause; the folder is unaffected and the next run replicates again.',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class MirrorError extends Error {
  readonly code: ErrorCode;
  readonly exitCode: ExitCodeValue;
  /** Whether trying the same request again may succeed (network faults, 5xx, a release in between). */
  readonly retryable: boolean;
  /** How long the server asked us to wait (Retry-After), in milliseconds, when it did. */
  readonly retryAfterMs: number | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { exitCode?: ExitCodeValue; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'MirrorError';
    this.code = code;
    this.exitCode = opts.exitCode ?? ERROR_CODES[code].exitCode;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export const settingsError = (code: ErrorCode, message: string): MirrorError =>
  new MirrorError(code, message, { exitCode: ExitCode.usage });

export const usageError = (message: string): MirrorError => new MirrorError('USAGE', message, { exitCode: ExitCode.usage });

/** The machine refused the address or port (in use, privileged): the environment, named with the fix, exit 2. */
export const listenError = (message: string): MirrorError => new MirrorError('LISTEN_FAILED', message, { exitCode: ExitCode.usage });

export function isMirrorError(e: unknown): e is MirrorError {
  return e instanceof MirrorError;
}

/** A short, single-line description of any thrown value, for summaries and logs. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
