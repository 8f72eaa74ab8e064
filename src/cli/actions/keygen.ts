// `mdatp-mirror keygen --out DIR`: a key pair for signing indexes and archives, and what to do with each half.
import { resolve } from 'node:path';
import { ExitCode } from '../../errors/catalogue.js';
import { writeKeyPair } from '../../signing/keys.js';
import type { CommandIo, GlobalOptions } from '../io.js';

export interface KeygenOptions extends GlobalOptions {
  readonly out: string;
}

export async function keygen(o: KeygenOptions, io: CommandIo): Promise<number> {
  const { secretPath, publicPath, keyId } = await writeKeyPair(resolve(io.cwd, o.out));
  if (o.json) {
    io.stdout.write(`${JSON.stringify({ secretKey: secretPath, publicKey: publicPath, keyId, exitCode: 0 }, null, 2)}\n`);
  } else if (!o.quiet) {
    io.stdout.write(
      [
        `key ${keyId}`,
        `secret key: ${secretPath} (keep it on the signing mirror; set "signingKey" to this path)`,
        `public key: ${publicPath} (copy it to receiving mirrors; list it in their "trustedKeys")`,
        `check a signature by hand: minisign -V -p ${publicPath} -m index.json`,
        '',
      ].join('\n'),
    );
  }
  return ExitCode.ok;
}
