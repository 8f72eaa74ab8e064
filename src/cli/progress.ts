// Live progress on a terminal: one line per active transfer (bytes, rate, ETA), redrawn at most 5 times a second.
import type { Writable } from 'node:stream';
import { bundleKey, type BundleId } from '../bundle/identity.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

interface Line {
  bytes: number;
  total: number | undefined;
  started: number;
}

export class ProgressDisplay {
  private readonly lines = new Map<string, Line>();
  private drawn = 0;
  private lastDraw = 0;

  constructor(
    private readonly out: Writable,
    private readonly now: () => number = () => performance.now(),
  ) {}

  readonly update = (id: BundleId, bytes: number, total: number | undefined): void => {
    const key = bundleKey(id);
    const line = this.lines.get(key) ?? { bytes: 0, total, started: this.now() };
    line.bytes = bytes;
    line.total = total;
    this.lines.set(key, line);
    if (this.now() - this.lastDraw >= 200) this.draw();
  };

  readonly remove = (id: BundleId): void => {
    this.lines.delete(bundleKey(id));
    this.draw();
  };

  clear(): void {
    this.lines.clear();
    this.draw();
  }

  private draw(): void {
    this.lastDraw = this.now();
    let text = this.drawn > 0 ? `\x1b[${this.drawn}F\x1b[J` : '';
    for (const [key, l] of this.lines) {
      const secs = Math.max(0.001, (this.now() - l.started) / 1000);
      const rate = l.bytes / secs;
      const pct = l.total ? ` ${((100 * l.bytes) / l.total).toFixed(0).padStart(3)}%` : '';
      const eta = l.total && rate > 0 ? ` ETA ${formatDuration(((l.total - l.bytes) / rate) * 1000)}` : '';
      text += `  ${key.padEnd(32)}${pct} ${formatBytes(l.bytes)}${l.total ? ` / ${formatBytes(l.total)}` : ''}  ${formatBytes(rate)}/s${eta}\n`;
    }
    this.drawn = this.lines.size;
    this.out.write(text);
  }
}
