// The Node.js versions the tool runs on, checked by bin/ before anything else loads: on an older Node the libraries
// fail while loading (undici 8 needs zlib's zstd from Node 22), and that trace reads like a bug of ours.

/** `engines.node` in package.json (a unit test keeps the two the same). */
export const SUPPORTED_NODE = '^22.22.2 || >=24.15.0';

/** Whether a `process.versions.node` string is within SUPPORTED_NODE. */
export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  const atLeast = (m: number, p: number): boolean => minor > m || (minor === m && patch >= p);
  if (major === 22) return atLeast(22, 2);
  return major > 24 || (major === 24 && atLeast(15, 0));
}

/** The refusal printed for an unsupported Node, or undefined when `version` is supported. */
export function unsupportedNodeMessage(version: string, execPath: string): string | undefined {
  if (isSupportedNode(version)) return undefined;
  return [
    `mdatp-mirror: Node.js ${version} (${execPath}) is not supported: it needs Node.js 22 from 22.22.2, or 24 from 24.15.0 (engines ${SUPPORTED_NODE}).`,
    'Install Node.js 24 or 22 and run mdatp-mirror with it. Without root, from the npm registry:',
    '  npm install --prefix /opt/node24 node@24 && export PATH=/opt/node24/node_modules/node/bin:$PATH',
    'Other ways (dnf, NodeSource, brew, winget): docs/installing.md, "Node.js versions". Nothing was done.',
    '',
  ].join('\n');
}
