// Reads an export archive as a stream and proves it before anything is published: the index's signature (a trusted
// key), then every file against the index (listed, size, SHA-256), every manifest's versions against it, and nothing
// missing, so a damaged or edited archive is refused whole. Bundles land in temp files on the tree's volume; nothing
// in the archive names where anything is written (paths only select a pair the index vouches for). Each bundle's zip
// check is the download's own, when the import brings it in from there (archive-source.ts).
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract, type Header } from 'tar-stream';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { MirrorError } from '../errors/catalogue.js';
import { chunksDone } from '../util/dead-buffers.js';
import { indexedPairs, MAX_INDEX_BYTES, pairLabel, type IndexedPair, type IndexFile } from '../signed-index/document.js';
import { verifyIndex, type CheckedIndex } from '../signed-index/signature.js';
import type { PublicKey } from '../signing/minisign.js';
import { BUNDLE_FILE, INDEX_FILE, INDEX_SIGNATURE_FILE, parseTreePath } from '../store/layout.js';
import { parseManifest } from '../store/manifest.js';
import { tap } from '../util/tap.js';

export interface StagedBundle {
  readonly pair: IndexedPair;
  /** The verified bundle, in a temp file named by the tree writer. */
  readonly tempPath: string;
}

export interface ArchiveContents {
  readonly checked: CheckedIndex;
}

export interface ReadArchiveOptions {
  /** The archive as a person named it (a path, or "standard input"), for every message. */
  readonly where: string;
  readonly keys: readonly PublicKey[];
  readonly allowUnsigned: boolean;
  readonly tempFile: (id: BundleId, kind: string) => string;
  readonly signal?: AbortSignal | undefined;
  /** Whether a pair's bundle is wanted on disk; the others are proven (size, SHA-256) but not written. */
  readonly wanted: (pair: IndexedPair) => boolean;
  /** A wanted bundle is on disk and matches the index, while the rest of the archive is still being read. */
  readonly onStaged?: (bundle: StagedBundle, checked: CheckedIndex) => void;
}

const discard = (): Writable => new Writable({ write: (_chunk, _encoding, done) => done() });

const MAX_SIGNATURE_BYTES = 16 * 1024;
const MAX_MANIFEST_BYTES = 64 * 1024;

const refused = (where: string, what: string): MirrorError =>
  new MirrorError('ARCHIVE_INVALID', `${where} refused: ${what}; nothing was imported`);

