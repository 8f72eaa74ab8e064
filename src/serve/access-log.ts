// The access log, written so that it can never stop serving: lines queue in a bounded buffer and go out one write at
// a time off the main thread; when the reader stalls (`serve | stuck`, a wedged journald) new lines are dropped and
// counted (/metrics) instead of blocking the event loop, which once left serve unable to answer or to stop.
import { EventEmitter, once } from 'node:events';
import { write } from 'node:fs';
import { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface AccessRecord {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly status: number;
  readonly bytes: number;
  readonly ms: number;
  readonly remote: string | undefined;
  readonly range: string | undefined;
  readonly ua: string | undefined;
  readonly complete: boolean;
}

/** Lines held while the reader is behind: beyond this, lines are dropped. */
const MAX_QUEUED_BYTES = 1024 * 1024;

/** Where lines go: each accepts a batch without blocking and says how much is still waiting to be written. */
interface Sink {
  write(batch: string, onError: () => void): void;
  readonly waiting: number;
  /** Resolves once everything accepted so far is written. */
  drained(): Promise<void>;
}

/**
 * A pipe or socket gets its own non-blocking handle (process.stdout writes to pipes synchronously, and a blocked write
 * in the thread pool would also keep the process from exiting). Files and terminals do not stall for long: they are
 * written with fs.write, one batch at a time, from the thread pool.
 */
function sinkFor(fd: number): Sink {
  try {
    const socket = new Socket({ fd, readable: false, writable: true });
    socket.on('error', () => undefined);
    return {
      write: (batch, onError) => void socket.write(batch, (e) => e && onError()),
      get waiting() {
        return socket.writableLength;
      },
      drained: () => (socket.writableLength === 0 ? Promise.resolve() : once(socket, 'drain').then(() => undefined)),
    };
  } catch {
    return new FdSink(fd);
  }
}

class FdSink implements Sink {
  private queue: string[] = [];
  waiting = 0;
  private writing = false;
  private readonly idle = new EventEmitter();

  constructor(private readonly fd: number) {}

  drained(): Promise<void> {
    return this.writing ? once(this.idle, 'drained').then(() => undefined) : Promise.resolve();
  }

  write(batch: string, onError: () => void): void {
    this.queue.push(batch);
    this.waiting += batch.length;
    if (!this.writing) this.flush(onError);
  }

  private flush(onError: () => void, pending?: Buffer): void {
    const batch = pending ?? Buffer.from(this.queue.join(''));
    if (!pending) this.queue = [];
    this.writing = true;
    write(this.fd, batch, (err, written) => {
      this.writing = false;
      if (err) onError();
      else if (written < batch.length) return this.flush(onError, batch.subarray(written));
      this.waiting = this.queue.reduce((n, line) => n + line.length, 0);
      if (this.queue.length > 0) this.flush(onError);
      else this.idle.emit('drained');
    });
  }
}

export class AccessLog {
  private readonly sink: Sink;
  /** Lines not written because the reader could not keep up. */
  dropped = 0;

  constructor(fd: number) {
    this.sink = sinkFor(fd);
  }

  record(r: AccessRecord): void {
    this.enqueue(`${JSON.stringify({ time: new Date().toISOString(), event: 'access', ...r })}\n`);
  }

  error(message: string, path: string | undefined): void {
    this.enqueue(`${JSON.stringify({ time: new Date().toISOString(), level: 'error', msg: message, path })}\n`);
  }

  /** Waits (at most timeoutMs) for queued lines to be written, so a graceful stop keeps its last lines. */
  async drain(timeoutMs: number): Promise<void> {
    await Promise.race([this.sink.drained(), sleep(timeoutMs, undefined, { ref: false })]);
  }

  private enqueue(line: string): void {
    if (this.sink.waiting + line.length > MAX_QUEUED_BYTES) {
      this.dropped++;
      return;
    }
    this.sink.write(line, () => this.dropped++);
  }
}
