// A CycloneDX 1.5 SBOM of what the executables carry: every npm package esbuild put into the bundle (from its
// metafile, so a dependency that is installed but not bundled is not listed) and the Node.js runtimes they run on.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The package a bundled input file belongs to: the innermost node_modules/<name> or node_modules/@scope/<name>. */
function packageDir(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return m?.[1];
}

const purl = (name, version) => `pkg:npm/${name.replace(/^@/, '%40')}@${version}`;

function licenseOf(pkg) {
  const id = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type;
  if (!id) return [];
  return [/^[\w.-]+$/.test(id) ? { license: { id } } : { expression: id }];
}

export function cyclonedx({ metafile, version, commit, epoch, runtimes }) {
  const dirs = new Set(Object.keys(metafile.inputs).map(packageDir).filter(Boolean));
  const packages = new Map();
  for (const dir of dirs) {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    // A package's inner folders may hold a package.json of their own (a "type" marker) with no name.
    if (!pkg.name || !pkg.version) continue;
    packages.set(`${pkg.name}@${pkg.version}`, pkg);
  }
  const libraries = [...packages.values()]
    .sort((a, b) => `${a.name}@${a.version}`.localeCompare(`${b.name}@${b.version}`))
    .map((pkg) => ({
      type: 'library',
      'bom-ref': purl(pkg.name, pkg.version),
      name: pkg.name,
      version: pkg.version,
      purl: purl(pkg.name, pkg.version),
      licenses: licenseOf(pkg),
    }));
  const node = [...new Set(runtimes)].sort().map((v) => ({
    type: 'platform',
    'bom-ref': `pkg:generic/node@${v}`,
    name: 'node',
    version: v,
    purl: `pkg:generic/node@${v}`,
    licenses: [{ license: { id: 'MIT' } }],
    description: 'the official Node.js binary each executable is built on',
  }));
  const body = { libraries, node, version, commit };
  // The serial number is derived from the content, so two builds of one commit give the same file.
  const h = createHash('sha256').update(JSON.stringify(body)).digest('hex');
  const serial = `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  const bom = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    serialNumber: serial,
    version: 1,
    metadata: {
      timestamp: new Date(epoch * 1000).toISOString(),
      component: {
        type: 'application',
        'bom-ref': purl('mdatp-mirror', version),
        name: 'mdatp-mirror',
        version,
        purl: purl('mdatp-mirror', version),
        description: `commit ${commit}`,
      },
    },
    components: [...libraries, ...node],
  };
  return `${JSON.stringify(bom, null, 2)}\n`;
}
