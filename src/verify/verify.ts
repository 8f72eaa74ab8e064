// `verify`: fetch arch_<arch>/updates.zip from an endpoint's offlineDefinitionUpdateUrl (http(s) or a directory),
// as an endpoint would, and check status, length, zip integrity and the mirror's manifest (and upstream, if asked).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tap } from '../util/tap.js';
import { pipeline } from 'node:stream/promises';
import type { Arch } from '../bundle/identity.js';
import { fileSize, sha256File } from '../store/file-facts.js';
import type { Manifest } from '../store/manifest.js';
import type { HttpClient } from '../upstream/http-client.js';
import type { BundleSource } from '../upstream/source.js';
import { checkZip } from '../bundle/zip-check.js';
import { treeAtEnd } from '../bundle/identity.js';
import { isHttpUrl } from '../util/location.js';
import { MirrorError } from '../errors/catalogue.js';
import { networkError } from '../upstream/http-errors.js';

export interface ArchVerdict {
  readonly arch: Arch;
  readonly ok: boolean;
  readonly url: string;
  readonly size: number | undefined;
  readonly sha256: string | undefined;
  readonly manifest: Pick<Manifest, 'EngineVersion' | 'DefinitionVersion'> | undefined;
  readonly upstream: { engine: string; signatures: string } | undefined;
  readonly problems: readonly string[];
}

export interface VerifyRequest {
  readonly location: string;
  readonly arches: readonly Arch[];
  readonly http: HttpClient;
  /** Where the latest release is asked for: the settings' source (upstream or upstreamMirror), as status does. */
  readonly upstream: BundleSource | undefined;
}

const child = (location: string, rel: string): string =>
  isHttpUrl(location) ? new URL(rel, location.endsWith('/') ? location : `${location}/`).toString() : join(location, rel);

async function fetchToFile(
  http: HttpClient,
  url: string,
  file: string,
  problems: string[],
  notFoundHint: string,
): Promise<{ size: number; sha256: string } | undefined> {
  const res = await http.get(new URL(url));
  if (res.statusCode !== 200) {
    await res.body.dump();
    problems.push(`HTTP ${res.statusCode} for ${url}${res.statusCode === 404 ? notFoundHint : ''}`);
    return undefined;
  }
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    res.body,
    tap((c) => {
      hash.update(c);
      size += c.length;
    }),
    createWriteStream(file),
  );
  const announced = res.headers['content-length'];
  if (announced !== undefined && Number(announced) !== size)
    problems.push(`received ${size} bytes, Content-Length said ${String(announced)}`);
  return { size, sha256: hash.digest('hex') };
}

/** For a 404: a location that does not end at a tree (the mirror's root, say) is the likely reason. */
function treeHint(location: string): string {
  if (treeAtEnd(location)) return '';
  return `: the location must end at the tree endpoints use, /<os>/<channel>/, for example ${child(location, 'linux/production/')}`;
}

async function readManifestAt(req: VerifyRequest, location: string, problems: string[]): Promise<Manifest | undefined> {
  try {
    let text: string;
    if (isHttpUrl(location)) {
      const res = await req.http.get(new URL(location));
      text = await res.body.text();
      if (res.statusCode !== 200) {
        problems.push(`manifest.json: HTTP ${res.statusCode}`);
        return undefined;
      }
    } else {
      text = await readFile(location, 'utf8');
    }
    const m = JSON.parse(text) as Manifest;
    if (typeof m.EngineVersion !== 'string' || typeof m.DefinitionVersion !== 'string') {
      problems.push('manifest.json lacks EngineVersion or DefinitionVersion');
      return undefined;
    }
    return m;
  } catch (e) {
    problems.push(`manifest.json unreadable: ${(e as Error).message}`);
    return undefined;
  }
}

/** A verdict, or the network error that kept the location from answering at all. */
type ArchCheck = { readonly verdict: ArchVerdict; readonly unreachable?: undefined } | { readonly unreachable: MirrorError };

async function verifyArch(req: VerifyRequest, arch: Arch, work: string): Promise<ArchCheck> {
  const problems: string[] = [];
  const bundleLocation = child(req.location, `arch_${arch}/updates.zip`);
  let size: number | undefined;
  let sha256: string | undefined;
  let file: string | undefined;
  try {
    if (isHttpUrl(req.location)) {
      const target = join(work, `${arch}.zip`);
      let got;
      try {
        got = await fetchToFile(req.http, bundleLocation, target, problems, treeHint(req.location));
      } catch (e) {
        // Nothing answered: the zip and manifest checks would only repeat it.
        return { unreachable: networkError(e, bundleLocation) };
      }
      if (got) {
        file = target;
        ({ size, sha256 } = got);
      }
    } else {
      size = await fileSize(bundleLocation);
      if (size === undefined) problems.push(`${bundleLocation} does not exist`);
      else {
        file = bundleLocation;
        sha256 = await sha256File(file);
      }
    }
  } catch (e) {
    problems.push(`cannot fetch ${bundleLocation}: ${(e as Error).message}`);
  }
  if (file) {
    try {
      await checkZip(file, 'updates.zip');
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  const manifest = await readManifestAt(req, child(req.location, `arch_${arch}/manifest.json`), problems);
  if (manifest && size !== undefined) {
    if (manifest.size !== undefined && manifest.size !== size)
      problems.push(`size ${size} does not match manifest.json (${manifest.size})`);
    if (manifest.sha256 !== undefined && sha256 !== undefined && manifest.sha256 !== sha256)
      problems.push('SHA-256 does not match manifest.json');
  }
  let upstream: ArchVerdict['upstream'];
  const tree = treeAtEnd(req.location);
  if (req.upstream && tree) {
    try {
      const info = await req.upstream.versionInfo({ ...tree, arch });
      upstream = { engine: info.engine, signatures: info.signatures };
      if (manifest && (manifest.EngineVersion !== info.engine || manifest.DefinitionVersion !== info.signatures)) {
        problems.push(`behind upstream: mirror has ${manifest.DefinitionVersion}, upstream ${info.signatures}`);
      }
    } catch (e) {
      problems.push(`upstream check failed: ${(e as Error).message}`);
    }
  }
  return {
    verdict: {
      arch,
      ok: problems.length === 0,
      url: bundleLocation,
      size,
      sha256,
      manifest: manifest ? { EngineVersion: manifest.EngineVersion, DefinitionVersion: manifest.DefinitionVersion } : undefined,
      upstream,
      problems,
    },
  };
}

export async function verifyLocation(req: VerifyRequest): Promise<ArchVerdict[]> {
  const work = await mkdtemp(join(tmpdir(), 'mdatp-mirror-verify-'));
  try {
    const checks = await Promise.all(req.arches.map((arch) => verifyArch(req, arch, work)));
    const verdicts = checks.flatMap((c) => (c.unreachable ? [] : [c.verdict]));
    const failed = checks.find((c) => c.unreachable)?.unreachable;
    if (failed) {
      // One error for the location, not the same one per architecture and file.
      throw new MirrorError(
        'UPSTREAM_NETWORK',
        `${req.location} did not answer (${failed.message}). Check that the mirror's server is running (mdatp-mirror serve) and that this is the address endpoints use.`,
      );
    }
    return verdicts;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
