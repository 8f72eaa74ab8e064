// Live progress on a terminal: one row per bundle in flight (bytes, rate, ETA, then "verifying" during the zip check),
// cut to the terminal's width so a row never wraps, redrawn at most 5 times a second and when the terminal is
// resized. Event lines are printed through it, above the rows.
import { bundleLabel, type BundleId } from '../bundle/identity.js';
import { formatBytes } from '../util/bytes.js';
import { formatDuration } from '../util/duration.js';

interface Row {
  bytes: number;
  total: number | undefined;
  started: number;
  verifying: boolean;
}

/** The stderr of a terminal: where rows go, how wide it is, and its resize event. */
interface Terminal {
  write(text: string): unknown;
  readonly columns?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export class ProgressDisplay {
  private readonly rows = new Map<string, Row>();
  /** The length of each line drawn last, to know how many screen rows to go back up after a resize. */
  private drawn: number[] = [];
  private lastDraw = 0;
  private readonly onResize = (): void => this.draw();

  constructor(
    private readonly out: Terminal,
    private readonly now: () => number = () => performance.now(),
  ) {
    out.on?.('resize', this.onResize);
  }

  readonly update = (id: BundleId, bytes: number, total: number | undefined): void => {
    const key = bundleLabel(id);
    const row = this.rows.get(key) ?? { bytes: 0, total, started: this.now(), verifying: false };
    row.bytes = bytes;
    row.total = total;
    this.rows.set(key, row);
    if (this.now() - this.lastDraw >= 200) this.draw();
  };

  /** Every byte is in; the zip check runs until `done`. */
  readonly verifying = (id: BundleId): void => {
    const row = this.rows.get(bundleLabel(id));
    if (!row) return;
    row.verifying = true;
    this.draw();
  };

  readonly done = (id: BundleId): void => {
    if (this.rows.delete(bundleLabel(id))) this.draw();
  };

  /** A line of text above the rows (a log event), the rows drawn again below it. */
  readonly print = (text: string): void => {
    this.out.write(this.erase() + text);
    this.drawn = [];
    this.draw();
  };

  clear(): void {
    this.rows.clear();
    this.draw();
    this.out.off?.('resize', this.onResize);
  }

  private get width(): number {
    return Math.max(20, this.out.columns ?? 80);
  }

  /** Back to where the rows began, and everything below erased. */
  private erase(): string {
    const up = this.drawn.reduce((n, length) => n + Math.max(1, Math.ceil(length / this.width)), 0);
    return up > 0 ? `\x1b[${up}F\x1b[J` : '';
  }

  private line(key: string, r: Row): string {
    const secs = Math.max(0.001, (this.now() - r.started) / 1000);
    const rate = r.bytes / secs;
    const size = `${formatBytes(r.bytes)}${r.total ? ` / ${formatBytes(r.total)}` : ''}`;
    if (r.verifying) return `  ${key.padEnd(24)} verifying  ${size}`;
    const pct = r.total ? ` ${((100 * r.bytes) / r.total).toFixed(0).padStart(3)}%` : '';
    const eta = r.total && rate > 0 ? ` ETA ${formatDuration(((r.total - r.bytes) / rate) * 1000)}` : '';
    return `  ${key.padEnd(24)}${pct}  ${size}  ${formatBytes(rate)}/s${eta}`;
  }

  private draw(): void {
    this.lastDraw = this.now();
    const width = this.width;
    // One column short of the width: a line that fills it exactly makes some terminals wrap.
    const lines = [...this.rows].map(([key, r]) => {
      const text = this.line(key, r);
      return text.length >= width ? `${text.slice(0, width - 2)}…` : text;
    });
    this.out.write(this.erase() + lines.map((l) => `${l}\n`).join(''));
    this.drawn = lines.map((l) => l.length);
  }
}
