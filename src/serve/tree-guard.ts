// Whether a file that serve opened lies inside the served tree: a symlink in the tree (a folder or the file itself)
// must not lead to anything outside it. Its real path is checked the first time each file is served; after that the
// file is known by identity (device, inode and change time, from the fstat of the descriptor being served), so a 304
// costs no realpath (a quarter of its file-system calls, bench:serve). A different file reached by the same path (a
// symlink planted later, a renamed-over bundle) has another inode; a hard link made later, an inode number reused by
// a new file, or a change of permissions changes the change time. Either way the file is opened and checked again.
import { realpathSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { BoundedCache } from '../util/bounded-cache.js';

type Identity = Pick<Stats, 'dev' | 'ino' | 'ctimeMs'>;

export class TreeGuard {
  /**
   * Files opened and found inside the tree, by inode (numbers compared, not formatted into a key per request). Only
   * those: a failed check (the path replaced mid-request) is not kept.
   */
  private readonly verified = new BoundedCache<number, Identity>(1024);

  constructor(private readonly rootReal: string) {}

  /** Whether this file was opened and found inside the tree before: no file-system call. */
  knows(st: Stats): boolean {
    const seen = this.verified.get(st.ino);
    return seen !== undefined && seen.dev === st.dev && seen.ctimeMs === st.ctimeMs;
  }

  /** Checks the file whose descriptor serve opened (st is its fstat), remembering it when it lies inside the tree. */
  contains(path: string, st: Stats): boolean {
    if (this.knows(st)) return true;
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch {
      return false;
    }
    if (real === this.rootReal || !(real + sep).startsWith(this.rootReal + sep)) return false;
    this.verified.remember(st.ino, { dev: st.dev, ino: st.ino, ctimeMs: st.ctimeMs });
    return true;
  }
}
