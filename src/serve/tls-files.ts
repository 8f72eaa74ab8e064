// The certificate and key serve --tls-cert/--tls-key name, read and checked for what each must hold, so a swapped or
// wrong file is named before Node's TLS layer reports something cryptic.
import { readFile } from 'node:fs/promises';
import { usageError } from '../errors/catalogue.js';

export interface TlsFiles {
  readonly cert: Buffer;
  readonly key: Buffer;
}

async function readPem(flag: string, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw usageError(`${flag} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}).`);
  }
}

export async function loadTlsFiles(certPath: string | undefined, keyPath: string | undefined): Promise<TlsFiles | undefined> {
  if (Boolean(certPath) !== Boolean(keyPath)) throw usageError('--tls-cert and --tls-key go together.');
  if (!certPath || !keyPath) return undefined;
  const cert = await readPem('--tls-cert', certPath);
  const key = await readPem('--tls-key', keyPath);
  const holdsCert = (b: Buffer): boolean => b.includes('-----BEGIN CERTIFICATE-----');
  const holdsKey = (b: Buffer): boolean => /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/.test(b.toString('latin1'));
  if (holdsKey(cert) && holdsCert(key)) {
    throw usageError(`--tls-cert ${certPath} holds a private key and --tls-key ${keyPath} a certificate: swap the two.`);
  }
  if (!holdsCert(cert)) throw usageError(`--tls-cert ${certPath} holds no PEM certificate (-----BEGIN CERTIFICATE-----).`);
  if (!holdsKey(key)) throw usageError(`--tls-key ${keyPath} holds no PEM private key (-----BEGIN PRIVATE KEY-----).`);
  return { cert, key };
}
