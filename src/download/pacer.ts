// Keeps a download from running far ahead of the zip check that follows it (bundle/zip-follower.ts). Where the network
// outruns the CPU (loopback, a fast LAN), every byte left unchecked at the last byte is checked after it, and the
// transfer's own work (the socket, the hash, the writes) is what starves the check meanwhile: a 128 MB bundle was
// checked through its first 103 bytes when its last byte landed (bench/). Holding the socket while the check is more
// than LAG_BYTES behind costs no time there (the CPU is the limit either way) and leaves at most that much for after
// the last byte. Where the network is the limit the check keeps up and nothing ever waits.
import type { ZipFollower } from '../bundle/zip-follower.js';

/** Unchecked bytes on disk at which the download waits, and at which it goes on. */
const LAG_BYTES = 8 * 1024 * 1024;
const RESUME_LAG_BYTES = LAG_BYTES / 2;

export class DownloadPacer {
  private contiguous = 0;
  private anywhere = 0;

  constructor(private readonly follower: Pick<ZipFollower, 'readThrough' | 'readMore'>) {}

  /** What is on disk: complete from offset 0, and in all (a split's later ranges included). */
  wrote(contiguous: number, anywhere = contiguous): void {
    this.contiguous = contiguous;
    this.anywhere = anywhere;
  }

  /**
   * Before a part of the first range (or the only one) is written: undefined to go on now, or a promise that resolves
   * when the check has caught up with what is complete from the start.
   */
  gate(signal: AbortSignal): Promise<void> | undefined {
    return this.behind(this.contiguous) > LAG_BYTES
      ? this.until(() => this.behind(this.contiguous) <= RESUME_LAG_BYTES, signal)
      : undefined;
  }

  /**
   * Before a part of a later range is written. Later ranges are written ahead of the check by design (the check reads
   * them after the first), so one is held only while the check is also behind what it could read now: the CPU, not a
   * per-connection limit, is then what bounds the bundle. A check that keeps up (a WAN) never holds one, and a
   * moment's lag holds one only for that moment.
   */
  gateLater(signal: AbortSignal): Promise<void> | undefined {
    return this.starved() ? this.until(() => !this.starved(), signal) : undefined;
  }

  private starved(): boolean {
    return this.behind(this.contiguous) > RESUME_LAG_BYTES && this.behind(this.anywhere) > LAG_BYTES;
  }

  /** How far the check is behind an offset: 0 once it has stopped following (nothing is held for it then). */
  private behind(offset: number): number {
    const at = this.follower.readThrough;
    return at === undefined ? 0 : offset - at;
  }

  private async until(done: () => boolean, signal: AbortSignal): Promise<void> {
    let stop = (): void => undefined;
    const aborted = new Promise<void>((resolve) => (stop = resolve));
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted && !done()) await Promise.race([this.follower.readMore(), aborted]);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
