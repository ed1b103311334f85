/**
 * Handler-latency histogram as plain data, so worker threads (or `jetdeck worker`) can keep one,
 * post snapshots to the main thread and merge them; Prometheus and the percentiles of the
 * Monitor screen both read it. No node:* imports: safe in any runtime.
 */

/** Fine logarithmic buckets (4% wide from 0.01 ms): percentiles within 4% for one runtime's cards. */
const FINE_BASE = Math.log(1.04);
const FINE_MIN_MS = 0.01;
const FINE_BUCKETS = 700;

/** Upper bounds in ms (Prometheus `le`), roughly ×2.5 apart; +Inf is implicit. */
export const LATENCY_BUCKETS_MS = [
  1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000,
] as const;

export interface LatencySnapshot {
  /** Count per bucket (not cumulative), one more than LATENCY_BUCKETS_MS for +Inf. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Cumulative, never reset. Prometheus buckets with a sum merge across threads (the pool) and feed
 * `/metrics`; the fine buckets (constant memory, O(1) observe) give precise percentiles for what
 * this instance observed itself.
 */
export class LatencyHistogram {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private readonly fine = new Uint32Array(FINE_BUCKETS);
  private fineCount = 0;
  private sum = 0;
  private count = 0;

  observe(ms: number): void {
    let i = 0;
    while (i < LATENCY_BUCKETS_MS.length && ms > LATENCY_BUCKETS_MS[i]) i++;
    this.counts[i]++;
    this.sum += ms;
    this.count++;
    const f = ms <= FINE_MIN_MS ? 0 : Math.ceil(Math.log(ms / FINE_MIN_MS) / FINE_BASE);
    this.fine[Math.min(f, FINE_BUCKETS - 1)]++;
    this.fineCount++;
  }

  /** Percentile (0..100): from the fine buckets when every observation is local, else estimated. */
  percentile(p: number): number {
    if (this.fineCount === 0 || this.fineCount !== this.count) return latencyPercentile(this.snapshot(), p);
    const rank = Math.ceil((p / 100) * this.fineCount);
    let seen = 0;
    for (let i = 0; i < FINE_BUCKETS; i++) {
      seen += this.fine[i];
      if (seen >= rank) return FINE_MIN_MS * Math.pow(1.04, i);
    }
    return 0;
  }

  merge(s: LatencySnapshot): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i] += s.counts[i] ?? 0;
    this.sum += s.sum;
    this.count += s.count;
  }

  snapshot(): LatencySnapshot {
    return { counts: [...this.counts], sum: this.sum, count: this.count };
  }
}

/** Percentile (0..100) estimated by linear interpolation inside the bucket; 0 when empty. */
export function latencyPercentile(s: LatencySnapshot, p: number): number {
  if (s.count === 0) return 0;
  const rank = (p / 100) * s.count;
  let seen = 0;
  for (let i = 0; i < s.counts.length; i++) {
    const c = s.counts[i] ?? 0;
    if (c > 0 && seen + c >= rank) {
      const lo = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1];
      const hi = i < LATENCY_BUCKETS_MS.length ? LATENCY_BUCKETS_MS[i] : lo * 2;
      return lo + ((rank - seen) / c) * (hi - lo);
    }
    seen += c;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
}

/** Difference of two cumulative snapshots (for percentiles over the last interval). */
export function latencyDelta(now: LatencySnapshot, before: LatencySnapshot | undefined): LatencySnapshot {
  if (!before || before.count > now.count) return now;
  return {
    counts: now.counts.map((c, i) => c - (before.counts[i] ?? 0)),
    sum: now.sum - before.sum,
    count: now.count - before.count,
  };
}
