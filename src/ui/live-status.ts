/**
 * One status line per key (a stack), kept at the bottom of a terminal and redrawn in place,
 * with log lines (stack events) scrolling above it. Where stderr is not a terminal (CI, a pipe,
 * a file) nothing is redrawn: each status change and log line is printed once, in order.
 */
export class LiveStatus {
  private readonly lines = new Map<string, string>();
  private drawn = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly live: boolean,
  ) {}

  set(key: string, status: string): void {
    this.lines.set(key, status);
    if (this.live) this.redraw();
    else this.write(`› ${key}: ${status}\n`);
  }

  log(text: string): void {
    if (!this.live) return this.write(`${text}\n`);
    this.clear();
    this.write(`${text}\n`);
    this.redraw();
  }

  /** Leave the final statuses on screen and stop redrawing. */
  finish(): void {
    this.drawn = 0;
  }

  private clear(): void {
    // Up to the first status line, then erase to the end of the screen.
    if (this.drawn) this.write(`\u001b[${this.drawn}F\u001b[J`);
    this.drawn = 0;
  }

  private redraw(): void {
    this.clear();
    const width = Math.max(...[...this.lines.keys()].map((k) => k.length));
    for (const [key, status] of this.lines) this.write(`${key.padEnd(width)}  ${status}\n`);
    this.drawn = this.lines.size;
  }
}
