// What every bundle of the CLI shares (npm's ESM chunks and the single executable's one CommonJS file): the build's
// identity fixed at build time, so nothing searches for package.json or git at run time.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
export const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));

/** The commit built from, "+dirty" when tracked files differ from it; "unknown" outside a git checkout (npm tarball). */
export function buildCommit() {
  const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short=12', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? commit : `${commit}+dirty`;
  } catch {
    return 'unknown';
  }
}

export const sharedOptions = () => ({
  bundle: true,
  platform: 'node',
  target: 'node22.22',
  define: {
    __MDATP_MIRROR_VERSION__: JSON.stringify(pkg.version),
    __MDATP_MIRROR_COMMIT__: JSON.stringify(buildCommit()),
  },
  // jsonc-parser's main entry is a UMD build that requires its parts at run time; its ESM build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  // Without comments the code is plain ASCII: one character beyond Latin-1 in a comment (undici's em dashes) made V8
  // decode and hold the whole undici chunk as two-byte text (bench/: a no-op run 84.1 -> 81.6 MiB). Names are kept
  // (stack traces, error classes); the licence comments go to *.LEGAL.txt.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'external',
  logLevel: 'warning',
});
