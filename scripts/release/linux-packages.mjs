// The .deb and .rpm, built with the distributions' own tools (dpkg-deb, rpmbuild) from one set of files: the
// executable, /etc/mdatp-mirror/settings.json as `init` writes it, and the systemd units `schedule install` and
// `serve install` generate, made by running the Linux x64 executable itself inside a scratch root, then moved to
// their installed paths. The units ship disabled; postinst (deb) and %pre (rpm) make the system account.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

const MAINTAINER = 'mdatp-mirror developers <mdatp-mirror@users.noreply.github.com>';
const UNITS = ['mdatp-mirror.service', 'mdatp-mirror.timer', 'mdatp-mirror-serve.service'];

/** Runs a packaging tool, showing its output only when it fails (rpmbuild is loud). */
function run(cmd, args, opts = {}) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
  } catch (e) {
    process.stderr.write(`${e.stdout ?? ''}${e.stderr ?? ''}`);
    throw new Error(`${cmd} failed (exit ${e.status})`, { cause: e });
  }
}

let generated;

/** settings.json and the units, as the tool itself writes them for an installed /usr/bin/mdatp-mirror. */
function generatedFiles(work, exe, target) {
  if (generated) return generated;
  if (target.id !== 'linux-x64') throw new Error('the Linux x64 executable must be built first: it writes the packaged settings and units');
  const root = join(work, 'generate-root');
  rmSync(root, { recursive: true, force: true });
  const installed = join(root, 'usr/bin/mdatp-mirror');
  mkdirSync(dirname(installed), { recursive: true });
  copyFileSync(exe, installed);
  const settings = join(root, 'etc/mdatp-mirror/settings.json');
  const cli = (...args) => run(installed, args, { cwd: root });
  cli(
    'init',
    '--dir',
    dirname(settings),
    '--download-folder',
    join(root, 'var/lib/mdatp-mirror/wdav-update'),
    '--log-file',
    join(root, 'var/log/mdatp-mirror/mdatp_offline_updates.log'),
  );
  const units = join(root, 'units');
  cli('schedule', 'install', '--with', 'systemd', '--user', 'mdatp-mirror', '--settings', settings, '--out', units);
  cli('serve', 'install', '--with', 'systemd', '--user', 'mdatp-mirror', '--settings', settings, '--out', units);
  const unrooted = (f) => readFileSync(f, 'utf8').replaceAll(root, '');
  generated = { settings: unrooted(settings), units: Object.fromEntries(UNITS.map((u) => [u, unrooted(join(units, u))])) };
  return generated;
}

function put(tree, path, content, mode = 0o644) {
  const file = join(tree, path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  if (Buffer.isBuffer(content) || typeof content === 'string') writeFileSync(file, content);
  else copyFileSync(content.from, file);
  chmodSync(file, mode);
}

const gz = (text) => gzipSync(text, { level: 9 });

/** The files both packages hold; `layout` names where each distribution keeps units and zsh completions. */
function payload(tree, { exe, work, target, manPage, completions, layout }) {
  rmSync(tree, { recursive: true, force: true });
  const files = generatedFiles(work, exe, target);
  put(tree, 'usr/bin/mdatp-mirror', { from: exe }, 0o755);
  put(tree, 'etc/mdatp-mirror/settings.json', files.settings);
  for (const [unit, text] of Object.entries(files.units)) put(tree, `${layout.units}/${unit}`, text);
  put(tree, 'usr/share/bash-completion/completions/mdatp-mirror', completions.bash);
  put(tree, `${layout.zsh}/_mdatp-mirror`, completions.zsh);
  put(tree, 'usr/share/fish/vendor_completions.d/mdatp-mirror.fish', completions.fish);
  put(tree, 'usr/share/man/man1/mdatp-mirror.1.gz', gz(manPage));
  // The alert rules (with their promtool unit test) and the Grafana dashboard, for the monitoring the site runs.
  for (const f of MONITORING_FILES) put(tree, `usr/share/mdatp-mirror/monitoring/${f}`, { from: `monitoring/${f}` });
}

const MONITORING_FILES = ['alerts.yml', 'alerts.test.yml', 'grafana-dashboard.json'];

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? [p, ...walk(p)] : [p];
  });
}

/** Every time in the tree is the commit's, so two builds of one commit give the same package. */
function settle(tree, epoch) {
  for (const p of [...walk(tree), tree]) {
    if (statSync(p).isDirectory()) chmodSync(p, 0o755);
    utimesSync(p, epoch, epoch);
  }
}

const debChangelog = (version, epoch) =>
  `mdatp-mirror (${version}) unstable; urgency=medium\n\n  * Release ${version}: see CHANGELOG.md in the source.\n\n -- ${MAINTAINER}  ${new Date(epoch * 1000).toUTCString().replace('GMT', '+0000')}\n`;

