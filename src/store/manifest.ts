// manifest.json beside each bundle: the two keys existing tooling reads, plus additive fields of ours.
import { readFile } from 'node:fs/promises';
import { fileSize, sha256File } from './file-facts.js';
import type { VersionInfo } from '../upstream/version-info.js';
import { writeJsonAtomic } from './fs-safe.js';

export interface Manifest {
  readonly EngineVersion: string;
  readonly DefinitionVersion: string;
  readonly PlatformVersion?: string | undefined;
  readonly sha256?: string | undefined;
  readonly size?: number | undefined;
  readonly downloadedAt?: string | undefined;
  readonly source?: string | undefined;
}

export type ManifestRead = { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; manifest: Manifest };

export async function readManifest(path: string): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'invalid', reason: (e as Error).message };
  }
  return parseManifest(text);
}

/** A manifest's text as endpoints and the old scripts read it (a UTF-8 BOM is tolerated). */
export function parseManifest(text: string): ManifestRead {
  try {
    const m = JSON.parse(text.replace(/^\uFEFF/, '')) as Partial<Manifest>;
    if (typeof m.EngineVersion !== 'string' || typeof m.DefinitionVersion !== 'string') {
      return { kind: 'invalid', reason: 'EngineVersion or DefinitionVersion is missing' };
    }
    return { kind: 'ok', manifest: m as Manifest };
  } catch (e) {
    return { kind: 'invalid', reason: (e as Error).message };
  }
}

export function buildManifest(v: VersionInfo, bundle: { sha256: string; size: number; source: string }, now: Date): Manifest {
  return {
    EngineVersion: v.engine,
    DefinitionVersion: v.signatures,
    PlatformVersion: v.platform,
    sha256: bundle.sha256,
    size: bundle.size,
    downloadedAt: now.toISOString(),
    source: bundle.source,
  };
}

export const writeManifest = (path: string, m: Manifest): Promise<void> => writeJsonAtomic(path, m);

/**
 * Whether the bundle on disk is the one the manifest describes, by SHA-256 (two releases can have the same size).
 * A manifest written by the old scripts records no hash; its pair is trusted as it always was.
 */
export async function bundleProvablyMatchesManifest(bundle: string, m: Manifest): Promise<boolean> {
  if (m.sha256 === undefined) return (await fileSize(bundle)) !== undefined;
  if (!(await bundleMatchesManifest(bundle, m))) return false;
  return (await sha256File(bundle)) === m.sha256;
}

/** Whether the bundle on disk is the one the manifest describes, as far as a cheap check (size) can tell. */
export async function bundleMatchesManifest(bundle: string, m: Manifest): Promise<boolean> {
  const size = await fileSize(bundle);
  return size !== undefined && m.size !== undefined && size === m.size;
}
