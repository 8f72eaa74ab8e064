// minisign's key and signature formats (https://jedisct1.github.io/minisign/), so anyone can check what we sign with
// the standard tool. Ed25519 and BLAKE2b-512 come from Node's crypto; only the secret key's 32-byte checksum needs
// BLAKE2b with a shorter output, which Node does not offer (@noble/hashes does).
import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';

const SIG_ALG = Buffer.from('Ed');
/** Prehashed signatures: the message is BLAKE2b-512 of the file, so files of any size are signed in one pass. */
const SIG_ALG_HASHED = Buffer.from('ED');
const KDF_NONE = Buffer.from([0, 0]);
const CHK_ALG = Buffer.from('B2');
const UNTRUSTED = 'untrusted comment: ';
const TRUSTED = 'trusted comment: ';

export interface PublicKey {
  /** 8 bytes, as stored; shown as 16 hex digits (little-endian), as minisign shows it. */
  readonly keyId: Buffer;
  readonly key: KeyObject;
}

export interface SecretKey extends PublicKey {
  readonly privateKey: KeyObject;
  readonly publicBytes: Buffer;
}

export interface SignatureCheck {
  readonly keyId: string;
  readonly trustedComment: string;
}

/** Thrown for text that is not a well-formed minisign key or signature; the caller names the file. */
export class MinisignFormatError extends Error {}

export const keyIdHex = (keyId: Buffer): string => Buffer.from(keyId).reverse().toString('hex').toUpperCase();

const b64url = (b: Buffer): string => b.toString('base64url');

function publicKeyObject(raw: Buffer): KeyObject {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url(raw) }, format: 'jwk' });
}

/** The second line of a minisign file, decoded: the first is an untrusted comment. */
function payload(text: string, what: string, length: number): Buffer {
  const lines = text.replace(/\r/g, '').split('\n');
  if (!lines[0]?.startsWith(UNTRUSTED)) throw new MinisignFormatError(`is not a minisign ${what}: its first line is not "${UNTRUSTED}…"`);
  const data = Buffer.from(lines[1]?.trim() ?? '', 'base64');
  if (data.length !== length)
    throw new MinisignFormatError(`is not a minisign ${what}: its key line decodes to ${data.length} bytes, not ${length}`);
  return data;
}

export function parsePublicKey(text: string): PublicKey {
  const data = payload(text, 'public key', 42);
  if (!data.subarray(0, 2).equals(SIG_ALG)) throw new MinisignFormatError('is not a minisign Ed25519 public key');
  return { keyId: data.subarray(2, 10), key: publicKeyObject(data.subarray(10)) };
}

function formatPublicKey(keyId: Buffer, publicBytes: Buffer): string {
  return `${UNTRUSTED}minisign public key ${keyIdHex(keyId)}\n${Buffer.concat([SIG_ALG, keyId, publicBytes]).toString('base64')}\n`;
}

const checksum = (keyId: Buffer, secret: Buffer): Buffer => Buffer.from(blake2b(Buffer.concat([SIG_ALG, keyId, secret]), { dkLen: 32 }));

export function parseSecretKey(text: string): SecretKey {
  const data = payload(text, 'secret key', 158);
  if (!data.subarray(0, 2).equals(SIG_ALG) || !data.subarray(4, 6).equals(CHK_ALG)) {
    throw new MinisignFormatError('is not a minisign Ed25519 secret key');
  }
  if (!data.subarray(2, 4).equals(KDF_NONE)) {
    throw new MinisignFormatError(
      'is protected by a password, which an unattended mirror cannot type: make an unencrypted key with `mdatp-mirror keygen` or `minisign -G -W`',
    );
  }
  const keyId = data.subarray(54, 62);
  const secret = data.subarray(62, 126);
  const chk = data.subarray(126, 158);
  // minisign -W leaves the checksum zero; any other value must be right, or the key is damaged.
  if (!chk.equals(Buffer.alloc(32)) && !chk.equals(checksum(keyId, secret))) {
    throw new MinisignFormatError('is damaged: its checksum does not match the key');
  }
  const seed = secret.subarray(0, 32);
  const publicBytes = secret.subarray(32, 64);
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: b64url(seed), x: b64url(publicBytes) }, format: 'jwk' });
  return { keyId, key: publicKeyObject(publicBytes), privateKey, publicBytes };
}

