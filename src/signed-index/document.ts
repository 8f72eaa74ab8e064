// index.json: what a tree or an archive holds, file by file (relative path, size, SHA-256) with each bundle's versions,
// signed as a whole by index.json.minisig. Additive to the layout endpoints read; endpoints ignore it.
import * as z from 'zod/mini';
import '../util/zod-english.js';
import { bundleLabel, type BundleId } from '../bundle/identity.js';
import type { Versions } from '../bundle/versions.js';
import { MirrorError } from '../errors/catalogue.js';
import { BUNDLE_FILE, parseTreePath, type PairRole, type TreePath } from '../store/layout.js';

export const INDEX_FORMAT = 'mdatp-mirror-index/1';
/** An index lists at most 16 pairs of two files; anything near this bound is not one of ours. */
export const MAX_INDEX_BYTES = 1024 * 1024;

const dottedVersion = z.string().check(z.regex(/^\d+(\.\d+){1,4}$/));

const fileEntry = z.strictObject({
  path: z.string(),
  size: z.int().check(z.minimum(0)),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  EngineVersion: z.optional(dottedVersion),
  DefinitionVersion: z.optional(dottedVersion),
  PlatformVersion: z.optional(z.string().check(z.maxLength(64))),
});

const indexSchema = z.strictObject({
  format: z.literal(INDEX_FORMAT),
  mirror: z.string().check(z.maxLength(100)),
  createdAt: z.string(),
  files: z.array(fileEntry).check(z.maxLength(64)),
});

export type IndexFile = z.output<typeof fileEntry>;
export type MirrorIndex = z.output<typeof indexSchema>;

/** One bundle pair as an index vouches for it. */
export interface IndexedPair {
  readonly id: BundleId;
  readonly role: PairRole;
  readonly versions: Versions & { readonly platform: string | undefined };
  readonly bundle: IndexFile;
  readonly manifest: IndexFile;
}

export function serializeIndex(index: MirrorIndex): Buffer {
  return Buffer.from(`${JSON.stringify(index, null, 2)}\n`);
}

const invalid = (where: string, what: string): MirrorError => new MirrorError('INDEX_INVALID', `${where}: ${what}`);

/** Parses and checks an index: known format, only tree paths (nothing that could escape a folder), whole pairs. */
export function parseIndex(bytes: Buffer, where: string): MirrorIndex {
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw invalid(where, `is not JSON (${(e as Error).message})`);
  }
  const parsed = indexSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(where, `is not an mdatp-mirror index (${issue?.path.join('.') || 'document'}: ${issue?.message ?? 'invalid'})`);
  }
  const seen = new Set<string>();
  for (const f of parsed.data.files) {
    const at = parseTreePath(f.path);
    if (!at) throw invalid(where, `lists "${f.path}", which is not a bundle or manifest path of a mirror tree`);
    if (seen.has(f.path)) throw invalid(where, `lists "${f.path}" twice`);
    seen.add(f.path);
    if (at.file === BUNDLE_FILE && (f.EngineVersion === undefined || f.DefinitionVersion === undefined)) {
      throw invalid(where, `gives no versions for "${f.path}"`);
    }
  }
  indexedPairs(parsed.data, where);
  return parsed.data;
}

/** The pairs an index describes; every bundle with its manifest, or the index is refused. */
export function indexedPairs(index: MirrorIndex, where = 'index.json'): IndexedPair[] {
  const byDir = new Map<string, { at: TreePath; bundle?: IndexFile; manifest?: IndexFile }>();
  for (const f of index.files) {
    const at = parseTreePath(f.path)!;
    const dir = f.path.slice(0, f.path.lastIndexOf('/'));
    const slot = byDir.get(dir) ?? { at };
    if (at.file === BUNDLE_FILE) slot.bundle = f;
    else slot.manifest = f;
    byDir.set(dir, slot);
  }
  const pairs: IndexedPair[] = [];
  for (const [dir, slot] of byDir) {
    if (!slot.bundle || !slot.manifest) throw invalid(where, `lists ${slot.bundle ? 'no manifest' : 'no bundle'} for ${dir}`);
    pairs.push({
      id: slot.at.id,
      role: slot.at.role,
      versions: { engine: slot.bundle.EngineVersion!, signatures: slot.bundle.DefinitionVersion!, platform: slot.bundle.PlatformVersion },
      bundle: slot.bundle,
      manifest: slot.manifest,
    });
  }
  return pairs;
}

export const pairLabel = (p: Pick<IndexedPair, 'id' | 'role'>): string => `${bundleLabel(p.id)}${p.role === 'backup' ? ' (backup)' : ''}`;
