/** The newest `max` items; older ones are dropped and counted until the next `take`. */
export class BoundedBuffer<T> {
  private items: T[] = [];
  private dropped = 0;

  constructor(private readonly max: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      this.items.shift();
      this.dropped++;
    }
  }

  /** What came since the last take (items and drops), or undefined when nothing did. */
  take(): { items: T[]; dropped: number } | undefined {
    if (this.items.length === 0 && this.dropped === 0) return undefined;
    const out = { items: this.items, dropped: this.dropped };
    this.items = [];
    this.dropped = 0;
    return out;
  }

  clear(): void {
    this.items = [];
    this.dropped = 0;
  }
}

/**
 * Collects items and flushes them as one batch every `intervalMs`, keeping at most `max`
 * (oldest dropped, counted), so a high-rate source never sends one UI message per item.
 */
export class Batcher<T> {
  private readonly buffer: BoundedBuffer<T>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: T[], dropped: number) => void,
    private readonly intervalMs = 100,
    max = 5000,
  ) {
    this.buffer = new BoundedBuffer(max);
  }

  push(item: T): void {
    this.buffer.push(item);
    if (!this.timer) this.timer = setTimeout(() => this.drain(), this.intervalMs);
  }

  drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer.take();
    if (batch) this.flush(batch.items, batch.dropped);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.buffer.clear();
  }
}