function formatSecretKey(keyId: Buffer, seed: Buffer, publicBytes: Buffer): string {
  const secret = Buffer.concat([seed, publicBytes]);
  // No KDF: salt and limits stay zero, as minisign -W writes them.
  const body = Buffer.concat([SIG_ALG, KDF_NONE, CHK_ALG, Buffer.alloc(48), keyId, secret, checksum(keyId, secret)]);
  return `${UNTRUSTED}minisign unencrypted secret key\n${body.toString('base64')}\n`;
}

export function generateKeyPair(): { secret: string; public: string; keyId: string } {
  const seed = randomBytes(32);
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
    format: 'der',
    type: 'pkcs8',
  });
  const publicBytes = Buffer.from(createPublicKey(privateKey).export({ format: 'jwk' }).x ?? '', 'base64url');
  const keyId = randomBytes(8);
  return { secret: formatSecretKey(keyId, seed, publicBytes), public: formatPublicKey(keyId, publicBytes), keyId: keyIdHex(keyId) };
}

export const prehash = (data: Buffer): Buffer => createHash('blake2b512').update(data).digest();

/** A .minisig document for bytes whose BLAKE2b-512 is digest. The trusted comment must be a single line. */
export function signDigest(key: SecretKey, digest: Buffer, trustedComment: string, untrustedComment: string): string {
  if (/[\r\n]/.test(trustedComment + untrustedComment)) throw new Error('minisign comments are single lines');
  const signature = sign(null, digest, key.privateKey);
  const global = sign(null, Buffer.concat([signature, Buffer.from(trustedComment)]), key.privateKey);
  return [
    `${UNTRUSTED}${untrustedComment}`,
    Buffer.concat([SIG_ALG_HASHED, key.keyId, signature]).toString('base64'),
    `${TRUSTED}${trustedComment}`,
    global.toString('base64'),
    '',
  ].join('\n');
}

/**
 * Checks a .minisig document against the digest with whichever of the keys made it. Throws MinisignFormatError saying
 * what is wrong: malformed, made by a key not among them, or not matching these bytes.
 */
export function verifyDigest(keys: readonly PublicKey[], digest: Buffer, sigText: string): SignatureCheck {
  const lines = sigText.replace(/\r/g, '').split('\n');
  const data = Buffer.from(lines[1]?.trim() ?? '', 'base64');
  if (!lines[0]?.startsWith(UNTRUSTED) || data.length !== 74 || !lines[2]?.startsWith(TRUSTED)) {
    throw new MinisignFormatError('is not a minisign signature');
  }
  if (!data.subarray(0, 2).equals(SIG_ALG_HASHED)) {
    throw new MinisignFormatError('is a legacy (not prehashed) minisign signature; sign with a current minisign or mdatp-mirror');
  }
  const keyId = data.subarray(2, 10);
  const key = keys.find((k) => k.keyId.equals(keyId));
  if (!key) throw new MinisignFormatError(`was made by key ${keyIdHex(keyId)}, which is not among the trusted keys`);
  const signature = data.subarray(10);
  if (!verify(null, digest, key.key, signature)) throw new MinisignFormatError(`does not match the signed file (key ${keyIdHex(keyId)})`);
  const trustedComment = lines[2].slice(TRUSTED.length);
  const global = Buffer.from(lines[3]?.trim() ?? '', 'base64');
  if (!verify(null, Buffer.concat([signature, Buffer.from(trustedComment)]), key.key, global)) {
    throw new MinisignFormatError(`has a trusted comment that was changed after signing (key ${keyIdHex(keyId)})`);
  }
  return { keyId: keyIdHex(keyId), trustedComment };
}
