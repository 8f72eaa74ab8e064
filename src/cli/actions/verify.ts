// `mdatp-mirror verify URL`: an endpoint's-eye check of a mirror location; exit 1 on any problem.
import { ExitCode, isMirrorError, usageError } from '../../errors/catalogue.js';
import { ARCHES, type Arch } from '../../bundle/identity.js';
import { loadSettings, type Settings } from '../../settings/load.js';
import { formatBytes } from '../../util/bytes.js';
import { formatTable } from '../../util/table.js';
import { httpClientFor } from '../../download/http-for-settings.js';
import type { BundleSource } from '../../upstream/source.js';
import { sourceFor } from '../../download/source-for.js';
import { Upstream } from '../../upstream/upstream.js';
import { verifyLocation } from '../../verify/verify.js';
import { archSegmentIn, treeAtEnd } from '../../bundle/identity.js';
import { isAbsoluteLocalPath, isHttpUrl } from '../../util/location.js';
import { OFFICIAL_BASE_URL } from '../../settings/defaults.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export interface VerifyOptions extends GlobalOptions {
  readonly arch?: Arch[];
  readonly checkUpstream?: boolean;
  readonly baseUrl?: string;
}

async function optionalSettings(o: VerifyOptions, io: CommandIo): Promise<Settings | undefined> {
  try {
    return await loadSettings({ settingsFile: o.settings, baseUrl: o.baseUrl }, io);
  } catch (e) {
    // verify also runs where no mirror settings exist (an endpoint, a CI job); only a named file must exist.
    if (isMirrorError(e) && e.code === 'SETTINGS_NOT_FOUND' && !o.settings) return undefined;
    throw e;
  }
}

export async function verify(location: string, o: VerifyOptions, io: CommandIo): Promise<number> {
  if (!isHttpUrl(location) && !isAbsoluteLocalPath(location)) {
    throw usageError(`${location}: give the endpoint's offlineDefinitionUpdateUrl: an http(s):// URL or an absolute directory path.`);
  }
  if (archSegmentIn(location))
    throw usageError(`${location}: leave out arch_*; verify appends arch_<arch>/updates.zip as an endpoint does.`);
  const settings = await optionalSettings(o, io);
  const http = httpClientFor(settings);
  try {
    let upstream: BundleSource | undefined;
    if (o.checkUpstream) {
      if (!treeAtEnd(location)) throw usageError(`${location}: --check-upstream needs a location ending in /<os>/<channel>/.`);
      upstream = settings ? await sourceFor(settings, http) : new Upstream(o.baseUrl ?? OFFICIAL_BASE_URL, http);
    }
    const verdicts = await verifyLocation({ location, arches: o.arch && o.arch.length > 0 ? o.arch : [...ARCHES], http, upstream });
    const code = verdicts.every((v) => v.ok) ? ExitCode.ok : ExitCode.problemsFound;
    if (o.json) {
      io.stdout.write(`${JSON.stringify({ location, bundles: verdicts, exitCode: code }, null, 2)}\n`);
      return code;
    }
    const rows = [['ARCH', 'RESULT', 'SIGNATURES', 'ENGINE', 'SIZE', ...(upstream ? ['UPSTREAM'] : []), 'DETAIL']];
    for (const v of verdicts) {
      rows.push([
        v.arch,
        v.ok ? 'ok' : 'PROBLEM',
        v.manifest?.DefinitionVersion ?? '-',
        v.manifest?.EngineVersion ?? '-',
        v.size === undefined ? '-' : formatBytes(v.size),
        ...(upstream ? [v.upstream?.signatures ?? '-'] : []),
        v.problems.join('; '),
      ]);
    }
    io.stdout.write(`verify ${location}\n${formatTable(rows)}\n`);
    return code;
  } finally {
    await http.close();
  }
}
