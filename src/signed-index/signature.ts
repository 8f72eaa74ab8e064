// Signing an index and checking a signed one: minisign signatures whose trusted comment names the file and mirror.
import { MirrorError } from '../errors/catalogue.js';
import { MinisignFormatError, prehash, signDigest, verifyDigest, type PublicKey, type SecretKey } from '../signing/minisign.js';
import { INDEX_FILE, INDEX_SIGNATURE_FILE } from '../store/layout.js';
import { parseIndex, type MirrorIndex } from './document.js';

export function signIndex(key: SecretKey, bytes: Buffer, mirrorName: string, now: Date): string {
  const trusted = `timestamp:${Math.floor(now.getTime() / 1000)}\tfile:${INDEX_FILE}\tmirror:${mirrorName}`;
  return signDigest(key, prehash(bytes), trusted, `signature from mdatp-mirror (${mirrorName})`);
}

export interface CheckedIndex {
  readonly index: MirrorIndex;
  /** The key that signed it (16 hex digits), or undefined for an unsigned index that was allowed. */
  readonly signedBy: string | undefined;
}

/**
 * The index, once its signature verifies with one of the keys. `where` names what it came from (an archive, a URL)
 * in every message. Without a signature, only allowUnsigned lets it through.
 */
export function verifyIndex(
  bytes: Buffer,
  signature: string | undefined,
  keys: readonly PublicKey[],
  where: string,
  opts: { allowUnsigned?: boolean } = {},
): CheckedIndex {
  if (signature === undefined) {
    if (!opts.allowUnsigned) {
      throw new MirrorError(
        'SIGNATURE_INVALID',
        `${where} has no ${INDEX_SIGNATURE_FILE}, so nothing proves who made it: sign it (signingKey on the exporting mirror), or accept it knowingly with --allow-unsigned`,
      );
    }
    return { index: parseIndex(bytes, `${where} ${INDEX_FILE}`), signedBy: undefined };
  }
  let signedBy: string;
  try {
    signedBy = verifyDigest(keys, prehash(bytes), signature).keyId;
  } catch (e) {
    if (!(e instanceof MinisignFormatError)) throw e;
    throw new MirrorError('SIGNATURE_INVALID', `${where} ${INDEX_SIGNATURE_FILE} ${e.message}; nothing was taken from it`);
  }
  return { index: parseIndex(bytes, `${where} ${INDEX_FILE}`), signedBy };
}
