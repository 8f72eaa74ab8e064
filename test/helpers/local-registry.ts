// A stand-in for the npm registry on 127.0.0.1, serving the production dependencies this checkout already has
// installed (as the lockfile lists them), so `npm install --global` of our tarball can be tested without reaching the
// real registry. Each package is packed from node_modules with GNU tar; packuments carry what npm resolves with.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly link?: boolean;
}

interface Published {
  readonly manifest: Record<string, unknown>;
  readonly tarball: Buffer;
}

const MANIFEST_FIELDS = [
  'name',
  'version',
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
];

function pack(folder: string): Buffer {
  // package/ as npm's tarballs have it; a package's own node_modules are other entries of the lockfile.
  return execFileSync('tar', ['-cz', '--exclude=./node_modules', '--transform', 's,^\\.,package,', '-C', folder, '.'], {
    maxBuffer: 256 * 1024 * 1024,
  });
}

export async function startLocalRegistry(root: string): Promise<{ url: string; tarballsServed: () => number; close: () => Promise<void> }> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const packages = new Map<string, Map<string, Published>>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev || entry.link || !entry.version) continue;
    const folder = join(root, path);
    const pkg = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as Record<string, unknown>;
    const manifest = Object.fromEntries(MANIFEST_FIELDS.filter((f) => pkg[f] !== undefined).map((f) => [f, pkg[f]]));
    const name = String(pkg['name']);
    const versions = packages.get(name) ?? new Map<string, Published>();
    if (!versions.has(entry.version)) versions.set(entry.version, { manifest, tarball: pack(folder) });
    packages.set(name, versions);
  }

  let served = 0;
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname).slice(1);
    const tarball = /^-\/(.+)\/(.+)\.tgz$/.exec(path);
    if (tarball) {
      const found = packages.get(tarball[1]!)?.get(tarball[2]!);
      if (!found) return void res.writeHead(404).end();
      served++;
      return void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(found.tarball);
    }
    const versions = packages.get(path);
    if (!versions) return void res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    const base = `http://${req.headers.host}`;
    const doc = {
      name: path,
      'dist-tags': { latest: [...versions.keys()].at(-1) },
      versions: Object.fromEntries(
        [...versions].map(([version, p]) => [
          version,
          {
            ...p.manifest,
            dist: {
              tarball: `${base}/-/${encodeURIComponent(path)}/${version}.tgz`,
              integrity: `sha512-${createHash('sha512').update(p.tarball).digest('base64')}`,
            },
          },
        ]),
      ),
    };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(doc));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    tarballsServed: () => served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