async function readSmall(entry: Readable, limit: number, what: string, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of entry) {
    size += (chunk as Buffer).length;
    if (size > limit) throw refused(where, `${what} is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Where the reading is, so a cut archive can be reported at its offset and inside which file. */
interface Position {
  offset: number;
  entry: string | undefined;
  entryBytes: number;
  entrySize: number;
}

class ArchiveReader {
  private indexBytes: Buffer | undefined;
  private signature: string | undefined;
  private checked: CheckedIndex | undefined;
  private readonly expected = new Map<string, IndexFile>();
  private readonly pairs = new Map<string, IndexedPair>();
  private readonly seen = new Set<string>();

  constructor(
    private readonly o: ReadArchiveOptions,
    private readonly position: Position,
  ) {}

  async take(header: Header, entry: Readable): Promise<void> {
    const name = header.name.replace(/^\.\//, '');
    const { where } = this.o;
    if (header.type === 'directory') {
      entry.resume();
      return;
    }
    if (header.type !== 'file') throw refused(where, `it holds a ${header.type} entry "${name}"; an export holds plain files only`);
    if (name === INDEX_FILE || name === INDEX_SIGNATURE_FILE) {
      if (this.checked) throw refused(where, `${name} comes after the bundles; an export puts it first`);
      if (name === INDEX_FILE) this.indexBytes = await readSmall(entry, MAX_INDEX_BYTES, name, where);
      else this.signature = (await readSmall(entry, MAX_SIGNATURE_BYTES, name, where)).toString('utf8');
      return;
    }
    const checked = this.verify();
    const listed = this.expected.get(name);
    if (!listed) throw refused(where, `it holds "${name}", which its ${checked.signedBy ? 'signed ' : ''}index does not list`);
    if (this.seen.has(name)) throw refused(where, `it holds "${name}" twice`);
    this.seen.add(name);
    if (header.size !== listed.size) throw refused(where, `${name} is ${header.size} bytes, but the index says ${listed.size}`);
    const at = parseTreePath(name)!;
    const pair = this.pairs.get(`${at.role}:${bundleKey(at.id)}`)!;
    if (at.file === BUNDLE_FILE) await this.stageBundle(name, listed, pair, entry);
    else await this.checkManifest(name, listed, pair, entry);
  }

  /** The index, verified once, before the first tree file is accepted. */
  verify(): CheckedIndex {
    if (this.checked) return this.checked;
    if (!this.indexBytes) throw refused(this.o.where, `it does not start with ${INDEX_FILE}; is it an mdatp-mirror export?`);
    this.checked = verifyIndex(this.indexBytes, this.signature, this.o.keys, this.o.where, { allowUnsigned: this.o.allowUnsigned });
    for (const f of this.checked.index.files) this.expected.set(f.path, f);
    for (const p of indexedPairs(this.checked.index)) this.pairs.set(`${p.role}:${bundleKey(p.id)}`, p);
    return this.checked;
  }

  private async checkManifest(name: string, listed: IndexFile, pair: IndexedPair, entry: Readable): Promise<void> {
    const bytes = await readSmall(entry, MAX_MANIFEST_BYTES, name, this.o.where);
    if (createHash('sha256').update(bytes).digest('hex') !== listed.sha256) {
      throw refused(this.o.where, `${name} differs from the index (SHA-256)`);
    }
    const read = parseManifest(bytes.toString('utf8'));
    const m = read.kind === 'ok' ? read.manifest : undefined;
    if (
      !m ||
      m.EngineVersion !== pair.versions.engine ||
      m.DefinitionVersion !== pair.versions.signatures ||
      m.PlatformVersion !== pair.versions.platform
    ) {
      throw refused(this.o.where, `${name} records other versions than the index gives for ${pairLabel(pair)}`);
    }
  }

  private async stageBundle(name: string, listed: IndexFile, pair: IndexedPair, entry: Readable): Promise<void> {
    const tempPath = this.o.wanted(pair) ? this.o.tempFile(pair.id, 'import') : undefined;
    const hash = createHash('sha256');
    const position = this.position;
    const hashing = tap((chunk) => {
      hash.update(chunk);
      chunksDone(chunk.length);
      position.entryBytes += chunk.length;
    });
    const sink = tempPath ? createWriteStream(tempPath, { highWaterMark: 1024 * 1024 }) : discard();
    await pipeline(entry, hashing, sink, { signal: this.o.signal });
    if (hash.digest('hex') !== listed.sha256)
      throw refused(this.o.where, `${name} differs from the index (SHA-256): the archive was changed or damaged`);
    if (!tempPath) return;
    this.o.onStaged?.({ pair, tempPath }, this.verify());
  }

  finish(): ArchiveContents {
    const checked = this.verify();
    const absent = [...this.expected.keys()].filter((p) => !this.seen.has(p));
    if (absent.length > 0) throw refused(this.o.where, `it ends without ${absent.join(', ')}, which its index lists`);
    return { checked };
  }
}

function truncated(where: string, p: Position): MirrorError {
  const inside = p.entry ? `, inside ${p.entry} (${p.entryBytes} of ${p.entrySize} bytes)` : '';
  return new MirrorError(
    'ARCHIVE_TRUNCATED',
    `${where} refused: the archive is cut short at byte ${p.offset}${inside}; copy it again (nothing was imported)`,
  );
}

export async function readArchive(input: Readable, o: ReadArchiveOptions): Promise<ArchiveContents> {
  const position: Position = { offset: 0, entry: undefined, entryBytes: 0, entrySize: 0 };
  const counting = tap((chunk) => (position.offset += chunk.length));
  const reader = new ArchiveReader(o, position);
  const tar = extract();
  const feeding = pipeline(input, counting, tar, { signal: o.signal });
  feeding.catch(() => undefined);
  try {
    for await (const entry of tar) {
      position.entry = entry.header.name;
      position.entrySize = entry.header.size;
      position.entryBytes = 0;
      // tar-stream's entries are streamx streams, which Node's stream functions accept.
      await reader.take(entry.header, entry as unknown as Readable);
      position.entry = undefined;
    }
    await feeding;
  } catch (e) {
    tar.destroy();
    if (e instanceof MirrorError) throw e;
    if (o.signal?.aborted) throw new MirrorError('INTERRUPTED', 'interrupted while reading the archive; nothing was imported');
    const message = (e as Error).message;
    if (/unexpected end|premature close/i.test(message)) throw truncated(o.where, position);
    throw refused(o.where, `it is not a readable tar archive at byte ${position.offset} (${message})`);
  }
  if (position.entry !== undefined) throw truncated(o.where, position);
  return reader.finish();
}
