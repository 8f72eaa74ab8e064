// A size-rotated log file (file, file.1 … file.N-1): the old scripts' log grew to 100 MB; this one is bounded.
import { existsSync, renameSync, rmSync, statSync } from 'node:fs';
import pino from 'pino';

export interface RotationOptions {
  readonly maxBytes: number;
  /** Files kept in all, the live one included. */
  readonly files: number;
}

export class RotatingDestination {
  private readonly current: ReturnType<typeof pino.destination>;
  private size: number;

  constructor(
    private readonly file: string,
    private readonly rotation: RotationOptions,
  ) {
    // Synchronous writes: a run logs dozens of lines, and a crash or a signal must not lose the last ones.
    this.current = pino.destination({ dest: file, sync: true, append: true });
    this.size = existsSync(file) ? statSync(file).size : 0;
    if (this.size >= rotation.maxBytes) this.rotate();
  }

  write(line: string): boolean {
    const len = Buffer.byteLength(line);
    if (this.size > 0 && this.size + len > this.rotation.maxBytes) this.rotate();
    this.size += len;
    return this.current.write(line);
  }

  private rotate(): void {
    const { files } = this.rotation;
    if (files <= 1) {
      rmSync(this.file, { force: true });
    } else {
      rmSync(`${this.file}.${files - 1}`, { force: true });
      for (let i = files - 2; i >= 1; i--) {
        if (existsSync(`${this.file}.${i}`)) renameSync(`${this.file}.${i}`, `${this.file}.${i + 1}`);
      }
      if (existsSync(this.file)) renameSync(this.file, `${this.file}.1`);
    }
    this.current.reopen();
    this.size = 0;
  }

  end(): void {
    this.current.end();
  }
}
