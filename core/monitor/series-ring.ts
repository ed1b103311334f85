/**
 * Stable slot numbers for series keys. A sample is turned into slot/value lists once (see
 * `toFrame`), so the ring, the history file and the minute rollup index plain arrays instead of
 * each hashing ~1,500 keys every second.
 */
export class SeriesIndex {
  readonly keys: string[] = [];
  private readonly slots = new Map<string, number>();

  slot(key: string): number {
    let s = this.slots.get(key);
    if (s === undefined) {
      s = this.keys.length;
      this.keys.push(key);
      this.slots.set(key, s);
    }
    return s;
  }
}

/** One sample: `values[n]` belongs to series `slots[n]`, for n < count. Arrays are reused. */
export interface Frame {
  t: number;
  count: number;
  slots: number[];
  values: number[];
}

export function emptyFrame(): Frame {
  return { t: 0, count: 0, slots: [], values: [] };
}

/** Fills `into` (or a new frame) with a sample given as a record. */
export function toFrame(
  index: SeriesIndex,
  t: number,
  values: Record<string, number>,
  into = emptyFrame(),
): Frame {
  let n = 0;
  for (const k in values) {
    into.slots[n] = index.slot(k);
    into.values[n] = values[k];
    n++;
  }
  into.t = t;
  into.count = n;
  return into;
}

/**
 * Fixed-capacity columnar ring: one shared time axis and one Float32Array per series, allocated
 * when the series first appears. Pushing a sample costs O(series); memory is bounded by
 * capacity × series × 4 bytes. Float32 keeps 7 significant digits, plenty for charts.
 */
export class SeriesRing {
  private readonly times: Float64Array;
  /** Column per slot of the index; undefined until the series first has a value. */
  private readonly cols: (Float32Array | undefined)[] = [];
  /** The push that last wrote each slot; columns not written by a push get NaN there. */
  private readonly stamps: number[] = [];
  private stamp = 0;
  private head = 0;
  private count = 0;

  constructor(
    readonly capacity: number,
    readonly index: SeriesIndex,
  ) {
    this.times = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  get lastTime(): number | undefined {
    return this.count ? this.times[(this.head - 1 + this.capacity) % this.capacity] : undefined;
  }

  push(f: Frame): void {
    const i = this.head;
    this.times[i] = f.t;
    const stamp = ++this.stamp;
    for (let n = 0; n < f.count; n++) {
      const s = f.slots[n];
      let col = this.cols[s];
      if (!col) this.cols[s] = col = new Float32Array(this.capacity).fill(NaN);
      col[i] = f.values[n];
      this.stamps[s] = stamp;
    }
    for (let s = 0; s < this.cols.length; s++) {
      const col = this.cols[s];
      if (col && this.stamps[s] !== stamp) col[i] = NaN;
    }
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
    for (let s = 0; s < this.cols.length; s++) {
      const col = this.cols[s];
      const key = this.index.keys[s];
      if (!col || !match(key)) continue;
      let any = false;
      const out = idx.map((i) => {
        const v = col[i];
        if (Number.isNaN(v)) return null;
        any = true;
        return v;
      });
      if (any) series[key] = out;
    }
    return { t: idx.map((i) => this.times[i]), series };
  }

  /** Every point, oldest first (for re-bucketing after an interval change). */
  *entries(): Generator<Frame> {
    const start = (this.head - this.count + this.capacity) % this.capacity;
    for (let n = 0; n < this.count; n++) {
      const i = (start + n) % this.capacity;
      const f = emptyFrame();
      f.t = this.times[i];
      for (let s = 0; s < this.cols.length; s++) {
        const v = this.cols[s]?.[i];
        if (v === undefined || Number.isNaN(v)) continue;
        f.slots.push(s);
        f.values.push(v);
      }
      f.count = f.slots.length;
      yield f;
    }
  }
}

/** Averages samples into fixed buckets (1 minute for the 24 h range). */
export class BucketRollup {
  private bucketStart: number | undefined;
  private readonly sums: number[] = [];
  private readonly counts: number[] = [];
  /** Slots with a value in the current bucket, in first-seen order. */
  private touched: number[] = [];

  constructor(
    readonly bucketMs: number,
    readonly index: SeriesIndex,
  ) {}

  /** Adds a sample; returns the finished bucket when `t` starts a new one. */
  add(f: Frame): { t: number; values: Record<string, number> } | undefined {
    const start = Math.floor(f.t / this.bucketMs) * this.bucketMs;
    let done: { t: number; values: Record<string, number> } | undefined;
    if (start !== this.bucketStart) {
      if (this.bucketStart !== undefined) done = this.current();
      this.bucketStart = start;
      for (const s of this.touched) this.counts[s] = 0;
      this.touched = [];
    }
    for (let n = 0; n < f.count; n++) {
      const s = f.slots[n];
      if (this.counts[s]) {
        this.sums[s] += f.values[n];
        this.counts[s]++;
      } else {
        this.sums[s] = f.values[n];
        this.counts[s] = 1;
        this.touched.push(s);
      }
    }
    return done;
  }

  /** The bucket in progress (averages so far). */
  current(): { t: number; values: Record<string, number> } | undefined {
    if (this.bucketStart === undefined || this.touched.length === 0) return undefined;
    const values: Record<string, number> = {};
    for (const s of this.touched) values[this.index.keys[s]] = this.sums[s] / this.counts[s];
    return { t: this.bucketStart, values };
  }
}
