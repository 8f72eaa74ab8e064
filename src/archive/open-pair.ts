// A live pair opened for reading while downloads may publish: the bundle's handle is taken between two identical reads
// of its manifest, so the bytes read later are the ones that manifest describes (a rename does not move an open file).
import { open, readFile, type FileHandle } from 'node:fs/promises';
import type { BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import { sha256Handle } from '../store/file-facts.js';
import { bundlePath, manifestPath } from '../store/layout.js';
import { parseManifest, type Manifest } from '../store/manifest.js';

export interface OpenPair {
  readonly id: BundleId;
  readonly dir: string;
  readonly manifest: Manifest;
  readonly manifestBytes: Buffer;
  readonly handle: FileHandle;
  readonly size: number;
  readonly sha256: string;
}

const readOptional = (path: string): Promise<Buffer | undefined> =>
  readFile(path).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

/** The pair at dir, open; undefined when it has no readable manifest or no bundle. The caller closes the handle. */
export async function openPair(id: BundleId, dir: string): Promise<OpenPair | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const manifestBytes = await readOptional(manifestPath(dir));
    if (!manifestBytes) return undefined;
    const read = parseManifest(manifestBytes.toString('utf8'));
    if (read.kind !== 'ok') return undefined;
    let handle: FileHandle;
    try {
      handle = await open(bundlePath(dir), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
    const { size } = await handle.stat();
    const again = await readOptional(manifestPath(dir));
    const m = read.manifest;
    if (again?.equals(manifestBytes) && (m.size === undefined || m.size === size)) {
      // Manifests from the old scripts record no hash: only then is the bundle read an extra time.
      const sha256 = m.sha256 ?? (await sha256Handle(handle));
      return { id, dir, manifest: m, manifestBytes, handle, size, sha256 };
    }
    await handle.close();
  }
  throw new MirrorError('EXPORT_FAILED', `${dir}: the pair kept changing while it was read (a download publishing?); run export again`);
}
