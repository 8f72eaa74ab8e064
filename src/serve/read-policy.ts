// Whether serve reads the next piece of a file on its own thread. From the page cache, where a served bundle almost
// always is, a 256 KiB read takes tens of microseconds, less than handing it to libuv's thread pool and back. A disk
// that answers slowly (a cold disk, a network share) would hold every other request behind each read: when reads stay
// slow, they go through the thread pool for a while, so a slow disk costs the old way's speed, not the server's
// responsiveness. A single slow read is not enough: on a busy machine the serving thread is sometimes descheduled in
// the middle of one (bench:serve, 64 clients on 2 vCPUs: 10 of 65,536 cached reads took 5-20 ms, none longer).

/** A read's weight in the running average of read times (1/16: one 20 ms read among fast ones moves it to 1.25 ms). */
const WEIGHT = 1 / 16;
/** A running average above this means the disk is slow (about four 10 ms reads in a row). */
const SLOW_AVERAGE_MS = 2;
/** How long reads stay off the serving thread once the disk was slow, before it is tried again. */
export const OFF_THREAD_MS = 10_000;

export class ReadPolicy {
  private averageMs = 0;
  private offThreadUntil = Number.NEGATIVE_INFINITY;

  /** Whether to read on the serving thread at `now` (ms, a monotonic clock). */
  readOnThread(now: number): boolean {
    return now >= this.offThreadUntil;
  }

  /** Reports how long a read on the serving thread took, ending at `now`. */
  tookMs(ms: number, now: number): void {
    this.averageMs += WEIGHT * (ms - this.averageMs);
    if (this.averageMs <= SLOW_AVERAGE_MS) return;
    this.offThreadUntil = now + OFF_THREAD_MS;
    this.averageMs = 0;
  }
}
