// Reading a tree's own index.json and signature back, for status and for deciding whether to rewrite them.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors/catalogue.js';
import type { PublicKey } from '../signing/minisign.js';
import { INDEX_FILE, INDEX_SIGNATURE_FILE, type StoreLayout } from '../store/layout.js';
import type { MirrorIndex } from './document.js';
import { verifyIndex } from './signature.js';

export type TreeIndexRead =
  { kind: 'missing' } | { kind: 'unsigned' } | { kind: 'bad'; reason: string } | { kind: 'verified'; index: MirrorIndex; signedBy: string };

const readOptional = (path: string): Promise<Buffer | undefined> =>
  readFile(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });

export async function readTreeIndex(layout: StoreLayout, keys: readonly PublicKey[]): Promise<TreeIndexRead> {
  const bytes = await readOptional(join(layout.treeRoot, INDEX_FILE));
  if (!bytes) return { kind: 'missing' };
  const signature = await readOptional(join(layout.treeRoot, INDEX_SIGNATURE_FILE));
  if (!signature) return { kind: 'unsigned' };
  try {
    const { index, signedBy } = verifyIndex(bytes, signature.toString('utf8'), keys, layout.treeRoot);
    return { kind: 'verified', index, signedBy: signedBy! };
  } catch (e) {
    return { kind: 'bad', reason: describeError(e) };
  }
}
