// One catalogue of the tool's errors: each has a stable code, a message that names the fix, and an exit code.

/** Exit codes are part of the interface: scripts and monitoring depend on them. Documented in README. */
export const ExitCode = {
  ok: 0,
  /** download: at least one bundle failed; the others went on, and failed ones still serve their previous pair. */
  bundleFailed: 1,
  /** status, verify, lint: the check ran and found problems. */
  problemsFound: 1,
  /** promote, rollback: the request was refused (or not possible), and nothing was changed for it. */
  refused: 1,
  /** An error the tool did not expect: a bug, reported with what to send. */
  unexpected: 1,
  usage: 2,
  locked: 3,
  /** status --check-upstream: the upstream could not be asked, and nothing else is wrong (Nagios UNKNOWN). */
  unknown: 3,
  interrupted: 130,
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type ErrorCode =
  | 'SETTINGS_NOT_FOUND'
  | 'SETTINGS_UNREADABLE'
  | 'SETTINGS_INVALID_JSON'
  | 'SETTINGS_INVALID'
  | 'USAGE'
  | 'UPSTREAM_HTTP_STATUS'
  | 'UPSTREAM_REDIRECTS'
  | 'UPSTREAM_NETWORK'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_TOO_SLOW'
  | 'UPSTREAM_PROXY'
  | 'UPSTREAM_TLS'
  | 'BUNDLE_TOO_LARGE'
  | 'VERSION_DOCUMENT_INVALID'
  | 'VERSION_DOCUMENT_REFUSED'
  | 'VERSION_CHANGED'
  | 'BUNDLE_LENGTH_MISMATCH'
  | 'BUNDLE_NOT_ZIP'
  | 'BUNDLE_CRC_MISMATCH'
  | 'DISK_FULL'
  | 'LOCAL_FILE'
  | 'LOCK_HELD'
  | 'INTERRUPTED'
  | 'PUBLISH_FAILED'
  | 'KEY_INVALID'
  | 'KEY_EXISTS'
  | 'INDEX_INVALID'
  | 'SIGNATURE_INVALID'
  | 'ARCHIVE_INVALID'
  | 'ARCHIVE_TRUNCATED'
  | 'BUNDLE_NOT_VOUCHED'
  | 'EXPORT_FAILED'
  | 'REPLICA_FAILED';

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
    this.exitCode = opts.exitCode ?? ExitCode.bundleFailed;
    this.retryable = opts.retryable ?? false;
    this.retryAfterMs = opts.retryAfterMs;
  }
}

export const settingsError = (code: ErrorCode, message: string): MirrorError =>
  new MirrorError(code, message, { exitCode: ExitCode.usage });

export const usageError = (message: string): MirrorError => new MirrorError('USAGE', message, { exitCode: ExitCode.usage });

export function isMirrorError(e: unknown): e is MirrorError {
  return e instanceof MirrorError;
}

/** A short, single-line description of any thrown value, for summaries and logs. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
