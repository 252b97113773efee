// Live status lines on stderr. On a terminal the block of lines (one per watched
// run) is redrawn in place; elsewhere (pipes, CI logs) a line is printed per
// update, at most one per item every `intervalMs` unless it is forced (status
// changes and the final line always print).
import type { Io } from "./command";

const REDRAW_MS = 100;

export class LiveDisplay {
  private readonly lines: string[];
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly lastPrinted: Array<{ line: string; at: number } | null>;

  constructor(
    private readonly io: Io,
    count: number,
    private readonly options: { tty: boolean; intervalMs: number },
  ) {
    this.lines = Array(count).fill("");
    this.lastPrinted = Array(count).fill(null);
  }

  update(index: number, line: string, { force = false } = {}): void {
    if (this.options.tty) {
      this.lines[index] = line;
      if (force) this.redraw();
      else this.timer ??= setTimeout(() => this.redraw(), REDRAW_MS);
      return;
    }
    const last = this.lastPrinted[index];
    if (last?.line === line) return;
    if (!force && last && Date.now() - last.at < this.options.intervalMs) return;
    this.lastPrinted[index] = { line, at: Date.now() };
    this.io.stderr.write(`${line}\n`);
  }

  private redraw(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const width = Math.max(20, this.io.columns - 1); // a wrapped line would break the cursor-up arithmetic
    let text = this.drawn ? `\x1b[${this.drawn}A` : "";
    for (const line of this.lines) text += `\r\x1b[2K${[...line].slice(0, width).join("")}\n`;
    this.drawn = this.lines.length;
    this.io.stderr.write(text);
  }

  /** Draws the last state; later output goes below the block. */
  finish(): void {
    if (this.options.tty && (this.timer || this.drawn === 0)) this.redraw();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
