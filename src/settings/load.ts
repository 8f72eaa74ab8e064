// The one settings resolver every command uses. Precedence: defaults < settings file < environment < flags.
import { findDuplicateKeys } from './duplicate-keys.js';
import { dangerousFolderReason, logPathConflict } from './dangerous-paths.js';
import { homedir, hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { settingsError } from '../errors/catalogue.js';
import { DEFAULT_SETTINGS_FILE, SETTINGS_ENV, defaultDownloadFolder, defaultLogFilePath } from './defaults.js';
import { formatIssue } from './format-issues.js';
import { checkDownloadFolder, type FolderUse } from './check-paths.js';
import { targetKeys } from './publish-targets.js';
import { KNOWN_KEYS, settingsSchema, timeoutsSchema, type SettingsFile } from './schema.js';
import { isLoopbackHost } from '../util/loopback.js';
import { hasUrlScheme, isHttpUrl, isWindowsPath } from '../util/location.js';
import { parseJsonText } from '../util/json-text.js';
import { TextFileTooLarge, readTextFile } from '../util/text-file.js';
import { formatBytes } from '../util/bytes.js';

export type Settings = Omit<
  SettingsFile,
  'downloadFolder' | 'logFilePath' | 'caFile' | 'signingKey' | 'trustedKeys' | 'upstreamMirror' | 'mirrorName' | 'metricsFile'
> & {
  /** Absolute path of the file these settings came from. */
  readonly settingsFile: string;
  readonly downloadFolder: string;
  readonly logFilePath: string;
  readonly caFile: string | undefined;
  readonly signingKey: string | undefined;
  readonly trustedKeys: readonly string[];
  /** An http(s) URL, or an absolute folder path. */
  readonly upstreamMirror: string | undefined;
  readonly mirrorName: string;
  readonly metricsFile: string | undefined;
};

export interface SettingsOverrides {
  /** --settings FILE */
  readonly settingsFile?: string | undefined;
  /** --base-url URL */
  readonly baseUrl?: string | undefined;
  /** How the command uses downloadFolder: checked (exists as a folder, writable) before anything else happens. */
  readonly folderUse?: FolderUse | undefined;
}

export interface SettingsSource {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** Which file to read, and whether the user named it (a named file that is missing is an error worth a different message). */
function locateSettingsFile(overrides: SettingsOverrides, source: SettingsSource): { path: string; named: boolean } {
  const named = overrides.settingsFile ?? source.env[SETTINGS_ENV];
  if (named) return { path: resolve(source.cwd, named), named: true };
  return { path: resolve(source.cwd, DEFAULT_SETTINGS_FILE), named: false };
}

function knownKeysAt(path: readonly PropertyKey[], raw: unknown): readonly string[] {
  if (path.length === 0) return KNOWN_KEYS;
  if (path.length === 2 && path[0] === 'publish' && typeof path[1] === 'number') {
    const targets = (raw as { publish?: unknown }).publish;
    return targetKeys(Array.isArray(targets) ? (targets[path[1]] as { type?: unknown } | undefined)?.type : undefined);
  }
  if (path.length === 1 && path[0] === 'timeouts') return Object.keys(timeoutsSchema.shape);
  if (path.length === 1 && path[0] === 'rollout') return ['mode', 'delay'];
  return [];
}

/** Where a fix message suggests putting things, as an admin on this platform would. */
const EXAMPLE_PATHS =
  process.platform === 'win32'
    ? { downloadFolder: 'C:\\ProgramData\\mdatp-mirror', logFilePath: 'C:\\ProgramData\\mdatp-mirror\\mirror.log' }
    : { downloadFolder: '/var/lib/mdatp-mirror', logFilePath: '/var/log/mdatp-mirror.log' };

/**
 * A path setting made absolute. A settings file copied from a Windows server keeps its Windows paths; elsewhere
 * "C:\\mirror" is a relative name, and the mirror would quietly go into a folder of that name beside the settings.
 */
function resolvePath(p: string, base: string, field: string, file: string): string {
  if (process.platform !== 'win32' && isWindowsPath(p)) {
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: field "${field}" ${JSON.stringify(p)} is a Windows path, and this machine runs ${process.platform === 'darwin' ? 'macOS' : 'Linux'}: write a path of this machine, such as ${EXAMPLE_PATHS.downloadFolder}.`,
    );
  }
  if (p === '~') return homedir();
  if (p.startsWith('~/') || p.startsWith('~\\')) return join(homedir(), p.slice(2));
  return isAbsolute(p) ? p : resolve(base, p);
}

/** settings.example.json with every field is ~3 KB; anything near this is another file given by mistake. */
const MAX_SETTINGS_BYTES = 1024 * 1024;

export async function loadSettings(overrides: SettingsOverrides, source: SettingsSource): Promise<Settings> {
  const { path: file, named } = locateSettingsFile(overrides, source);
  let text: string;
  try {
    text = await readTextFile(file, MAX_SETTINGS_BYTES);
  } catch (e) {
    if (e instanceof TextFileTooLarge) {
      throw settingsError(
        'SETTINGS_UNREADABLE',
        `settings file ${file} is ${formatBytes(e.size)}: a settings file is a few KB of JSON, so this is another file (a bundle, a log?). Point ${named ? `--settings (or ${SETTINGS_ENV})` : 'the tool'} at settings.json.`,
      );
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw settingsError(
        'SETTINGS_NOT_FOUND',
        named
          ? `settings file ${file} does not exist. Fix the path given with --settings or ${SETTINGS_ENV}.`
          : `no settings file at ${file}. Copy settings.example.json to settings.json, or pass --settings FILE (or set ${SETTINGS_ENV}).`,
      );
    }
    if (code === 'EISDIR') {
      throw settingsError(
        'SETTINGS_UNREADABLE',
        `settings file ${file} is a folder: point ${named ? `--settings (or ${SETTINGS_ENV})` : 'the tool'} at the settings.json inside it, e.g. --settings ${join(file, 'settings.json')}.`,
      );
    }
    throw settingsError('SETTINGS_UNREADABLE', `cannot read settings file ${file}: ${(e as Error).message}. Check its permissions.`);
  }
  let raw: unknown;
  try {
    raw = parseJsonText(text, file);
  } catch (e) {
    throw settingsError('SETTINGS_INVALID_JSON', (e as Error).message);
  }
  const duplicates = findDuplicateKeys(text);
  if (duplicates.length > 0) {
    const where = duplicates.map((d) => `"${d.key}" again at ${file}:${d.line}:${d.column}`).join('; ');
    throw settingsError('SETTINGS_INVALID', `${file}: a field is given twice (only the last would count): ${where}. Keep one.`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw settingsError('SETTINGS_INVALID', `${file}: the settings must be a JSON object { ... }.`);
  }

  const parsed = settingsSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) {
    const lines = parsed.error.issues.flatMap((i) => formatIssue(i, (path) => knownKeysAt(path, raw)));
    throw settingsError('SETTINGS_INVALID', `${file}: ${lines.length === 1 ? lines[0] : `\n  - ${lines.join('\n  - ')}`}`);
  }
  const s = parsed.data;

  if (!s.downloadLinuxUpdates && !s.downloadMacUpdates) {
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: nothing to mirror: set "downloadLinuxUpdates" or "downloadMacUpdates" (or both) to true.`,
    );
  }

  let baseUpdateUrl = s.baseUpdateUrl;
  if (overrides.baseUrl !== undefined) {
    const check = settingsSchema.shape.baseUpdateUrl.safeParse(overrides.baseUrl);
    if (!check.success) throw settingsError('USAGE', `--base-url ${overrides.baseUrl}: must be an http:// or https:// URL.`);
    baseUpdateUrl = check.data;
  }
  const baseUrl = new URL(baseUpdateUrl);
  if (baseUrl.protocol === 'http:' && !isLoopbackHost(baseUrl.hostname) && !s.allowInsecureUpstream) {
    if (overrides.baseUrl !== undefined) {
      throw settingsError(
        'USAGE',
        `--base-url ${overrides.baseUrl} is plain http:// to ${baseUrl.host}; bundles would travel unencrypted. Use https://, or set "allowInsecureUpstream": true in ${file} if this is deliberate.`,
      );
    }
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: field "baseUpdateUrl" is plain http:// to ${baseUrl.host}; bundles would travel unencrypted. Use https://, or set "allowInsecureUpstream": true if this is deliberate.`,
    );
  }

  const base = dirname(file);
  const downloadFolder = resolvePath(s.downloadFolder ?? defaultDownloadFolder(), base, 'downloadFolder', file);
  const logFilePath = resolvePath(s.logFilePath ?? defaultLogFilePath(), base, 'logFilePath', file);
  const dangerous = dangerousFolderReason(downloadFolder);
  if (dangerous) {
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: field "downloadFolder" ${downloadFolder} ${dangerous}. Choose a folder of its own, for example ${EXAMPLE_PATHS.downloadFolder}.`,
    );
  }
  const logConflict = logPathConflict(logFilePath, file, downloadFolder);
  if (logConflict) {
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: field "logFilePath" ${logFilePath} ${logConflict}. Choose a file of its own, for example ${EXAMPLE_PATHS.logFilePath}.`,
    );
  }
  if (overrides.folderUse) await checkDownloadFolder(downloadFolder, overrides.folderUse);
  return {
    ...s,
    baseUpdateUrl,
    settingsFile: file,
    downloadFolder,
    logFilePath,
    caFile: s.caFile === undefined ? undefined : resolvePath(s.caFile, base, 'caFile', file),
    signingKey: s.signingKey === undefined ? undefined : resolvePath(s.signingKey, base, 'signingKey', file),
    trustedKeys: (s.trustedKeys ?? []).map((k, i) => resolvePath(k, base, `trustedKeys[${i}]`, file)),
    upstreamMirror: upstreamMirrorFrom(s.upstreamMirror, s.trustedKeys, file, base),
    mirrorName: s.mirrorName ?? hostname(),
    metricsFile: s.metricsFile === undefined ? undefined : resolvePath(s.metricsFile, base, 'metricsFile', file),
  };
}

/** A mirror fed from a mirror trusts only what a trusted key signed: without trustedKeys there is nothing to check. */
function upstreamMirrorFrom(
  value: string | undefined,
  trustedKeys: readonly string[] | undefined,
  file: string,
  base: string,
): string | undefined {
  if (value === undefined) return undefined;
  if (!trustedKeys || trustedKeys.length === 0) {
    throw settingsError(
      'SETTINGS_INVALID',
      `${file}: field "upstreamMirror" needs "trustedKeys": the public key(s) of the mirror it copies, e.g. "trustedKeys": ["/etc/mdatp-mirror/central.pub"]; a downstream publishes only what that mirror signed.`,
    );
  }
  if (hasUrlScheme(value)) {
    if (!isHttpUrl(value))
      throw settingsError('SETTINGS_INVALID', `${file}: field "upstreamMirror" ${value} must be an http:// or https:// URL, or a folder`);
    return value.replace(/\/+$/, '');
  }
  return resolvePath(value, base, 'upstreamMirror', file);
}
