import type { CurrentTask, WorkerStatsSnapshot } from '../api/features/workers';
import { LatencyHistogram as BucketHistogram } from '../core/monitor/latency-histogram';

/**
 * Latency histogram with logarithmic buckets (4% wide, 0.01 ms .. ~days): constant memory,
 * O(1) record, percentiles within 4%, cheap enough for every task.
 */
export class LatencyHistogram {
  private static readonly BASE = Math.log(1.04);
  private static readonly MIN_MS = 0.01;
  private readonly counts = new Uint32Array(700);
  private total = 0;
  /**
   * The same observations in Prometheus buckets, with a sum: unlike percentiles these merge
   * across threads (the pool) and feed the `/metrics` histogram. Cumulative; never reset.
   */
  readonly buckets = new BucketHistogram();

  record(ms: number): void {
    this.buckets.observe(ms);
    const i =
      ms <= LatencyHistogram.MIN_MS
        ? 0
        : Math.ceil(Math.log(ms / LatencyHistogram.MIN_MS) / LatencyHistogram.BASE);
    this.counts[Math.min(i, this.counts.length - 1)]++;
    this.total++;
  }

  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i];
      if (seen >= rank) return LatencyHistogram.MIN_MS * Math.pow(1.04, i);
    }
    return 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.total = 0;
  }
}

/** What the stats need of a running task. */
export interface RunningTask {
  task: { id: string; type: string };
  startedAt: number;
  attempt: number;
}

/** Counters of one runtime. */
export class RuntimeStats {
  processed = 0;
  failed = 0;
  retried = 0;
  cancelled = 0;
  readonly latency = new LatencyHistogram();
  private readonly startedAt = Date.now();

  constructor(private readonly running: () => ReadonlySet<RunningTask>) {}
  private readonly samples: { at: number; processed: number }[] = [];

  snapshot(maxCurrent = 20): WorkerStatsSnapshot {
    const now = Date.now();
    this.samples.push({ at: now, processed: this.processed });
    while (this.samples.length > 2 && now - this.samples[0].at > 5000) this.samples.shift();
    const first = this.samples[0];
    const dt = (now - first.at) / 1000;
    const current: CurrentTask[] = [];
    const running = this.running();
    for (const r of running) {
      if (current.length >= maxCurrent) break;
      current.push({
        id: r.task.id,
        type: r.task.type,
        startedAt: r.startedAt,
        attempt: r.attempt,
        elapsedMs: now - r.startedAt,
      });
    }
    const round = (n: number) => Math.round(n * 100) / 100;
    return {
      processed: this.processed,
      failed: this.failed,
      retried: this.retried,
      cancelled: this.cancelled,
      inFlight: running.size,
      current,
      throughput: dt > 0 ? round((this.processed - first.processed) / dt) : 0,
      p50: round(this.latency.percentile(50)),
      p95: round(this.latency.percentile(95)),
      p99: round(this.latency.percentile(99)),
      uptimeMs: now - this.startedAt,
    };
  }
}
