// Key files as settings name them: the signing side's secret key, the receiving side's trusted public keys, and the
// key pair `keygen` writes. Every failure names the setting, the path and the fix; a secret key's bytes never appear.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, MirrorError } from '../errors/catalogue.js';
import { TextFileTooLarge, readTextFile } from '../util/text-file.js';
import { formatBytes } from '../util/bytes.js';
import { MinisignFormatError, generateKeyPair, parsePublicKey, parseSecretKey, type PublicKey, type SecretKey } from './minisign.js';
import { makeDirectories } from '../util/make-directories.js';

const KEY_FILE = 'mdatp-mirror.key';
const PUB_FILE = 'mdatp-mirror.pub';

/** A minisign key file is two short lines; a comment may make it longer, never this long. */
const MAX_KEY_FILE_BYTES = 64 * 1024;

const keyError = (message: string): MirrorError => new MirrorError('KEY_INVALID', message, { exitCode: ExitCode.usage });

async function readKeyFile(path: string, setting: string, fix: string): Promise<string> {
  try {
    return await readTextFile(path, MAX_KEY_FILE_BYTES);
  } catch (e) {
    if (e instanceof TextFileTooLarge)
      throw keyError(`${setting} ${path} is ${formatBytes(e.size)}, far more than a key file (under 1 KB): ${fix}`);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw keyError(`${setting} ${path} does not exist: ${fix}`);
    if (code === 'EISDIR') throw keyError(`${setting} ${path} is a folder, not a key file: ${fix}`);
    if (code === 'EACCES' || code === 'EPERM')
      throw keyError(`${setting} ${path} cannot be read by this user (${code}): fix its permissions`);
    throw keyError(`${setting} ${path} cannot be read: ${(e as Error).message}`);
  }
}

export async function loadSigningKey(path: string): Promise<SecretKey> {
  const text = await readKeyFile(
    path,
    'signingKey',
    'make a key pair with `mdatp-mirror keygen --out DIR` and point signingKey at DIR/mdatp-mirror.key',
  );
  try {
    return parseSecretKey(text);
  } catch (e) {
    if (e instanceof MinisignFormatError) throw keyError(`signingKey ${path} ${e.message}`);
    throw keyError(`signingKey ${path} is not a usable Ed25519 key`);
  }
}

export async function loadTrustedKeys(paths: readonly string[]): Promise<PublicKey[]> {
  const keys: PublicKey[] = [];
  for (const [i, path] of paths.entries()) {
    const setting = `trustedKeys[${i}]`;
    const text = await readKeyFile(path, setting, 'copy the signing mirror’s mdatp-mirror.pub here, or fix the path in settings');
    try {
      keys.push(parsePublicKey(text));
    } catch (e) {
      const why = e instanceof MinisignFormatError ? e.message : 'is not a usable Ed25519 public key';
      throw keyError(
        `${setting} ${path} ${why}${text.includes('secret key') ? ' (this looks like a secret key: list the .pub file)' : ''}`,
      );
    }
  }
  return keys;
}

/** Writes DIR/mdatp-mirror.key (0600) and DIR/mdatp-mirror.pub; never replaces either. */
export async function writeKeyPair(dir: string): Promise<{ secretPath: string; publicPath: string; keyId: string }> {
  const secretPath = join(dir, KEY_FILE);
  const publicPath = join(dir, PUB_FILE);
  const pair = generateKeyPair();
  await makeDirectories(dir, 0o700);
  const exclusive = async (path: string, text: string, mode: number): Promise<void> => {
    try {
      await writeFile(path, text, { flag: 'wx', mode });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new MirrorError(
          'KEY_EXISTS',
          `${path} already exists and was left as it is: choose another --out folder, or move the old key away first`,
          {
            exitCode: ExitCode.usage,
          },
        );
      }
      throw e;
    }
  };
  await exclusive(secretPath, pair.secret, 0o600);
  try {
    await exclusive(publicPath, pair.public, 0o644);
  } catch (e) {
    // Half a pair is worse than none: the secret key just written goes again.
    await rm(secretPath, { force: true });
    throw e;
  }
  return { secretPath, publicPath, keyId: pair.keyId };
}
