// Where `npm run release` put each artifact: release/<name>, named as the README's Install section lists them.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
const inRelease = (name: string): string => fileURLToPath(new URL(`release/${name}`, root));

export const releaseDir = inRelease('');
export const artifact = {
  version,
  linuxX64: inRelease(`mdatp-mirror-${version}-linux-x64`),
  linuxArm64: inRelease(`mdatp-mirror-${version}-linux-arm64`),
  winX64: inRelease(`mdatp-mirror-${version}-win-x64.exe`),
  linuxX64Tar: inRelease(`mdatp-mirror-${version}-linux-x64.tar.xz`),
  linuxArm64Tar: inRelease(`mdatp-mirror-${version}-linux-arm64.tar.xz`),
  winX64Zip: inRelease(`mdatp-mirror-${version}-win-x64.zip`),
  debAmd64: inRelease(`mdatp-mirror_${version}_amd64.deb`),
  debArm64: inRelease(`mdatp-mirror_${version}_arm64.deb`),
  rpmX86: inRelease(`mdatp-mirror-${version}-1.x86_64.rpm`),
  rpmAarch64: inRelease(`mdatp-mirror-${version}-1.aarch64.rpm`),
  sbom: inRelease(`mdatp-mirror-${version}.cdx.json`),
  npm: inRelease(`mdatp-mirror-${version}.tgz`),
  sums: inRelease('SHA256SUMS'),
} as const;
