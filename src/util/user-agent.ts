// Identify ourselves to the upstream, as a polite client does.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package's version, found by walking up from this file (source, compiled or bundled layouts alike). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'mdatp-mirror' && pkg.version) return pkg.version;
    } catch {
      // not here; keep walking up
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const VERSION: string = packageVersion();
export const USER_AGENT = `mdatp-mirror/${VERSION} (+offline security-intelligence mirror; node ${process.versions.node})`;