function debCopyright() {
  const license = readFileSync('LICENSE', 'utf8')
    .trim()
    .split('\n')
    .map((l) => (l.trim() === '' ? ' .' : ` ${l}`))
    .join('\n');
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: mdatp-mirror',
    '',
    'Files: *',
    'Copyright: 2026 mdatp-mirror developers',
    'License: MIT',
    license,
    '',
    'Comment: usr/bin/mdatp-mirror is the official Node.js binary (MIT and the licences in its LICENSE) with the',
    ' bundled JavaScript modules injected; their notices are in THIRD-PARTY-NOTICES.txt beside this file.',
    '',
  ].join('\n');
}

const DESCRIPTION = [
  'offline security-intelligence mirror for Microsoft Defender for Endpoint',
  ' mdatp-mirror downloads the security intelligence bundles of Microsoft',
  ' Defender for Endpoint on Linux and macOS, verifies them (zip CRCs, size,',
  ' SHA-256) and publishes them atomically into the folder layout endpoints',
  ' expect, keeping the previous set as a fallback. It serves the fleet and',
  ' signs what crosses an air gap.',
].join('\n');

// Where each distribution keeps systemd units and zsh completions.
const DEB_LAYOUT = { units: 'lib/systemd/system', zsh: 'usr/share/zsh/vendor-completions' };
const RPM_LAYOUT = { units: 'usr/lib/systemd/system', zsh: 'usr/share/zsh/site-functions' };

export function buildDeb(build) {
  const { target, version, epoch, work, notices, out } = build;
  const tree = join(work, `deb-${target.deb}`);
  payload(tree, { ...build, layout: DEB_LAYOUT });
  put(tree, 'usr/share/doc/mdatp-mirror/copyright', debCopyright());
  put(tree, 'usr/share/doc/mdatp-mirror/changelog.gz', gz(debChangelog(version, epoch)));
  put(tree, 'usr/share/doc/mdatp-mirror/THIRD-PARTY-NOTICES.txt', { from: notices });
  put(tree, 'usr/share/lintian/overrides/mdatp-mirror', { from: 'packaging/deb/lintian-overrides' });
  const files = walk(tree).filter((p) => statSync(p).isFile());
  const md5sums = files.map((f) => `${createHash('md5').update(readFileSync(f)).digest('hex')}  ${relative(tree, f)}\n`).join('');
  const installedKiB = Math.ceil(files.reduce((n, f) => n + statSync(f).size, 0) / 1024);
  put(
    tree,
    'DEBIAN/control',
    [
      'Package: mdatp-mirror',
      `Version: ${version}`,
      `Architecture: ${target.deb}`,
      `Maintainer: ${MAINTAINER}`,
      `Installed-Size: ${installedKiB}`,
      'Depends: adduser, libc6 (>= 2.28), libgcc-s1, libstdc++6',
      'Section: net',
      'Priority: optional',
      'Homepage: https://www.npmjs.com/package/mdatp-mirror',
      `Description: ${DESCRIPTION}`,
      '',
    ].join('\n'),
  );
  put(tree, 'DEBIAN/conffiles', '/etc/mdatp-mirror/settings.json\n');
  put(tree, 'DEBIAN/md5sums', md5sums);
  put(tree, 'DEBIAN/postinst', { from: 'packaging/deb/postinst' }, 0o755);
  put(tree, 'DEBIAN/postrm', { from: 'packaging/deb/postrm' }, 0o755);
  settle(tree, epoch);
  run('dpkg-deb', ['--root-owner-group', '-Zxz', '--build', tree, out], { env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) } });
}

export function buildRpm(build) {
  const { target, version, epoch, work, notices, out } = build;
  const top = join(work, `rpm-${target.rpm}`);
  const tree = join(top, 'payload');
  payload(tree, { ...build, layout: RPM_LAYOUT });
  put(tree, 'usr/share/licenses/mdatp-mirror/LICENSE', { from: 'LICENSE' });
  put(tree, 'usr/share/doc/mdatp-mirror/README.md', { from: 'README.md' });
  put(tree, 'usr/share/doc/mdatp-mirror/THIRD-PARTY-NOTICES.txt', { from: notices });
  for (const dir of ['var/lib/mdatp-mirror/wdav-update', 'var/log/mdatp-mirror']) mkdirSync(join(tree, dir), { recursive: true });
  settle(tree, epoch);
  const define = {
    _topdir: top,
    _unitdir: '/usr/lib/systemd/system',
    mm_version: version,
    mm_payload: tree,
    mm_date: new Date(epoch * 1000).toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+).*$/, '$1 $3 $2 $4'),
    // Reproducible: the build time and every file time are the commit's; no host name or build id in the header.
    use_source_date_epoch_as_buildtime: '1',
    clamp_mtime_to_source_epoch: '1',
    _buildhost: 'reproducible',
    __os_install_post: '%{nil}',
  };
  const defines = Object.entries(define).flatMap(([k, v]) => ['--define', `${k} ${v}`]);
  run('rpmbuild', ['-bb', '--quiet', '--target', `${target.rpm}-linux`, ...defines, 'packaging/rpm/mdatp-mirror.spec'], {
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  cpSync(join(top, 'RPMS', target.rpm, `mdatp-mirror-${version}-1.${target.rpm}.rpm`), out);
}
