// The downloadable archives: a .tar.xz per Linux executable, a .zip for Windows, each one folder holding the
// executable, the licence, the README and the bundled code's licence notices, every time set to the commit's.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { basename, join } from 'node:path';

function stage({ work, name, exe, notices, epoch, exeName }) {
  const dir = join(work, 'archive', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(exe, join(dir, exeName));
  copyFileSync('LICENSE', join(dir, 'LICENSE'));
  copyFileSync('README.md', join(dir, 'README.md'));
  copyFileSync(notices, join(dir, 'THIRD-PARTY-NOTICES.txt'));
  for (const f of [...readdirSync(dir).map((f) => join(dir, f)), dir]) utimesSync(f, epoch, epoch);
  return dir;
}

/** name.tar.xz: sorted names, numeric owner 0, the commit's time; xz in threads of fixed-size blocks, reproducible. */
export function tarXz(args) {
  const dir = stage({ ...args, exeName: 'mdatp-mirror' });
  const tar = join(args.work, `${args.name}.tar`);
  const options = ['--sort=name', `--mtime=@${args.epoch}`, '--owner=0', '--group=0', '--numeric-owner', '--format=gnu'];
  execFileSync('tar', [...options, '-C', join(dir, '..'), '-cf', tar, basename(dir)]);
  execFileSync('xz', ['-6', '-T0', '--block-size=16MiB', '-f', tar]);
  renameSync(`${tar}.xz`, args.out);
}

/** name.zip: the folder with no extra attributes (-X) and no directory entries (-D), times in UTC. */
export function zip(args) {
  const dir = stage({ ...args, exeName: 'mdatp-mirror.exe' });
  const files = readdirSync(dir)
    .sort()
    .map((f) => join(basename(dir), f));
  execFileSync('zip', ['-q', '-X', '-D', '-9', args.out, ...files], { cwd: join(dir, '..'), env: { ...process.env, TZ: 'UTC' } });
}
