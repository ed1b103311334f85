/** The last `max` lines of a child's output; chunks are split into lines, a partial line is held back. */
export class LineBuffer {
  private lines: string[] = [];
  private partial = '';

  constructor(private readonly max = 2000) {}

  /** Returns the complete lines this chunk finished. */
  push(chunk: string): string[] {
    const parts = (this.partial + chunk).split(/\r?\n/);
    this.partial = parts.pop() ?? '';
    const done = parts.filter((l) => l.length > 0);
    this.lines.push(...done);
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    return done;
  }

  /** Flushes a pending partial line (the process ended without a newline). */
  end(): string[] {
    if (!this.partial) return [];
    const last = this.partial;
    this.partial = '';
    return this.push(`${last}\n`);
  }

  tail(n: number): string[] {
    return n >= this.lines.length ? [...this.lines] : this.lines.slice(this.lines.length - n);
  }
}
