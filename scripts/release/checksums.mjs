// SHA256SUMS in the format `sha256sum -c` reads, and its signature in minisign's format (the tool's own keys are
// minisign keys), checked by anyone with `minisign -Vm SHA256SUMS -p mdatp-mirror.pub`.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';

async function sha256(file) {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export async function writeChecksums(dir, names) {
  const lines = await Promise.all(names.map(async (n) => `${await sha256(join(dir, n))}  ${n}\n`));
  writeFileSync(join(dir, 'SHA256SUMS'), lines.join(''));
}

export function signChecksums(dir, secretKey, trustedComment) {
  execFileSync(
    'minisign',
    ['-S', '-s', secretKey, '-m', join(dir, 'SHA256SUMS'), '-x', join(dir, 'SHA256SUMS.minisig'), '-t', trustedComment],
    {
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}
