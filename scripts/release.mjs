// `npm run release [-- --key release.key]`: everything an admin carries to a mirror server, in release/: a single
// executable per platform (and its .tar.xz or .zip), .deb and .rpm for x64 and arm64, the npm tarball, an SBOM, and
// SHA256SUMS signed with the release key. Run after `npm run build`; docs/installing.md says how to check each.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCommit, pkg } from './lib/bundle-options.mjs';
import { tarXz, zip } from './release/archives.mjs';
import { signChecksums, writeChecksums } from './release/checksums.mjs';
import { buildDeb, buildRpm } from './release/linux-packages.mjs';
import { cyclonedx } from './release/sbom.mjs';
import { bundleForExecutables, buildExecutable } from './release/single-executable.mjs';
import { TARGETS } from './release/targets.mjs';

const { values: args } = parseArgs({ options: { key: { type: 'string' }, out: { type: 'string', default: 'release' } } });
const root = new URL('../', import.meta.url).pathname;
const out = join(root, args.out);
const work = join(out, '.work');
const version = pkg.version;
const commit = buildCommit();
const git = (...a) => execFileSync('git', a, { cwd: root, encoding: 'utf8' }).trim();
// Two builds of one commit give the same bytes: every time inside an artifact is the commit's.
const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? git('log', '-1', '--format=%ct'));

const started = performance.now();
const timings = [];
const step = async (name, fn) => {
  const t = performance.now();
  const r = await fn();
  timings.push([name, (performance.now() - t) / 1000]);
  return r;
};

rmSync(out, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const cli = (...a) => execFileSync(process.execPath, [join(root, 'bin/mdatp-mirror.js'), ...a], { encoding: 'utf8' });
const completions = { bash: cli('completion', 'bash'), zsh: cli('completion', 'zsh'), fish: cli('completion', 'fish') };
const manPage = readFileSync(join(root, 'docs/man/mdatp-mirror.1'));

const bundle = await step('bundle', () => bundleForExecutables(work));
const name = (t) => `mdatp-mirror-${version}-${t.id}${t.id.startsWith('win') ? '.exe' : ''}`;
for (const t of TARGETS) {
  const exe = join(out, name(t));
  await step(`executable ${t.id}`, () => buildExecutable(t, bundle.script, work, exe));
  const base = `mdatp-mirror-${version}-${t.id}`;
  if (t.deb) {
    await step(`tar.xz ${t.id}`, () => tarXz({ work, name: base, exe, notices: bundle.legal, epoch, out: join(out, `${base}.tar.xz`) }));
    const packaging = { target: t, exe, version, epoch, work, manPage, completions, notices: bundle.legal };
    await step(`deb ${t.deb}`, () => buildDeb({ ...packaging, out: join(out, `mdatp-mirror_${version}_${t.deb}.deb`) }));
    await step(`rpm ${t.rpm}`, () => buildRpm({ ...packaging, out: join(out, `mdatp-mirror-${version}-1.${t.rpm}.rpm`) }));
  } else {
    await step(`zip ${t.id}`, () => zip({ work, name: base, exe, notices: bundle.legal, epoch, out: join(out, `${base}.zip`) }));
  }
}
// The npm route (macOS on Homebrew's Node, or any machine with Node 22+): npm's own tarball, with fixed times.
await step('npm pack', () => execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', out], { cwd: root }));
const runtimes = TARGETS.map((t) => t.node.split('@')[1]);
writeFileSync(join(out, `mdatp-mirror-${version}.cdx.json`), cyclonedx({ metafile: bundle.metafile, version, commit, epoch, runtimes }));

rmSync(work, { recursive: true, force: true });
const artifacts = readdirSync(out).sort();
await writeChecksums(out, artifacts);
if (args.key) await signChecksums(out, args.key, `mdatp-mirror ${version} (commit ${commit}) release checksums`);
else console.error('no --key: SHA256SUMS is not signed (a release for others must be: npm run release -- --key <secret key>)');

const mb = (f) => (statSync(join(out, f)).size / 1e6).toFixed(1).padStart(7);
console.log(`release ${version} (commit ${commit}) in ${args.out}/:`);
for (const f of readdirSync(out).sort()) console.log(`${mb(f)} MB  ${f}`);
console.log(timings.map(([n, s]) => `${n} ${s.toFixed(1)} s`).join(', '));
console.log(`npm run release took ${((performance.now() - started) / 1000).toFixed(0)} s after the build`);
