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
  private starved = false;

  /**
   * `firstRangeEnd`: where the range the follower reads first ends (the whole file on one connection). The other
   * ranges of a split are written ahead of the check by design, so they are held only once the check has fallen
   * behind the first range: the CPU, not a per-connection limit, is then what bounds the bundle.
   */
  constructor(
    private readonly follower: Pick<ZipFollower, 'readThrough' | 'readMore'>,
    private readonly firstRangeEnd: number,
  ) {}

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
    return this.waitWhile(() => this.contiguous, signal);
  }

  /**
   * Before a part of a later range is written: held only once the check has fallen behind within the first range, and
   * then while everything written (this range's bytes too, which the check reads after the first range) is ahead of it.
   */
  gateLater(signal: AbortSignal): Promise<void> | undefined {
    return this.starved ? this.waitWhile(() => this.anywhere, signal) : undefined;
  }

  private waitWhile(ahead: () => number, signal: AbortSignal): Promise<void> | undefined {
    if (this.behind(ahead()) <= LAG_BYTES) return undefined;
    return this.caughtUp(ahead, signal);
  }

  /** How far the check is behind an offset (0 once it has stopped following); notes when the first range outruns it. */
  private behind(offset: number): number {
    const at = this.follower.readThrough;
    if (at === undefined) return 0;
    if (this.contiguous <= this.firstRangeEnd && this.contiguous - at > LAG_BYTES) this.starved = true;
    return offset - at;
  }

  private async caughtUp(ahead: () => number, signal: AbortSignal): Promise<void> {
    let stop = (): void => undefined;
    const aborted = new Promise<void>((resolve) => (stop = resolve));
    signal.addEventListener('abort', stop, { once: true });
    try {
      while (!signal.aborted && this.behind(ahead()) > RESUME_LAG_BYTES) await Promise.race([this.follower.readMore(), aborted]);
    } finally {
      signal.removeEventListener('abort', stop);
    }
  }
}
