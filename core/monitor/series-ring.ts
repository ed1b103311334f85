/**
 * Fixed-capacity columnar ring: one shared time axis and one Float32Array per series, allocated
 * when the series first appears. Pushing a sample costs O(series); memory is bounded by
 * capacity × series × 4 bytes. Float32 keeps 7 significant digits, plenty for charts.
 */
export class SeriesRing {
  private readonly times: Float64Array;
  private readonly series = new Map<string, { arr: Float32Array; stamp: number }>();
  private stamp = 0;
  private head = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get lastTime(): number | undefined {
    return this.count ? this.times[(this.head - 1 + this.capacity) % this.capacity] : undefined;
  }

  push(t: number, values: Record<string, number>): void {
    const i = this.head;
    this.times[i] = t;
    // for-in + Map.get is several times cheaper than looking keys up in a 1000-key object;
    // series not written this tick (stamp behind) get NaN.
    const stamp = ++this.stamp;
    for (const k in values) {
      let e = this.series.get(k);
      if (!e) {
        e = { arr: new Float32Array(this.capacity).fill(NaN), stamp };
        this.series.set(k, e);
      }
      e.arr[i] = values[k];
      e.stamp = stamp;
    }
    for (const e of this.series.values()) if (e.stamp !== stamp) e.arr[i] = NaN;
    this.head = (i + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Points with t ≥ from, oldest first, for the series `match` accepts; all-empty series left out. */
  query(
    from: number,
    match: (key: string) => boolean,
  ): { t: number[]; series: Record<string, (number | null)[]> } {
    const idx: number[] = [];
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let n = 0; n < this.count; n++) {
      const i = (start + n) % this.capacity;
      if (this.times[i] >= from) idx.push(i);
    }
    const series: Record<string, (number | null)[]> = {};
    for (const [k, { arr }] of this.series) {
      if (!match(k)) continue;
      let any = false;
      const out = idx.map((i) => {
        const v = arr[i];
        if (Number.isNaN(v)) return null;
        any = true;
        return v;
      });
      if (any) series[k] = out;
    }
    return { t: idx.map((i) => this.times[i]), series };
  }

  /** Every point, oldest first (for re-bucketing after an interval change). */
  *entries(): Generator<{ t: number; values: Record<string, number> }> {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let n = 0; n < this.count; n++) {
      const i = (start + n) % this.capacity;
      const values: Record<string, number> = {};
      for (const [k, { arr }] of this.series) if (!Number.isNaN(arr[i])) values[k] = arr[i];
      yield { t: this.times[i], values };
    }
  }
}

/** Averages samples into fixed buckets (1 minute for the 24 h range). */
export class BucketRollup {
  private bucketStart: number | undefined;
  private sums = new Map<string, { sum: number; n: number }>();

  constructor(readonly bucketMs: number) {}

  /** Adds a sample; returns the finished bucket when `t` starts a new one. */
  add(t: number, values: Record<string, number>): { t: number; values: Record<string, number> } | undefined {
    const start = Math.floor(t / this.bucketMs) * this.bucketMs;
    let done: { t: number; values: Record<string, number> } | undefined;
    if (this.bucketStart !== undefined && start !== this.bucketStart) done = this.current();
    if (start !== this.bucketStart) {
      this.bucketStart = start;
      this.sums = new Map();
    }
    for (const k in values) {
      const s = this.sums.get(k);
      if (s) {
        s.sum += values[k];
        s.n++;
      } else this.sums.set(k, { sum: values[k], n: 1 });
    }
    return done;
  }

  /** The bucket in progress (averages so far). */
  current(): { t: number; values: Record<string, number> } | undefined {
    if (this.bucketStart === undefined || this.sums.size === 0) return undefined;
    const values: Record<string, number> = {};
    for (const [k, s] of this.sums) values[k] = s.sum / s.n;
    return { t: this.bucketStart, values };
  }
}
