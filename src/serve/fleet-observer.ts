// Turns served bytes into fleet sightings: a client has a bundle version once it received the whole updates.zip, in
// one 200 or in ranges that together cover it (a resumed download). The version is the manifest's beside the file,
// taken only when the manifest describes a file of the size served (a pair being replaced is not counted).
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { addRange, coversFile, type Ranges } from '../fleet/coverage.js';
import type { Sighting } from '../fleet/fleet-record.js';
import { BUNDLE_FILE, MANIFEST_FILE } from '../store/layout.js';
import { parseManifest } from '../store/manifest.js';
import { BoundedCache } from '../util/bounded-cache.js';

/** What serve sent of one file in one response. */
export interface Delivery {
  readonly rel: string;
  readonly client: string | undefined;
  readonly size: number;
  readonly ino: number;
  readonly start: number;
  readonly end: number;
  /** Whether every byte of [start, end] was written to the client. */
  readonly complete: boolean;
}

/** Resumed downloads in progress, by client and file; bounded like every per-client map of serve. */
const PENDING_KEPT = 20_000;

/** "::ffff:10.0.0.7" and "10.0.0.7" are one client. */
const clientAddress = (remote: string): string => (remote.startsWith('::ffff:') ? remote.slice(7) : remote);

export class FleetObserver {
  private readonly pending = new BoundedCache<string, Ranges>(PENDING_KEPT);
  private readonly versions = new Map<string, { mtimeMs: number; size: number | undefined; signatures: string | undefined }>();

  constructor(
    private readonly root: string,
    private readonly sink: (s: Sighting) => void,
  ) {}

  async delivered(d: Delivery): Promise<void> {
    if (!d.complete || d.client === undefined || !d.rel.endsWith(`/${BUNDLE_FILE}`) || d.rel.includes('_back/')) return;
    const client = clientAddress(d.client);
    const key = `${client} ${d.rel} ${d.ino}`;
    const covered = addRange(this.pending.get(key) ?? [], d.start, d.end);
    if (!coversFile(covered, d.size)) {
      this.pending.remember(key, covered);
      return;
    }
    this.pending.remember(key, []);
    const signatures = await this.versionOf(join(this.root, dirname(d.rel)), d.size);
    if (signatures) this.sink({ bundle: dirname(d.rel), client, signatures, at: Date.now() });
  }

  private async versionOf(dir: string, size: number): Promise<string | undefined> {
    const path = join(dir, MANIFEST_FILE);
    const mtimeMs = statSync(path, { throwIfNoEntry: false })?.mtimeMs;
    if (mtimeMs === undefined) return undefined;
    let known = this.versions.get(dir);
    if (known?.mtimeMs !== mtimeMs) {
      const read = parseManifest(await readFile(path, 'utf8').catch(() => ''));
      known =
        read.kind === 'ok'
          ? { mtimeMs, size: read.manifest.size, signatures: read.manifest.DefinitionVersion }
          : { mtimeMs, size: undefined, signatures: undefined };
      this.versions.set(dir, known);
    }
    return known.size === undefined || known.size === size ? known.signatures : undefined;
  }
}
