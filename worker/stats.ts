import type { CurrentTask, WorkerStatsSnapshot } from '../api/features/workers';
import { LatencyHistogram } from '../nats/latency-histogram';
import { TypeStats } from '../nats/metrics/type-stats';

/** The figures of a runtime that has not run (a thread starting, a member between runs). */
export const EMPTY_STATS: Readonly<WorkerStatsSnapshot> = {
  processed: 0,
  failed: 0,
  retried: 0,
  cancelled: 0,
  inFlight: 0,
  current: [],
  throughput: 0,
  p50: 0,
  p95: 0,
  p99: 0,
  uptimeMs: 0,
};

type Counted = Pick<WorkerStatsSnapshot, 'processed' | 'failed' | 'retried' | 'cancelled'>;

/**
 * Counts of runtimes that ended (a thread respawned, a runtime rebuilt on resume), added to the
 * live one's so the totals never go backwards.
 */
export class CarriedCounts {
  private readonly c: Counted = { processed: 0, failed: 0, retried: 0, cancelled: 0 };

  /** Keeps what an ending runtime counted. */
  carry(s: Counted): void {
    this.c.processed += s.processed;
    this.c.failed += s.failed;
    this.c.retried += s.retried;
    this.c.cancelled += s.cancelled;
  }

  /** `s` with everything carried added. */
  onto<T extends Counted>(s: T): T {
    const c = this.c;
    return {
      ...s,
      processed: s.processed + c.processed,
      failed: s.failed + c.failed,
      retried: s.retried + c.retried,
      cancelled: s.cancelled + c.cancelled,
    };
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
  /** The same counts and latency per task type (bounded), for /metrics. */
  readonly types = new TypeStats();
  private readonly startedAt = Date.now();

  /** One task's outcome, in the totals and under its type. */
  count(type: string, kind: 'processed' | 'failed' | 'retried'): void {
    this[kind]++;
    this.types.count(type, kind);
  }

  /** Handler latency of a completed task. */
  observe(type: string, ms: number): void {
    this.latency.observe(ms);
    this.types.observe(type, ms);
  }

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
