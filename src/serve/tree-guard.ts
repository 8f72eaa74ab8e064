// Whether a file that serve opened lies inside the served tree: a symlink in the tree (a folder or the file itself)
// must not lead to anything outside it. Its real path is checked the first time each file is served; after that the
// file is known by identity (device, inode and change time, from the fstat of the descriptor being served), so a 304
// costs no realpath (a quarter of its file-system calls, bench:serve). A different file reached by the same path (a
// symlink planted later, a renamed-over bundle) has another inode; a hard link made later, or an inode number reused
// by a new file, changes the change time. Either way its real path is checked again.
import { realpathSync, type Stats } from 'node:fs';
import { sep } from 'node:path';
import { BoundedCache } from '../util/bounded-cache.js';

export class TreeGuard {
  /** Identities found inside the tree. Only those: a failed check (the path replaced mid-request) is not kept. */
  private readonly verified = new BoundedCache<true>(1024);

  constructor(private readonly rootReal: string) {}

  contains(path: string, st: Stats): boolean {
    const identity = `${st.dev}:${st.ino}:${st.ctimeMs}`;
    if (this.verified.get(identity)) return true;
    let real: string;
    try {
      real = realpathSync.native(path);
    } catch {
      return false;
    }
    if (real === this.rootReal || !(real + sep).startsWith(this.rootReal + sep)) return false;
    return this.verified.remember(identity, true);
  }
}
