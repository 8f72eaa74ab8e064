// /healthz proves content, not only sizes, without reading every bundle on every probe: a bundle is hashed once per
// change of its file (inode, size and mtime), in the background. A probe waits briefly for a fresh hash and otherwise
// answers from the size check until the hash is done.
import { stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { sha256File } from '../store/file-facts.js';

/** How long a probe waits for a hash that is under way (small bundles are done by then). */
const PROBE_WAIT_MS = 1000;

interface Check {
  readonly key: string;
  readonly matches: Promise<boolean | undefined>;
}

export class ContentChecks {
  private readonly checks = new Map<string, Check>();

  /** Whether the file's bytes have this SHA-256; undefined while unknown (hash under way, file gone). */
  async matches(path: string, sha256: string): Promise<boolean | undefined> {
    const st = await stat(path).catch(() => undefined);
    if (!st) return undefined;
    const key = `${st.ino}:${st.size}:${st.mtimeMs}:${sha256}`;
    let check = this.checks.get(path);
    if (check?.key !== key) {
      check = {
        key,
        matches: sha256File(path).then(
          (h) => h === sha256,
          () => undefined,
        ),
      };
      this.checks.set(path, check);
    }
    return Promise.race([check.matches, sleep(PROBE_WAIT_MS, undefined, { ref: false })]);
  }
}
