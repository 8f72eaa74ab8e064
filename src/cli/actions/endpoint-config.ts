// `mdatp-mirror endpoint-config`: print or write the endpoint configuration; `endpoint-config lint FILE` checks one.
import { parseDuration } from '../../util/duration.js';
import { archSegmentIn } from '../../bundle/identity.js';
import { isAbsoluteLocalPath, isHttpUrl } from '../../util/location.js';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ExitCode, usageError } from '../../errors/catalogue.js';
import { DEFAULT_INTERVAL_SECONDS, managedJson, mobileconfig } from '../../endpoint/generate.js';
import { lintEndpointSettings, readEndpointDocument } from '../../endpoint/lint.js';
import { SCHEMA } from '../../endpoint/schema.js';
import { OFFLINE_UPDATES_SINCE, atLeast, isEndpointVersion } from '../../endpoint/releases.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { fileSystemError } from '../../errors/file-system.js';

/** Where Microsoft Defender on Linux reads its managed settings. */
const MANAGED_JSON_PATH = '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json';

export interface EndpointConfigOptions extends GlobalOptions {
  readonly url?: string;
  readonly os?: 'linux' | 'mac';
  readonly channel: 'production' | 'preview';
  readonly fallbackToCloud?: boolean;
  readonly interval?: string;
  readonly format?: 'json' | 'mobileconfig';
  readonly out?: string;
  readonly staging?: boolean;
  readonly endpointVersion?: string;
}

export interface EndpointLintOptions extends GlobalOptions {
  readonly os?: 'linux' | 'mac';
  readonly endpointVersion?: string;
}

function checkEndpointVersion(version: string | undefined): void {
  if (version !== undefined && !isEndpointVersion(version)) {
    throw usageError(`--endpoint-version ${version}: give the product version as mdatp version prints it, for example 101.26062.0005.`);
  }
}

/** Plain seconds ("3600") or a duration ("1h"), as every other time in the tool is written. */
function intervalSeconds(text: string): number | undefined {
  if (/^\d+$/.test(text.trim())) return Number(text.trim());
  const ms = parseDuration(text);
  return ms === undefined ? undefined : ms / 1000;
}

export async function endpointConfig(o: EndpointConfigOptions, io: CommandIo): Promise<number> {
  if (!o.url) throw usageError('--url is required: the mirror server (http://host:port) or the mounted directory endpoints read.');
  if (!o.os) throw usageError('--os is required: linux or mac.');
  if (archSegmentIn(o.url)) throw usageError(`--url ${o.url}: leave out arch_*; endpoints append arch_<arch>/updates.zip themselves.`);
  if (!isHttpUrl(o.url) && !isAbsoluteLocalPath(o.url))
    throw usageError(`--url ${o.url}: give an http(s):// URL or an absolute directory path.`);
  const { min, max } = SCHEMA.cloudService.definitionUpdatesInterval;
  const interval = o.interval === undefined ? DEFAULT_INTERVAL_SECONDS : intervalSeconds(o.interval);
  if (interval === undefined || !Number.isInteger(interval) || interval < min || interval > max) {
    throw usageError(
      `--interval ${o.interval}: endpoints accept ${min} to ${max} seconds, written as seconds or a duration like 30m or 4h (default ${DEFAULT_INTERVAL_SECONDS}, 8h).`,
    );
  }
  if (o.os === 'linux' && o.format === 'mobileconfig') {
    throw usageError('--format mobileconfig is a macOS configuration profile; for --os linux use --format json (mdatp_managed.json).');
  }
  checkEndpointVersion(o.endpointVersion);
  if (o.endpointVersion !== undefined && !atLeast(o.endpointVersion, OFFLINE_UPDATES_SINCE[o.os])) {
    throw usageError(
      `--endpoint-version ${o.endpointVersion}: ${o.os === 'linux' ? 'Linux' : 'macOS'} endpoints take offline updates from ${OFFLINE_UPDATES_SINCE[o.os]}; update them first.`,
    );
  }
  const format = o.format ?? (o.os === 'mac' ? 'mobileconfig' : 'json');
  const request = {
    base: o.url,
    os: o.os,
    channel: o.channel,
    fallbackToCloud: o.fallbackToCloud ?? false,
    intervalSeconds: interval,
    staging: Boolean(o.staging),
    endpointVersion: o.endpointVersion,
  };
  const text = format === 'json' ? managedJson(request) : mobileconfig(request);
  if (o.out) {
    await writeFile(resolve(io.cwd, o.out), text);
    const where =
      format === 'json'
        ? o.os === 'linux'
          ? MANAGED_JSON_PATH
          : 'the managed settings of your MDM'
        : 'your MDM as a custom configuration profile';
    io.stderr.write(`wrote ${resolve(io.cwd, o.out)}; deploy it to ${where}.\n`);
  } else {
    io.stdout.write(text);
  }
  return ExitCode.ok;
}

export async function endpointConfigLint(file: string, o: EndpointLintOptions, io: CommandIo): Promise<number> {
  checkEndpointVersion(o.endpointVersion);
  const path = resolve(io.cwd, file);
  const bytes = await readFile(path).catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      throw usageError(
        `endpoint-config lint: ${path} does not exist. Give the managed JSON (on an endpoint: ${MANAGED_JSON_PATH}) or the .mobileconfig to check.`,
      );
    }
    throw fileSystemError(e) ?? e;
  });
  let doc;
  try {
    doc = readEndpointDocument(bytes, path);
  } catch (e) {
    const message = (e as Error).message;
    throw usageError(message.startsWith(path) ? message : `${path}: ${message}`);
  }
  // A profile is for macOS; a JSON file is Linux's mdatp_managed.json unless --os says otherwise.
  const problems = lintEndpointSettings(doc.settings, {
    os: o.os ?? (doc.kind === 'mobileconfig' ? 'mac' : 'linux'),
    version: o.endpointVersion,
  });
  const exitCode = problems.length === 0 ? ExitCode.ok : ExitCode.problemsFound;
  if (o.json) {
    io.stdout.write(`${JSON.stringify({ file: path, kind: doc.kind, problems, exitCode }, null, 2)}\n`);
  } else if (problems.length === 0) {
    io.stdout.write(`${path}: no problems found\n`);
  } else {
    io.stdout.write(
      problems.map((p) => `${path}: ${p.where}: ${p.problem}.\n  fix: ${p.fix}.`).join('\n') + `\n${problems.length} problem(s)\n`,
    );
  }
  return exitCode;
}
