// Whether a file that serve opened lies inside the served tree: a symlink in the tree (a folder or the file itself)
// must not lead to anything outside it. Its real path is checked the first time each file is served; after that the
// file is known by identity (device, inode and change time, from the fstat of the descriptor being served), so a 304
// costs no realpath (a quarter of its file-system calls, bench:serve). A different file reached by the same path (a
// symlink planted later, a renamed-over bundle) has another inode; a hard link made later, or an inode number reused
// by a new file, changes the change time. Either way its real path is checked again.
import { realpathSync, type Stats } from 'node:fs';
import { sep } from 'node:path';

/** A tree holds a few dozen files; the bound only stops a churn of versions from growing the set. */
const VERIFIED_FILES = 1024;

export class TreeGuard {
  private readonly verified = new Set<string>();

  constructor(private readonly rootReal: string) {}

  contains(path: string, st: Stats): boolean {
    const identity = `${st.dev}:${st.ino}:${st.ctimeMs}`;
    if (this.verified.has(identity)) return true;
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch {
      return false;
    }
    if (real === this.rootReal || !(real + sep).startsWith(this.rootReal + sep)) return false;
    if (this.verified.size >= VERIFIED_FILES) this.verified.clear();
    this.verified.add(identity);
    return true;
  }
}
