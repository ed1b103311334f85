/**
 * Collects items and flushes them as one batch every `intervalMs`, keeping at most `max`
 * (oldest dropped, counted), so a high-rate source never sends one UI message per item.
 */
export class Batcher<T> {
  private items: T[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: T[], dropped: number) => void,
    private readonly intervalMs = 100,
    private readonly max = 5000,
  ) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.max) {
      this.items.shift();
      this.dropped++;
    }
    if (!this.timer) this.timer = setTimeout(() => this.drain(), this.intervalMs);
  }

  drain(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0 && this.dropped === 0) return;
    const items = this.items;
    const dropped = this.dropped;
    this.items = [];
    this.dropped = 0;
    this.flush(items, dropped);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }
}
